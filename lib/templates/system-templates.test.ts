// The built-in templates: valid against the sample, and their PDF / DOCX carry what a
// clinician signs (practice, patient, period, sections, goal table, signature, PHI footer).
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { renderDocument } from "@/lib/render/render-document";
import { pdfText } from "@/lib/render/testing/pdf-text";
import { docxText, readZipEntry } from "@/lib/render/testing/read-docx";
import { REPORT_EXPORT_TYPES } from "@/lib/reports/report-requests";
import { renderTemplateHtml, validateTemplateContent } from "@/lib/templates/liquid";
import { sampleReportContext } from "@/lib/templates/sample-context";

const EXPECTED: Record<(typeof REPORT_EXPORT_TYPES)[number], string[]> = {
  session_notes: ["Session Note", "Subjective", "Assessment", "Plan", "Action Items", "Transcript"],
  progress_report: ["Progress Report", "2026-01-01 to 2026-03-31", "Goal Progress", "Baseline", "83%", "PHQ-9", "GAD-7", "Recommendations"],
  treatment_summary: ["Treatment Summary", "Records request", "Interventions Used", "Prognosis", "Behavioural activation"],
  full_record: ["Clinical Record", "Demographics", "Progress Notes", "Timeline", "F33.1"],
  insurance_report: ["Insurance Report", "Provider NPI", "XWP904471203", "F41.1", "90837", "Medical Necessity"],
};

const load = (type: string) => readFileSync(path.join(process.cwd(), "templates", `${type}.html.liquid`), "utf8");

describe("system templates", () => {
  it.each(REPORT_EXPORT_TYPES)("%s validates and renders to PDF and DOCX with the signed-document parts", async (type) => {
    const content = load(type);
    expect(await validateTemplateContent(content, type)).toEqual({ ok: true });
    const html = await renderTemplateHtml(content, sampleReportContext(type));

    const pdf = await renderDocument(html, "pdf", { title: type });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(pdf);
    if (text !== null) {
      const flat = text.replace(/\s+/g, " ");
      for (const expected of ["Lakeside Behavioral Health", "Jordan A. Rivera", "Dana Whitfield, PhD, LP", "NPI: 1234567893", "Confidential — contains protected health information", "Page 1 of", ...EXPECTED[type]]) {
        expect(flat).toContain(expected);
      }
    }

    const docx = await renderDocument(html, "docx", { title: type });
    const body = docxText(readZipEntry(docx, "word/document.xml") ?? "");
    for (const expected of ["Jordan A. Rivera", "Dana Whitfield, PhD, LP", ...EXPECTED[type]]) expect(body).toContain(expected);
  }, 20_000);

  it("the full record prints every treatment plan and every note of the sample, and certifies every plan", async () => {
    const context = sampleReportContext("full_record");
    expect(context.treatment_plans.map((plan) => plan.title)).toEqual(["Depression and anxiety: CBT treatment plan", "Initial assessment and stabilisation plan"]);
    const html = await renderTemplateHtml(load("full_record"), context);
    for (const text of ["Initial assessment and stabilisation plan", "Safety planning", "Depression and anxiety: CBT treatment plan", "Addendum: client phoned", "note without a session", "every treatment plan and all goals", "with third-party names, phone numbers and email addresses removed"]) {
      expect(html).toContain(text);
    }
    expect(html).not.toContain("earlier plans");
    expect(html).not.toContain("the current treatment plan");

    const text = pdfText(await renderDocument(html, "pdf", { title: "full_record" }));
    if (text !== null) {
      const flat = text.replace(/\s+/g, " ");
      for (const expected of ["Initial assessment and stabilisation plan (completed) · 2025-11-10 to 2026-01-05", "Depression and anxiety: CBT treatment plan (active) · 2026-01-06 to 2026-06-30 · current plan", "every treatment plan and all goals"]) {
        expect(flat).toContain(expected);
      }
    }
  }, 20_000);

  it("the sample is shaped like a built context: a session's note is its first note, claim lines name their provider", async () => {
    for (const type of REPORT_EXPORT_TYPES) {
      const context = sampleReportContext(type);
      expect(context.options.scrub_third_party).toBe(true);
      expect(context.treatment_plans[0]).toEqual(context.treatment_plan);
      for (const session of context.sessions) {
        const [first] = session.notes;
        expect(first).toBeDefined();
        expect(session.note).toEqual({ subjective: first!.subjective, objective: first!.objective, assessment: first!.assessment, plan: first!.plan });
        expect({ transcript: session.transcript, ai_notes: session.ai_notes, action_items: session.action_items }).toEqual({ transcript: first!.transcript, ai_notes: first!.ai_notes, action_items: first!.action_items });
        if (session.is_note_only) expect({ id: session.id, cpt_code: session.cpt_code, units: session.units }).toEqual({ id: first!.id, cpt_code: null, units: null });
      }
      expect(context.sessions.some((session) => session.notes.length === 2)).toBe(true);
    }
    const claim = sampleReportContext("insurance_report").insurance!.claim;
    expect(claim.service_lines.every((line) => line.provider_name === "Dana Whitfield, PhD, LP" && line.provider_npi === "1234567893")).toBe(true);
    expect(await renderTemplateHtml(load("insurance_report"), sampleReportContext("insurance_report"))).toContain("Dana Whitfield, PhD, LP (1234567893)");
  });

  it("honours include_sections: a section switched off is left out", async () => {
    const context = sampleReportContext("progress_report");
    context.include_sections = { ...context.include_sections, goal_progress: false, assessments: false };
    const html = await renderTemplateHtml(load("progress_report"), context);
    expect(html).not.toContain("Goal Progress");
    expect(html).not.toContain("Standardized Assessments");
    expect(html).toContain("Treatment Goals");
  });
});
