// Test helper: the text of a PDF via poppler's pdftotext, or null when the binary is absent.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const PDFTOTEXT = "/usr/bin/pdftotext";

/** pdftotext's output for the PDF with these options, or null when the binary is absent. */
function runPdftotext(pdf: Buffer, options: string[]): string | null {
  if (!existsSync(PDFTOTEXT)) return null;
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-pdf-"));
  try {
    const file = path.join(dir, "doc.pdf");
    writeFileSync(file, pdf);

    return execFileSync(PDFTOTEXT, [...options, file, "-"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function pdfText(pdf: Buffer): string | null {
  return runPdftotext(pdf, ["-layout"]);
}

export type TPdfWord = { text: string; yMin: number; yMax: number };

/** Each page's words with their vertical extent (pdftotext -bbox), or null when the binary is absent. */
export function pdfPageWords(pdf: Buffer): TPdfWord[][] | null {
  const xhtml = runPdftotext(pdf, ["-bbox"]);
  if (xhtml === null) return null;

  return xhtml
    .split("<page ")
    .slice(1)
    .map((page) =>
      [...page.matchAll(/<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((match) => ({
        text: match[3]!.replace(/&amp;/g, "&"),
        yMin: Number(match[1]),
        yMax: Number(match[2]),
      })),
    );
}
