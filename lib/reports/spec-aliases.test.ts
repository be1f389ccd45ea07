import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { renderDocument } from "@/lib/render/render-document";
import { pdfText } from "@/lib/render/testing/pdf-text";
import { docxText, readZipEntry } from "@/lib/render/testing/read-docx";
import { renderTemplateHtml, validateTemplateContent } from "@/lib/templates/liquid";
import { sampleReportContext } from "@/lib/templates/sample-context";

const SPEC_TEMPLATE = readFileSync(path.join(process.cwd(), "tests/fixtures/product-spec/progress-report.html.liquid"), "utf8");

describe("the product spec's names in the report context", () => {
  it("gives the period as start_date / end_date and each goal's progress as progress_percentage", () => {
    const context = sampleReportContext("progress_report");

    expect({ start: context.start_date, end: context.end_date }).toEqual(context.period);
    expect(context.goals.map((goal) => goal.progress_percentage)).toEqual(context.goals.map((goal) => goal.progress_percent));
    expect(sampleReportContext("treatment_summary")).toMatchObject({ period: null, start_date: null, end_date: null });
    expect(context.include_sections).toMatchObject({ goals: true, progress: true, medical_necessity: true, diagnosis: true });
    expect(context).toMatchObject({ claim_info: null, clinical_summary: null });
  });

  it("gives the insurance report the spec's claim_info and clinical_summary blocks", () => {
    const context = sampleReportContext("insurance_report");
    const claim = context.insurance!.claim;

    expect(context.claim_info).toEqual({
      provider_npi: claim.provider_npi,
      provider_name: claim.provider_name,
      patient_id: context.patient.member_id,
      diagnosis_codes: ["F33.1", "F41.1"],
      procedure_codes: ["90791", "90837"],
      service_dates: claim.service_lines.map((line) => line.date),
      total_units: claim.total_units,
    });
    const { presenting_problem, treatment_provided, progress, medical_necessity } = context.summary;
    expect(context.clinical_summary).toEqual({ presenting_problem, treatment_provided, progress, medical_necessity });
  });

  it("validates the spec's progress-report template strictly and renders it, unchanged, to PDF and DOCX", async () => {
    expect(await validateTemplateContent(SPEC_TEMPLATE, "progress_report")).toEqual({ ok: true });
    const context = sampleReportContext("progress_report");
    const html = await renderTemplateHtml(SPEC_TEMPLATE, context);
    const expected = ["Progress Report", "Patient: Jordan A. Rivera", "Period: 2026-01-01 - 2026-03-31", "Prepared by: Dana Whitfield, PhD, LP", "F33.1", "Generalized anxiety disorder", "Treatment Goals & Progress", "83%", "89%"];

    const text = pdfText(await renderDocument(html, "pdf", { title: "spec" }));
    if (text !== null) for (const part of expected) expect(text.replace(/\s+/g, " ")).toContain(part);
    const docx = docxText(readZipEntry(await renderDocument(html, "docx", { title: "spec" }), "word/document.xml")!);
    for (const part of expected) expect(docx.replace(/\s+/g, " ")).toContain(part);
    // The style sheet and the comment are not text.
    expect(docx).not.toMatch(/border-collapse|additional sections/);
  });
});
