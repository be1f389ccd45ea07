// The one CSV writer: RFC 4180 (quotes doubled; CRLF line ends), UTF-8. Reports, dataset
// exports and the audit export all write through it, so quoting and the spreadsheet-formula
// guard are the same everywhere.

export type TCsvCell = string | number | boolean | bigint | null | undefined;

/** Quoting is needed for a quote, comma or line break anywhere, or whitespace at either end. */
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
/** Text a spreadsheet would run as a formula (CSV injection)... */
const FORMULA_START = /^[=+\-@\t\r]/;
/** ...unless it is just a number, like a negative score change. */
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  let text = typeof value === "string" ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;

  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): Buffer {
  return Buffer.from([header, ...rows].map(csvLine).join(""), "utf8");
}
