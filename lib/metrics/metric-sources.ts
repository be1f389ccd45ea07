// The closed set of sources a metric may be defined over, and each source's columns. A metric
// definition names only these; the compiler turns them into Prisma queries (bound parameters,
// known tables and fields), so no text an admin writes ever becomes SQL.
import type { TDb } from "@/lib/db/client";

export type TColumnType = "string" | "number" | "date" | "boolean" | "id";

/** One row as read for a metric: the selected fields, joined ones nested as Prisma returns them. */
export type TSourceRow = Record<string, unknown> & { id: string };

export type TSourceColumn = {
  type: TColumnType;
  description: string;
  /** The Prisma `select` that reads it. */
  select: Record<string, unknown>;
  read: (row: TSourceRow) => unknown;
  /** The Prisma `where` for one condition on it; absent: the column cannot be filtered on. */
  where?: (condition: Record<string, unknown>) => Record<string, unknown>;
};

export type TMetricSource = {
  name: string;
  description: string;
  /** The Prisma delegate read. */
  model: "practitioner" | "patient" | "encounter" | "questionnaireResponse" | "carePlan" | "observation" | "condition";
  columns: Record<string, TSourceColumn>;
  /** How a row belongs to an organization: the first is the default of `organization_from`. */
  organizations: Record<string, TSourceColumn>;
  location?: TSourceColumn;
};

/** A column of the row itself. */
const own = (field: string, type: TColumnType, description: string): TSourceColumn => ({
  type,
  description,
  select: { [field]: true },
  read: (row) => row[field] ?? null,
  where: (condition) => ({ [field]: condition }),
});

/** A column of a required relation (the patient of a record). */
const via = (relation: string, field: string, type: TColumnType, description: string): TSourceColumn => ({
  type,
  description,
  select: { [relation]: { select: { [field]: true } } },
  read: (row) => (row[relation] as Record<string, unknown> | null)?.[field] ?? null,
  where: (condition) => ({ [relation]: { is: { [field]: condition } } }),
});

const ofPatient = (field: string, type: TColumnType, description: string) => via("patient", field, type, description);

const PATIENT_ORGANIZATION = ofPatient("organizationId", "id", "The patient's organization.");

