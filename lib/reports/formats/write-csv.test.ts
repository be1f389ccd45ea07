import { describe, expect, it } from "vitest";

import { csvCell, toCsv } from "@/lib/csv/csv";

describe("CSV cells", () => {
  it("quotes per RFC 4180", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then')).toBe('"say ""hi"", then"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(null)).toBe("");
  });

  it("neutralises text that a spreadsheet would run as a formula, but keeps numbers numeric", () => {
    for (const text of ["=1+1", "+1", "-2-A1", "@SUM(A1)", "\tx"]) expect(csvCell(text).replace(/^"|"$/g, "").startsWith("'")).toBe(true);
    expect(csvCell(-6)).toBe("-6");
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
  });

  it("writes a header row and CRLF line ends", () => {
    expect(toCsv(["a", "b"], [[1, "x"]]).toString("utf8")).toBe("a,b\r\n1,x\r\n");
  });
});
