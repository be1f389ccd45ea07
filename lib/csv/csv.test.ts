import { describe, expect, it } from "vitest";

import { csvCell, csvLine, toCsv } from "./csv";

describe("csv", () => {
  it("quotes per RFC 4180 and ends lines with CRLF", () => {
    expect(csvLine(["a", 'say "hi"', "x,y", "line\nbreak", " padded"])).toBe('a,"say ""hi""","x,y","line\nbreak"," padded"\r\n');
    expect(toCsv(["h1", "h2"], [[1, null]]).toString()).toBe("h1,h2\r\n1,\r\n");
  });

  it("defuses spreadsheet formulas but leaves numbers alone", () => {
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    expect(csvCell("+1 555")).toBe("'+1 555");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("-3")).toBe("-3");
    expect(csvCell("-2.5")).toBe("-2.5");
    expect(csvCell(-4)).toBe("-4");
    expect(csvCell(true)).toBe("true");
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });
});
