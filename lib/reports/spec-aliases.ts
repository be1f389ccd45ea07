// Adds the product spec's names to a finished report context (README "Product spec
// compatibility"). Computed from the final context, never kept apart, so a section switched off
// or a redaction applied to a field applies to its alias too.
import type { TReportContext, TReportContextWithAliases, TSpecClaimInfo } from "@/lib/reports/report-context.types";
import { withSectionAliases } from "@/lib/templates/section-catalog";

function claimInfoOf(claim: NonNullable<TReportContext["insurance"]>["claim"]): TSpecClaimInfo {
  const lines = [...claim.service_lines].sort((a, b) => a.date.localeCompare(b.date));

  return {
    provider_npi: claim.provider_npi,
    provider_name: claim.provider_name,
    patient_id: claim.member_id,
    diagnosis_codes: claim.diagnosis_codes,
    procedure_codes: [...new Set(lines.map((line) => line.cpt_code))],
    service_dates: [...new Set(lines.map((line) => line.date))],
    total_units: claim.total_units,
  };
}

export function withSpecAliases(context: TReportContext): TReportContextWithAliases {
  const { presenting_problem, treatment_provided, progress, medical_necessity } = context.summary;
  const isClaim = context.export_type === "insurance_report" && context.insurance !== null;

  return {
    ...context,
    include_sections: withSectionAliases(context.export_type, context.include_sections),
    start_date: context.period?.start ?? null,
    end_date: context.period?.end ?? null,
    goals: context.goals.map((goal) => ({ ...goal, progress_percentage: goal.progress_percent })),
    claim_info: isClaim ? claimInfoOf(context.insurance!.claim) : null,
    clinical_summary: isClaim ? { presenting_problem, treatment_provided, progress, medical_necessity } : null,
  };
}
