// Birth dates as the scan finds them: by their digits, and, for the forms without a month's or
// day's zero (6 or 7 digits, as short as many a number), only where the bytes are written as a date.
import { isDigit } from "@/lib/anonymize/release-scan/tokenizer";


/**
 * Whether the digits ending at bytes[end] are written as a date: a 4-digit year and a month and
 * day of 1 or 2 digits, in M/D/Y or Y/M/D order, each group apart from the next by separators, and
 * no digit right before or after ("15/6/1931" and "5/6/19312" are other numbers). A date that
 * began in an earlier chunk cannot be seen whole here: it counts as written (fail closed).
 */
export function isWrittenAsDate(bytes: Uint8Array, end: number, digitCount: number): boolean {
  if (end + 1 < bytes.length && isDigit(bytes[end + 1]!)) return false;
  const groups: number[] = [];
  let group = 0;
  let remaining = digitCount;
  let index = end;
  // Between the run's digits there are only separators: anything else restarts the run.
  for (; remaining > 0; index--) {
    if (index < 0) return true;
    if (isDigit(bytes[index]!)) {
      group++;
      remaining--;
    } else if (group > 0) {
      groups.unshift(group);
      group = 0;
    }
  }
  groups.unshift(group);
  if (index >= 0 && isDigit(bytes[index]!)) return false;
  if (groups.length !== 3) return false;
  const [first, second, third] = groups as [number, number, number];

  return (third === 4 && first <= 2 && second <= 2) || (first === 4 && second <= 2 && third <= 2);
}

/**
 * A YYYY-MM-DD birth date's digits: `padded` (YYYYMMDD, MMDDYYYY) are found however the date is
 * written; `unpadded` (5/6/1931, 5/06/1931, 05/6/1931, 1931-5-6) only where written as a date.
 */
export function birthDateDigitForms(birthDate: string): { padded: string[]; unpadded: string[] } {
  const birth = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate.trim());
  if (!birth) return { padded: [], unpadded: [] };
  const [, year, month, day] = birth as unknown as [string, string, string, string];
  const unpadded: string[] = [];
  for (const monthForm of new Set([month, String(Number(month))])) {
    for (const dayForm of new Set([day, String(Number(day))])) {
      if (monthForm === month && dayForm === day) continue;
      unpadded.push(`${monthForm}${dayForm}${year}`, `${year}${monthForm}${dayForm}`);
    }
  }

  return { padded: [`${year}${month}${day}`, `${month}${day}${year}`], unpadded };
}