export const METRIC_SOURCES: TMetricSource[] = [
  {
    name: "practitioners",
    description: "Providers (FHIR Practitioner), one row each.",
    model: "practitioner",
    columns: {
      id: own("id", "id", "The provider."),
      active: own("active", "boolean", "Whether the provider is active."),
      credentials: own("credentials", "string", "Credentials (LCSW, PhD...)."),
      created_at: own("createdAt", "date", "When the record was first imported."),
    },
    organizations: { record: own("organizationId", "id", "The provider's organization.") },
  },
  {
    name: "patients",
    description: "Patients (clients), one row each.",
    model: "patient",
    columns: {
      id: own("id", "id", "The patient."),
      active: own("active", "boolean", "Whether the patient is active."),
      gender: own("gender", "string", "Administrative gender."),
      state: own("state", "string", "State of the home address."),
      district: own("district", "string", "District (county) of the home address, where the source has it."),
      language: own("language", "string", "Preferred language."),
      insurance_payer: own("insurancePayer", "string", "Insurance payer."),
      created_at: own("createdAt", "date", "When the record was first imported."),
    },
    organizations: { record: own("organizationId", "id", "The patient's organization.") },
  },
  {
    name: "encounters",
    description: "Encounters (sessions), one row each.",
    model: "encounter",
    columns: {
      id: own("id", "id", "The encounter."),
      patient_id: own("patientId", "id", "The patient seen."),
      practitioner_id: own("practitionerId", "id", "The provider."),
      status: own("status", "string", "FHIR status (finished, cancelled...)."),
      delivery_format: own("deliveryFormat", "string", "in-person, telehealth, phone or group."),
      cpt_code: own("cptCode", "string", "CPT code billed."),
      units: own("units", "number", "Units billed."),
      start_at: own("startAt", "date", "When the encounter started."),
    },
    organizations: {
      // The encounter's organization, else the patient's (imports do not always carry it).
      record: {
        type: "id",
        description: "The encounter's organization, else the patient's.",
        select: { organizationId: true, patient: { select: { organizationId: true } } },
        read: (row) => row.organizationId ?? (row.patient as { organizationId: string | null } | null)?.organizationId ?? null,
      },
    },
    location: own("locationId", "id", "Where the encounter took place."),
  },
  {
    name: "questionnaire_responses",
    description: "Questionnaire responses (PHQ-9, GAD-7, intake, referral screening, partner screening forms...), one row each.",
    model: "questionnaireResponse",
    columns: {
      id: own("id", "id", "The response."),
      patient_id: own("patientId", "id", "The patient who answered."),
      practitioner_id: own("practitionerId", "id", "The provider who recorded it."),
      practitioner_active: via("practitioner", "active", "boolean", "Whether the recording provider is active."),
      questionnaire: own("questionnaire", "string", 'The instrument\'s short key ("phq-9", "gad-7", "oral-cancer-screening"...).'),
      status: own("status", "string", "FHIR status (completed...)."),
      severity: own("severity", "string", "Severity band of a scored instrument."),
      total_score: own("totalScore", "number", "Total score of a scored instrument."),
      authored_at: own("authoredAt", "date", "When the response was authored."),
      patient_active: ofPatient("active", "boolean", "Whether the patient is active."),
      patient_state: ofPatient("state", "string", "State of the patient's home address."),
      patient_district: ofPatient("district", "string", "District (county) of the patient's home address."),
    },
    organizations: {
      patient: PATIENT_ORGANIZATION,
      practitioner: via("practitioner", "organizationId", "id", "The recording provider's organization."),
    },
  },
  {
    name: "care_plans",
    description: "Care plans other than treatment plans: referral services and the like, one row each.",
    model: "carePlan",
    columns: {
      id: own("id", "id", "The care plan."),
      patient_id: own("patientId", "id", "The patient."),
      category: own("category", "string", "The service's code."),
      title: own("title", "string", "The service's title."),
      // Read-only: a filter would have to mean "category, or title when there is none".
      service: { type: "string", description: "The service: its category, else its title.", select: { category: true, title: true }, read: (row) => row.category ?? row.title ?? null },
      status: own("status", "string", "Referral status: eligible, accepted, declined or completed."),
      created_at: own("createdAt", "date", "When the record was first imported."),
      patient_district: ofPatient("district", "string", "District (county) of the patient's home address."),
    },
    organizations: { patient: PATIENT_ORGANIZATION },
  },
  {
    name: "observations",
    description: "Observations (vitals, screening results recorded as observations), one row each.",
    model: "observation",
    columns: {
      id: own("id", "id", "The observation."),
      patient_id: own("patientId", "id", "The patient."),
      code: own("code", "string", "The observation's code."),
      code_system: own("codeSystem", "string", "The code's system (LOINC, SNOMED CT...)."),
      category: own("category", "string", "Category (vital-signs, survey...)."),
      status: own("status", "string", "FHIR status."),
      value_number: own("valueNumber", "number", "Numeric value."),
      effective_at: own("effectiveAt", "date", "When it was observed."),
    },
    organizations: { patient: PATIENT_ORGANIZATION },
  },
  {
    name: "conditions",
    description: "Diagnoses (FHIR Condition, ICD-10), one row each.",
    model: "condition",
    columns: {
      id: own("id", "id", "The condition."),
      patient_id: own("patientId", "id", "The patient."),
      icd10_code: own("icd10Code", "string", "ICD-10 code."),
      clinical_status: own("clinicalStatus", "string", "active, resolved..."),
      created_at: own("createdAt", "date", "When the record was first imported."),
    },
    organizations: { patient: PATIENT_ORGANIZATION },
  },
];

export const METRIC_SOURCE_NAMES = METRIC_SOURCES.map((source) => source.name);

export function findMetricSource(name: string) {
  return METRIC_SOURCES.find((source) => source.name === name) ?? null;
}

/**
 * Metrics are de-identified outputs: a patient who opted out of data sharing counts in no
 * numerator or denominator (lib/auth/policy.ts excludesOptedOutPatients). Every metric reads here.
 */
function consentWhere(source: TMetricSource): Record<string, unknown> {
  if (source.model === "patient") return { dataSharingOptOut: false };
  return "patient_id" in source.columns ? { patient: { is: { dataSharingOptOut: false } } } : {};
}

/** Keyset-paged reads of one source (memory grows with the metric's groups, not its rows). */
export async function* readSource(db: TDb, source: TMetricSource, sourceWhere: Record<string, unknown>, select: Record<string, unknown>, batchSize = 2_000): AsyncGenerator<TSourceRow[]> {
  const where = { AND: [sourceWhere, consentWhere(source)] };
  // The delegates share findMany's shape; Prisma's per-model types do not unify, hence the cast.
  const delegate = db[source.model] as unknown as { findMany(args: unknown): Promise<TSourceRow[]> };
  let afterId: string | null = null;
  for (;;) {
    const rows: TSourceRow[] = await delegate.findMany({ where: afterId ? { AND: [where, { id: { gt: afterId } }] } : where, orderBy: { id: "asc" }, take: batchSize, select: { ...select, id: true } });
    if (!rows.length) return;
    yield rows;
    if (rows.length < batchSize) return;
    afterId = rows[rows.length - 1]!.id;
  }
}
