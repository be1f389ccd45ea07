import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors/app-error";
import { defaultReportPeriod, parseReportRequest } from "@/lib/reports/report-requests";

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.issues?.map((issue) => issue.path);
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("report request schemas", () => {
  it("defaults every include_section to true and the options to off", () => {
    const request = parseReportRequest("progress_report", { patient_id: "p1", start_date: "2026-01-01", end_date: "2026-01-31", format: "pdf", include_sections: { diagnosis: false } });
    expect(request).toMatchObject({
      include_sections: { patient_info: true, treatment_goals: true, goal_progress: true, assessments: true, session_summary: true, clinical_observations: true, recommendations: true, diagnosis: false },
      options: { include_transcript: false, include_ai_notes: false, include_action_items: false, scrub_third_party: false },
    });
    expect(parseReportRequest("treatment_summary", { patient_id: "p1", format: "docx", purpose: "transfer" })).toMatchObject({ include_sections: { prognosis: true } });
    expect(parseReportRequest("session_notes", { session_ids: ["s1"], format: "json" })).toMatchObject({ batch: "single" });
  });

  it("names the field of each problem", () => {
    expect(issuesOf(() => parseReportRequest("progress_report", { patient_id: "p1", start_date: "2026-02-30", end_date: "2026-01-31", format: "xls" }))).toEqual(["start_date", "format"]);
    expect(issuesOf(() => parseReportRequest("insurance_report", { patient_id: "p1", start_date: "2026-02-01", end_date: "2026-01-31", format: "csv" }))).toEqual(["end_date"]);
    expect(issuesOf(() => parseReportRequest("full_record", { patient_id: "p1", format: "fhir", include_sections: { typo: true } }))).toEqual(["include_sections"]);
    expect(issuesOf(() => parseReportRequest("session_notes", { session_ids: ["s1"], format: "pdf", batch: "tar" }))).toEqual(["batch"]);
    expect(issuesOf(() => parseReportRequest("treatment_summary", { format: "pdf", purpose: "records" }))).toEqual(["patient_id"]);
  });

  it("starts a report on the last 90 days, or on the 90 days up to a patient's latest session when care has paused", () => {
    const today = new Date("2026-11-23T15:00:00Z");
    expect(defaultReportPeriod("2026-11-01T10:00:00Z", today)).toEqual({ start: "2026-08-25", end: "2026-11-23" });
    expect(defaultReportPeriod(null, today)).toEqual({ start: "2026-08-25", end: "2026-11-23" });
    expect(defaultReportPeriod("2026-01-07T16:00:00Z", today)).toEqual({ start: "2025-10-09", end: "2026-01-07" });
  });
});
