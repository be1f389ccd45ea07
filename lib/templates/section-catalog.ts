// The catalog of report sections: for each export type, the sections its include_sections switch
// (our names, as the export requests take them) and the product spec's names for them, accepted
// as aliases. The spec's own template example toggles `include_sections.goals`, and its
// POST /templates example sends `progress` and `medical_necessity`; they mean sections we have
// under other names, so they map onto ours instead of being refused or stored twice.
import { invalidInput } from "@/lib/errors/app-error";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { FULL_RECORD_SECTIONS, PROGRESS_REPORT_SECTIONS, TREATMENT_SUMMARY_SECTIONS } from "@/lib/reports/report-requests";

export type TSection = { name: string; description: string };

/** A spec name standing for one or more of our sections: on if any of them is on. */
export type TSectionAlias = { name: string; sections: readonly string[]; description: string };

export type TSectionCatalogEntry = { sections: readonly TSection[]; aliases: readonly TSectionAlias[] };

const PROGRESS_REPORT_DESCRIPTIONS: Record<(typeof PROGRESS_REPORT_SECTIONS)[number], string> = {
  patient_info: "Demographics and contact details",
  treatment_goals: "The treatment plan and its goals",
  goal_progress: "Baseline, current value and progress of each goal",
  assessments: "Questionnaire scores (PHQ-9, GAD-7 …) and their trends",
  session_summary: "The sessions of the period",
  clinical_observations: "Observations recorded in the period",
  recommendations: "Recommendations, prognosis and the medical-necessity statement",
  diagnosis: "Diagnoses (ICD-10)",
};

const TREATMENT_SUMMARY_DESCRIPTIONS: Record<(typeof TREATMENT_SUMMARY_SECTIONS)[number], string> = {
  diagnosis: "Diagnoses and the presenting problem",
  treatment_plan: "The treatment plan",
  interventions_used: "Interventions and the treatment provided",
  progress_summary: "Goals, scores, the progress summary and the medical-necessity statement",
  prognosis: "Prognosis",
};

const FULL_RECORD_DESCRIPTIONS: Record<(typeof FULL_RECORD_SECTIONS)[number], string> = {
  demographics: "Demographics, identifiers and contact details",
  treatment_plans: "Every treatment plan and its goals",
  sessions: "Sessions (encounters)",
  notes: "Every clinical note",
  assessments: "Questionnaire scores and observations",
  timeline: "The timeline of the record",
  attachments: "Attachments (none are held in this system)",
};

function sectionsOf<K extends string>(descriptions: Record<K, string>, order: readonly K[]): TSection[] {
  return order.map((name) => ({ name, description: descriptions[name] }));
}

export const SECTION_CATALOG: Record<TReportExportType, TSectionCatalogEntry> = {
  session_notes: { sections: [], aliases: [] },
  progress_report: {
    sections: sectionsOf(PROGRESS_REPORT_DESCRIPTIONS, PROGRESS_REPORT_SECTIONS),
    aliases: [
      { name: "goals", sections: ["treatment_goals", "goal_progress"], description: "The spec's goals table (goal, baseline, current, progress)" },
      { name: "progress", sections: ["goal_progress"], description: "The spec's progress section" },
      { name: "medical_necessity", sections: ["recommendations"], description: "The spec's medical-necessity section (summary.medical_necessity)" },
    ],
  },
  treatment_summary: {
    sections: sectionsOf(TREATMENT_SUMMARY_DESCRIPTIONS, TREATMENT_SUMMARY_SECTIONS),
    aliases: [
      { name: "goals", sections: ["progress_summary"], description: "The spec's goals table" },
      { name: "progress", sections: ["progress_summary"], description: "The spec's progress section" },
      { name: "medical_necessity", sections: ["progress_summary"], description: "The spec's medical-necessity section (summary.medical_necessity)" },
    ],
  },
  full_record: {
    sections: sectionsOf(FULL_RECORD_DESCRIPTIONS, FULL_RECORD_SECTIONS),
    aliases: [
      { name: "patient_info", sections: ["demographics"], description: "The spec's patient information section" },
      { name: "goals", sections: ["treatment_plans"], description: "The spec's goals section" },
    ],
  },
  insurance_report: { sections: [], aliases: [] },
};

/** The catalog as the template API lists it (GET /api/v1/export/templates), for one export type or all. */
export function sectionCatalogFor(exportType?: TReportExportType): Partial<Record<TReportExportType, TSectionCatalogEntry>> {
  return exportType ? { [exportType]: SECTION_CATALOG[exportType] } : SECTION_CATALOG;
}

/** Our section names for an export type, in catalog order. */
export function sectionNamesOf(exportType: TReportExportType): string[] {
  return SECTION_CATALOG[exportType].sections.map((section) => section.name);
}

/** The sections with the spec's alias names added, each on if any section it stands for is on. */
export function withSectionAliases(exportType: TReportExportType, sections: Record<string, boolean>): Record<string, boolean> {
  const aliases = (SECTION_CATALOG[exportType]?.aliases ?? []).map((alias) => [alias.name, alias.sections.some((name) => sections[name] === true)] as const);

  return { ...sections, ...Object.fromEntries(aliases) };
}

/**
 * A template's include_sections in our names: every known section on unless the body (or the
 * version before) says otherwise. A spec alias sets the sections it stands for that the body does
 * not set by name (narrower aliases first), and must then agree with them: `goals: false` beside
 * `goal_progress: true` is a 400 naming include_sections.goals, as is an unknown name — a typo must
 * not silently do nothing. What the API shows (ours with the aliases beside) can be sent back as is.
 */
export function resolveIncludeSections(exportType: TReportExportType, given: Record<string, boolean> | undefined, previous?: Record<string, boolean>) {
  const { aliases } = SECTION_CATALOG[exportType];
  const known = sectionNamesOf(exportType);
  const chosen = new Map<string, boolean>();
  const givenAliases: [TSectionAlias, boolean][] = [];
  for (const [name, value] of Object.entries(given ?? {})) {
    const alias = aliases.find((candidate) => candidate.name === name);
    if (known.includes(name)) chosen.set(name, value);
    else if (alias) givenAliases.push([alias, value]);
    else throw invalidInput(`include_sections.${name}`, unknownSectionReason(exportType));
  }
  givenAliases.sort(([a], [b]) => a.sections.length - b.sections.length);
  for (const [alias, value] of givenAliases) {
    for (const section of alias.sections) if (!chosen.has(section)) chosen.set(section, value);
  }
  const resolved = Object.fromEntries(known.map((name) => [name, chosen.get(name) ?? previous?.[name] ?? true]));

  for (const [alias, value] of givenAliases) {
    if (alias.sections.some((section) => resolved[section]) !== value) {
      const states = alias.sections.map((section) => `${section} ${resolved[section] ? "on" : "off"}`).join(", ");
      throw invalidInput(`include_sections.${alias.name}`, `is ${value}, but the sections it stands for are set otherwise in this request (${states})`);
    }
  }

  return resolved;
}

function unknownSectionReason(exportType: TReportExportType) {
  const { sections, aliases } = SECTION_CATALOG[exportType];
  if (!sections.length) return `${exportType} templates have no sections`;
  const aliasText = aliases.length ? `; the product spec's names ${aliases.map((alias) => `${alias.name} (= ${alias.sections.join(" + ")})`).join(", ")}` : "";

  return `unknown section for ${exportType}; known: ${sections.map((section) => section.name).join(", ")}${aliasText}`;
}
