import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors/app-error";
import { resolveIncludeSections, sectionNamesOf, withSectionAliases } from "@/lib/templates/section-catalog";

function issueOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).issues?.[0];
  }
  throw new Error("expected a 400");
}

describe("include_sections of a template", () => {
  it("takes the product spec's POST /templates example: its section names map onto ours", () => {
    const sections = resolveIncludeSections("progress_report", { patient_info: true, diagnosis: true, treatment_goals: true, progress: true, medical_necessity: true });

    expect(Object.keys(sections)).toEqual(sectionNamesOf("progress_report"));
    expect(sections).toMatchObject({ patient_info: true, diagnosis: true, treatment_goals: true, goal_progress: true, recommendations: true });
  });

  it("switches every section an alias stands for, and keeps the previous version's choices otherwise", () => {
    expect(resolveIncludeSections("progress_report", { goals: false })).toMatchObject({ treatment_goals: false, goal_progress: false, diagnosis: true });
    expect(resolveIncludeSections("treatment_summary", { medical_necessity: false }, { prognosis: false })).toEqual({
      diagnosis: true,
      treatment_plan: true,
      interventions_used: true,
      progress_summary: false,
      prognosis: false,
    });
    expect(resolveIncludeSections("full_record", { patient_info: false })).toMatchObject({ demographics: false, notes: true });
  });

  it("refuses an unknown name with the field and the names it knows", () => {
    const issue = issueOf(() => resolveIncludeSections("progress_report", { diagnosis: true, billing: true }));
    expect(issue?.path).toBe("include_sections.billing");
    expect(issue?.message).toMatch(/unknown section for progress_report; known: patient_info, .*diagnosis; the product spec's names goals \(= treatment_goals \+ goal_progress\), progress \(= goal_progress\)/);

    expect(issueOf(() => resolveIncludeSections("insurance_report", { medical_necessity: true }))).toEqual({ path: "include_sections.medical_necessity", message: "insurance_report templates have no sections" });
  });

  it("refuses an alias that disagrees with the sections it stands for; a narrower alias or a section named outright wins otherwise", () => {
    expect(issueOf(() => resolveIncludeSections("progress_report", { progress: false, goal_progress: true }))).toEqual({
      path: "include_sections.progress",
      message: "is false, but the sections it stands for are set otherwise in this request (goal_progress on)",
    });
    expect(issueOf(() => resolveIncludeSections("progress_report", { goals: false, goal_progress: true }))?.path).toBe("include_sections.goals");
    expect(resolveIncludeSections("progress_report", { goals: true, progress: false })).toMatchObject({ treatment_goals: true, goal_progress: false });
    expect(resolveIncludeSections("progress_report", { goals: true, goal_progress: false })).toMatchObject({ treatment_goals: true, goal_progress: false });
  });

  it("takes back what the API shows (our names with the spec's beside them) unchanged", () => {
    const choices: Record<string, boolean>[] = [{}, { treatment_goals: false }, { goal_progress: false }, { treatment_goals: false, goal_progress: false, recommendations: false }];
    for (const choice of choices) {
      const stored = resolveIncludeSections("progress_report", choice);
      expect(resolveIncludeSections("progress_report", withSectionAliases("progress_report", stored))).toEqual(stored);
    }
    const summary = resolveIncludeSections("treatment_summary", { progress_summary: false });
    expect(resolveIncludeSections("treatment_summary", withSectionAliases("treatment_summary", summary))).toEqual(summary);
  });

  it("shows the spec's names beside ours, each on when any section it stands for is on", () => {
    const stored = resolveIncludeSections("progress_report", { goal_progress: false, recommendations: false });
    expect(withSectionAliases("progress_report", stored)).toMatchObject({ goal_progress: false, goals: true, progress: false, medical_necessity: false });
    expect(withSectionAliases("progress_report", { ...stored, treatment_goals: false })).toMatchObject({ goals: false });
    expect(withSectionAliases("insurance_report", {})).toEqual({});
  });
});
