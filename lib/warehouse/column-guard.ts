// The column-name guard for warehouse views. A view named *_anon is only the warehouse's claim
// of being de-identified, so every column whose name looks identifying is refused (never read,
// never written) until an admin gives it a policy.
//
// Matching is on the name lower-cased with every non-alphanumeric removed, as a substring:
// `first_name`, `PatientPhone`, `e-mail`, `home_address`, `DateOfBirth` all match. That also
// refuses harmless names (`program_name`, `class_name`); false positives only cost an admin a
// click, a false negative leaks. Beyond the list (name, phone, email, address, birth,
// ssn, medicaid, mrn) it catches the usual abbreviations and neighbours: dob, mail, fax,
// mobile, street, zip, postal.
import { isColumnPolicy, type TColumnPolicy } from "@/lib/anonymize/profiles";

export const IDENTIFYING_PARTS = ["name", "phone", "email", "mail", "address", "birth", "dob", "ssn", "medicaid", "mrn", "fax", "mobile", "street", "zip", "postal"] as const;

/** An admin's explicit "do not export this column", beside the masking policies. */
export const EXCLUDE = "exclude";

export type TWarehousePolicy = TColumnPolicy | typeof EXCLUDE;
/** columnPolicies as stored: "<schema>.<view>" -> column -> policy. */
export type TWarehouseColumnPolicies = Record<string, Record<string, TWarehousePolicy>>;

export function isWarehousePolicy(value: unknown): value is TWarehousePolicy {
  return value === EXCLUDE || isColumnPolicy(value);
}

/** The identifying word a column name contains, or null. */
export function identifyingPart(column: string): string | null {
  const normalized = column.toLowerCase().replace(/[^a-z0-9]/g, "");
  return IDENTIFYING_PARTS.find((part) => normalized.includes(part)) ?? null;
}

export type TColumnDecision =
  | { column: string; status: "exported"; policy: TColumnPolicy; source: "admin" | "default" }
  | { column: string; status: "refused"; reason: string }
  | { column: string; status: "excluded"; reason: string };

/**
 * One column's fate. The admin's policy wins (any masking policy, or `keep` as an explicit,
 * audited override for a false positive); an identifying name without one is refused; any
 * other column is kept as is (the view is the warehouse's de-identified projection, and the
 * release scan still searches the file for every patient's identifiers).
 */
export function decideColumn(column: string, adminPolicy: unknown): TColumnDecision {
  if (adminPolicy === EXCLUDE) return { column, status: "excluded", reason: "excluded by an administrator" };
  if (isColumnPolicy(adminPolicy)) return { column, status: "exported", policy: adminPolicy, source: "admin" };
  const part = identifyingPart(column);
  if (part) return { column, status: "refused", reason: `refused: the name looks identifying ("${part}"); an administrator must give it a masking policy` };

  return { column, status: "exported", policy: "keep", source: "default" };
}
