// RFC 4180 CSV lines (CRLF), UTF-8.

function cell(value: string) {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(values: readonly string[]) {
  return `${values.map(cell).join(",")}\r\n`;
}
