// Test helper: the text of a PDF via poppler's pdftotext, or null when the binary is absent.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const PDFTOTEXT = "/usr/bin/pdftotext";

export function pdfText(pdf: Buffer): string | null {
  if (!existsSync(PDFTOTEXT)) return null;
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-pdf-"));
  try {
    const file = path.join(dir, "doc.pdf");
    writeFileSync(file, pdf);

    return execFileSync(PDFTOTEXT, ["-layout", file, "-"], { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
