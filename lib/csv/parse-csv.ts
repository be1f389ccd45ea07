/** RFC 4180 reader (the counterpart of csv.ts, used by the tests): quoted cells, doubled quotes, CRLF rows, line breaks inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let isQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (isQuoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') isQuoted = false;
      else cell += char;
    } else if (char === '"') isQuoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += char;
  }
  if (isQuoted) throw new Error("CSV ends inside a quoted cell");
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }

  return rows;
}

/** The rows after the header, as records keyed by the header's names. */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const [header, ...body] = parseCsv(text);
  if (!header) return [];

  return body.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ""])));
}
