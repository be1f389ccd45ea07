// Column policies and the profiles that interpret them. A dataset column names one policy;
// the profile (chosen per export) decides what that policy does to a value.
import { dateShiftDays, pseudonymize, type TPseudonymKind } from "@/lib/anonymize/pseudonym";
import { ageBand, dateToYear, phoneLastFour, redact, safeHarborAge, shiftDate, zip3 } from "@/lib/anonymize/rules";
import { scrubDeep, type TTextScrubber } from "@/lib/anonymize/scrub-text";

export const ANON_PROFILES = ["safe-harbor", "standard"] as const;
export type TAnonProfile = (typeof ANON_PROFILES)[number];

/** Stricter profiles rank higher: an export may not ask for one below the admin's minimum. */
const STRICTNESS: Record<TAnonProfile, number> = { standard: 1, "safe-harbor": 2 };

export function isWeakerProfile(profile: TAnonProfile, minimum: TAnonProfile) {
  return STRICTNESS[profile] < STRICTNESS[minimum];
}

const PSEUDONYM_KINDS: readonly TPseudonymKind[] = ["patient", "encounter", "response", "practitioner", "observation", "condition", "care_plan", "location"];

export const COLUMN_POLICIES = [
  /** Not identifying: exported as is. */
  "keep",
  /** Removed: exported as REDACTED (empty when there was nothing). */
  "redact",
  /** Birth date -> age in years (or in the export's 5- or 10-year bands), 90 and over -> "90+". */
  "birth_date_to_age",
  /** Zip -> "123XX" (restricted prefixes "000XX"). */
  "zip3",
  /** A date tied to a patient: the year (safe-harbor) or shifted by the patient's offset (standard). */
  "patient_date",
  /** Phone: removed (safe-harbor) or "XXX-XXX-4567" (standard). */
  "phone",
  /** Free text or nested answers: scrubbed of the patient's identifiers and id-like patterns. */
  "free_text",
  /**
   * A questionnaire answer: what the patient picked (a code, a number, yes/no) is kept; what they
   * wrote in their own words (the "other" of an open choice: a MixedAnswers part) is scrubbed as free text.
   */
  "coded_answer",
  /**
   * One answer (or item text) of the long questionnaire table: the value carries its own treatment,
   * decided per item (an AnswerCell): kept as picked, a patient date, written (scrubbed as free
   * text), or redacted. Anything else is redacted.
   */
  "item_answer",
  ...PSEUDONYM_KINDS.map((kind) => `pseudonymize:${kind}` as const),
] as const;
export type TColumnPolicy = (typeof COLUMN_POLICIES)[number];

export function isColumnPolicy(value: unknown): value is TColumnPolicy {
  return typeof value === "string" && (COLUMN_POLICIES as readonly string[]).includes(value);
}

export type TPolicyContext = {
  profile: TAnonProfile;
  key: string;
  /** "Today" for ages: the export's generation time. */
  asOf: Date;
  /** The row's patient, for date shifting (null: a row tied to no patient). */
  patientId: string | null;
  /** The row's patient's scrubber. */
  scrub: TTextScrubber;
  /** Ages in 5- or 10-year bands instead of whole years (an option of either profile); null: years. */
  ageBandYears?: 5 | 10 | null;
};

/**
 * A questionnaire item's answers when at least one was written rather than picked. Only the
 * written ones are free text: scrubbing a picked code would take SNOMED codes for ids.
 */
export class MixedAnswers {
  constructor(readonly parts: readonly { value: string | number | boolean; isWritten: boolean }[]) {}

  /** As an identified export shows them: the answers joined by "; ". */
  toString() {
    return this.parts.map((part) => String(part.value)).join("; ");
  }
}

/** How the anon tier treats one cell of the long questionnaire table (the identified tier shows the value). */
export type TAnswerTreatment = "keep" | "date" | "written" | "redact";

/** A value of the long questionnaire table with the treatment its item calls for. */
export class AnswerCell {
  constructor(
    readonly value: string | number | boolean,
    readonly treatment: TAnswerTreatment,
  ) {}

  toString() {
    return String(this.value);
  }
}

/** A raw database value as CSV cell text: dates as ISO, JSON as JSON, null as empty. */
export function toCellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof AnswerCell) return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof MixedAnswers) return value.toString();
  if (typeof value === "object") return JSON.stringify(value);

  return String(value);
}

function patientDate(value: unknown, context: TPolicyContext): string {
  if (value === null || value === undefined || value === "") return "";
  const date = value instanceof Date ? value : String(value);
  if (context.profile === "safe-harbor") return dateToYear(date);
  // A date of no known patient cannot be shifted consistently: fall back to the year.
  if (!context.patientId) return dateToYear(date);

  return shiftDate(date, dateShiftDays(context.key, context.patientId));
}

/** Applies one column policy to one value under the export's profile. */
export function applyPolicy(policy: TColumnPolicy, value: unknown, context: TPolicyContext): string {
  switch (policy) {
    case "keep":
      return toCellText(value);
    case "redact":
      return redact(value);
    case "birth_date_to_age": {
      const age = safeHarborAge(value instanceof Date ? value : (value as string | null), context.asOf);
      return context.ageBandYears ? ageBand(age, context.ageBandYears) : age;
    }
    case "zip3":
      return zip3(value as string | null);
    case "patient_date":
      return patientDate(value, context);
    case "phone":
      if (value === null || value === undefined || value === "") return "";
      return context.profile === "standard" ? phoneLastFour(String(value)) : redact(value);
    case "free_text":
      if (value === null || value === undefined) return "";
      return typeof value === "object" ? JSON.stringify(scrubDeep(value, context.scrub)) : context.scrub(String(value));
    case "coded_answer":
      if (!(value instanceof MixedAnswers)) return toCellText(value);
      return value.parts.map((part) => (part.isWritten ? context.scrub(String(part.value)) : String(part.value))).join("; ");
    case "item_answer":
      if (value === null || value === undefined || value === "") return "";
      if (!(value instanceof AnswerCell)) return redact(value);
      switch (value.treatment) {
        case "keep":
          return toCellText(value.value);
        case "date":
          return patientDate(String(value.value), context);
        case "written":
          return context.scrub(String(value.value));
        default:
          return redact(value.value);
      }
    default: {
      const kind = policy.slice("pseudonymize:".length) as TPseudonymKind;
      if (value === null || value === undefined || value === "") return "";
      return pseudonymize(context.key, kind, String(value));
    }
  }
}
