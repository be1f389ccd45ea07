// The single-value masking rules of HIPAA Safe Harbor and of the programme's standard table.
// Pure: no clock, no key lookup; callers pass what they depend on.

export const REDACTED = "REDACTED";

/** 3-digit ZIP prefixes with 20,000 or fewer people (Census 2000), which Safe Harbor maps to 000. */
export const RESTRICTED_ZIP3 = new Set(["036", "059", "063", "102", "203", "205", "369", "556", "692", "790", "821", "823", "830", "831", "878", "879", "884", "890", "893"]);

/** A FHIR date or dateTime string, or a Date -> [year, month, day] (the written date, no time zone shift). */
function dateParts(value: string | Date): [number, number, number] | null {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return [value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate()];
  }
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value.trim());
  if (!match) return null;

  return [Number(match[1]), Number(match[2] ?? 1), Number(match[3] ?? 1)];
}

/** Whole years from birth to `asOf` (UTC calendar days). */
export function ageInYears(birthDate: string | Date, asOf: Date): number | null {
  const birth = dateParts(birthDate);
  if (!birth) return null;
  const [year, month, day] = birth;
  let age = asOf.getUTCFullYear() - year;
  const beforeBirthday = asOf.getUTCMonth() + 1 < month || (asOf.getUTCMonth() + 1 === month && asOf.getUTCDate() < day);
  if (beforeBirthday) age -= 1;

  return age < 0 ? null : age;
}

/** Safe Harbor age: years, with every age of 90 and over aggregated into "90+". */
export function safeHarborAge(birthDate: string | Date | null | undefined, asOf: Date): string {
  if (!birthDate) return "";
  const age = ageInYears(birthDate, asOf);
  if (age === null) return "";

  return age >= 90 ? "90+" : String(age);
}

/** An age as Safe Harbor gives it ("41", "90+") -> its band ("40-44" or "40-49"); "90+" stays itself. */
export function ageBand(age: string, width: 5 | 10): string {
  if (!age || age === "90+") return age;
  const years = Number(age);
  if (!Number.isInteger(years) || years < 0) return "";
  const low = Math.floor(years / width) * width;
  // Bands never reach past 89: 90 and over is one group.
  return `${low}-${Math.min(low + width - 1, 89)}`;
}

/** "62704-1234" -> "627XX"; a restricted prefix -> "000XX"; anything unusable -> "". */
export function zip3(postalCode: string | null | undefined): string {
  const digits = (postalCode ?? "").trim().match(/^(\d{3})\d{2}/);
  if (!digits) return "";

  return RESTRICTED_ZIP3.has(digits[1]!) ? "000XX" : `${digits[1]}XX`;
}

/** The year alone (Safe Harbor for every date tied to a patient). */
export function dateToYear(value: string | Date | null | undefined): string {
  if (!value) return "";
  const parts = dateParts(value);

  return parts ? String(parts[0]) : "";
}

/** The date moved by `days`, as YYYY-MM-DD (dates are exported at day precision). */
export function shiftDate(value: string | Date | null | undefined, days: number): string {
  if (!value) return "";
  const parts = dateParts(value);
  if (!parts) return "";
  const shifted = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]) + days * 86_400_000);

  return shifted.toISOString().slice(0, 10);
}

/** Standard profile phone: "XXX-XXX-4567", the last four digits only. */
export function phoneLastFour(phone: string | null | undefined): string {
  const digits = (phone ?? "").replace(/\D/g, "");
  if (digits.length < 4) return digits ? REDACTED : "";

  return `XXX-XXX-${digits.slice(-4)}`;
}

export function redact(value: unknown): string {
  return value === null || value === undefined || value === "" ? "" : REDACTED;
}
