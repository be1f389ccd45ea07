// The clinical tables every tier exports, and the masking policy of each of their columns.
// The anon tier applies the policy; the pii tier exports the same columns unmasked.
import type { TDatasetColumn, TFieldKind, TRow, TTableSource } from "@/lib/datasets/dataset-types";

/** The text fields of a model, for `fields`. */
const text = (...names: string[]): Record<string, TFieldKind> => Object.fromEntries(names.map((name) => [name, "text" as const]));

const field = (name: string) => (row: TRow) => row[name];
const byPatient = (row: TRow) => (row.patientId as string | null) ?? null;

export type TClinicalTable = {
  anonName: string;
  piiName: string;
  description: string;
  table: TTableSource;
  columns: TDatasetColumn[];
};

const col = (name: string, source: string, policy: TDatasetColumn["policy"], description: string, piiName?: string): TDatasetColumn => ({
  name,
  description,
  policy,
  value: field(source),
  ...(piiName ? { piiName } : {}),
});

export const CLINICAL_TABLES: TClinicalTable[] = [
  {
    anonName: "patient_anon",
    piiName: "patient",
    description: "One row per patient: demographics, with every direct identifier removed in the anon tier.",
    table: {
      model: "Patient",
      sql: { table: "Patient", orderByDate: null, sinceField: null, fields: { ...text("fhirId", "mrn", "ssn", "medicaidId", "insurancePayer", "insuranceMemberId", "givenName", "middleName", "familyName", "preferredName", "birthDate", "gender", "phone", "mobilePhone", "email", "addressLine", "city", "district", "state", "postalCode", "country", "language", "maritalStatus", "emergencyContactName", "emergencyContactPhone", "organizationId", "generalPractitionerId"), active: "bool" } },
      count: (db) => db.patient.count(),
      patientIdOf: (row) => row.id,
    },
    columns: [
      col("patient_id", "id", "pseudonymize:patient", "Patient pseudonym (keyed HMAC of the internal id; stable across exports)."),
      col("fhir_id", "fhirId", "redact", "FHIR resource id."),
      col("mrn", "mrn", "redact", "Medical record number."),
      col("ssn", "ssn", "redact", "Social security number."),
      col("medicaid_id", "medicaidId", "redact", "Medicaid number."),
      col("insurance_payer", "insurancePayer", "keep", "Insurance payer (organization) name."),
      col("insurance_member_id", "insuranceMemberId", "redact", "Insurance member number."),
      col("given_name", "givenName", "redact", "Given name."),
      col("middle_name", "middleName", "redact", "Middle name."),
      col("family_name", "familyName", "redact", "Family name."),
      col("preferred_name", "preferredName", "redact", "Preferred name."),
      col("age", "birthDate", "birth_date_to_age", "Age in whole years at export time; 90 and over as 90+ (identified tier: birth date).", "birth_date"),
      col("gender", "gender", "keep", "Administrative gender."),
      col("phone", "phone", "phone", "Phone (safe-harbor: removed; standard: last four digits)."),
      col("mobile_phone", "mobilePhone", "phone", "Mobile phone (as phone)."),
      col("email", "email", "redact", "E-mail address."),
      col("address_line", "addressLine", "redact", "Street address."),
      col("city", "city", "redact", "City."),
      col("district", "district", "redact", "District or county of the address, where the source has it (a geographic unit below the state: removed in the anon tier, as city)."),
      col("state", "state", "keep", "State."),
      col("zip3", "postalCode", "zip3", "First three ZIP digits as 123XX; low-population prefixes as 000XX (identified tier: ZIP code).", "postal_code"),
      col("country", "country", "keep", "Country."),
      col("language", "language", "keep", "Preferred language."),
      col("marital_status", "maritalStatus", "keep", "Marital status."),
      col("emergency_contact_name", "emergencyContactName", "redact", "Emergency contact's name."),
      col("emergency_contact_phone", "emergencyContactPhone", "phone", "Emergency contact's phone."),
      col("active", "active", "keep", "Whether the record is active."),
      col("organization_id", "organizationId", "keep", "Managing organization."),
      col("general_practitioner_id", "generalPractitionerId", "pseudonymize:practitioner", "Primary practitioner (pseudonym)."),
    ],
  },
  {
    anonName: "encounters",
    piiName: "encounters",
    description: "One row per encounter (session): when, how it was delivered, billing code.",
    table: {
      model: "Encounter",
      sql: { table: "Encounter", orderByDate: "startAt", sinceField: "startAt", fields: { ...text("patientId", "practitionerId", "organizationId", "locationId", "status", "deliveryFormat", "cptCode", "cptDisplay", "reasonText"), units: "number", startAt: "date", endAt: "date" } },
      count: (db, since) => db.encounter.count({ where: since ? { startAt: { gte: since } } : {} }),
      patientIdOf: byPatient,
    },
    columns: [
      col("encounter_id", "id", "pseudonymize:encounter", "Encounter pseudonym."),
      col("patient_id", "patientId", "pseudonymize:patient", "Patient pseudonym."),
      col("practitioner_id", "practitionerId", "pseudonymize:practitioner", "Practitioner pseudonym."),
      col("organization_id", "organizationId", "keep", "Organization."),
      col("location_id", "locationId", "keep", "Location."),
      col("status", "status", "keep", "Encounter status."),
      col("delivery_format", "deliveryFormat", "keep", "in-person | telehealth | phone | group."),
      col("cpt_code", "cptCode", "keep", "CPT code."),
      col("cpt_display", "cptDisplay", "keep", "CPT description."),
      col("units", "units", "keep", "Billed units."),
      col("start_date", "startAt", "patient_date", "Start (safe-harbor: year; standard: date shifted per patient).", "start_at"),
      col("end_date", "endAt", "patient_date", "End (as start).", "end_at"),
      col("reason_text", "reasonText", "free_text", "Reason for the visit, scrubbed of identifiers."),
    ],
  },
  {
    anonName: "practitioners",
    piiName: "practitioners",
    description: "One row per practitioner (provider).",
    table: {
      model: "Practitioner",
      sql: { table: "Practitioner", orderByDate: null, sinceField: null, fields: { ...text("givenName", "familyName", "npi", "credentials", "gender", "phone", "email", "organizationId"), active: "bool" } },
      count: (db) => db.practitioner.count(),
      patientIdOf: () => null,
    },
    columns: [
      col("practitioner_id", "id", "pseudonymize:practitioner", "Practitioner pseudonym."),
      col("given_name", "givenName", "redact", "Given name."),
      col("family_name", "familyName", "redact", "Family name."),
      col("npi", "npi", "redact", "National provider identifier."),
      col("credentials", "credentials", "keep", "Credentials, e.g. LCSW."),
      col("gender", "gender", "keep", "Gender."),
      col("phone", "phone", "redact", "Phone."),
      col("email", "email", "redact", "E-mail."),
      col("organization_id", "organizationId", "keep", "Organization."),
      col("active", "active", "keep", "Whether active."),
    ],
  },
  {
    anonName: "organizations",
    piiName: "organizations",
    description: "One row per organization (practice, clinic). Organizations are not patients: kept as is.",
    table: {
      model: "Organization",
      sql: { table: "Organization", orderByDate: null, sinceField: null, fields: text("name", "type", "city", "state", "postalCode", "partOfId") },
      count: (db) => db.organization.count(),
      patientIdOf: () => null,
    },
    columns: [
      col("organization_id", "id", "keep", "Organization id."),
      col("name", "name", "keep", "Name."),
      col("type", "type", "keep", "Type."),
      col("city", "city", "keep", "City."),
      col("state", "state", "keep", "State."),
      col("postal_code", "postalCode", "keep", "ZIP code."),
      col("part_of_id", "partOfId", "keep", "Parent organization."),
    ],
  },
  {
    anonName: "locations",
    piiName: "locations",
    description: "One row per service location.",
    table: {
      model: "Location",
      sql: { table: "Location", orderByDate: null, sinceField: null, fields: text("name", "organizationId", "city", "state", "postalCode") },
      count: (db) => db.location.count(),
      patientIdOf: () => null,
    },
    columns: [
      col("location_id", "id", "keep", "Location id."),
      col("name", "name", "keep", "Name."),
      col("organization_id", "organizationId", "keep", "Organization."),
      col("city", "city", "keep", "City."),
      col("state", "state", "keep", "State."),
      col("postal_code", "postalCode", "keep", "ZIP code."),
    ],
  },
  {
    anonName: "care_plans",
    piiName: "care_plans",
    description: "One row per care plan that is not a treatment plan: referral services and the like.",
    table: {
      model: "CarePlan",
      sql: { table: "CarePlan", orderByDate: null, sinceField: null, fields: text("patientId", "title", "category", "status", "intent", "description", "startDate", "endDate") },
      count: (db) => db.carePlan.count(),
      patientIdOf: byPatient,
    },
    columns: [
      col("care_plan_id", "id", "pseudonymize:care_plan", "Care plan pseudonym."),
      col("patient_id", "patientId", "pseudonymize:patient", "Patient pseudonym."),
      col("title", "title", "free_text", "Title (e.g. the referral service), scrubbed."),
      col("category", "category", "keep", "Category."),
      col("status", "status", "keep", "eligible | accepted | declined | completed | ..."),
      col("intent", "intent", "keep", "Intent."),
      col("description", "description", "free_text", "Description, scrubbed."),
      col("start_date", "startDate", "patient_date", "Start date (year or shifted)."),
      col("end_date", "endDate", "patient_date", "End date (year or shifted)."),
    ],
  },
  {
    anonName: "conditions",
    piiName: "conditions",
    description: "One row per diagnosis (ICD-10).",
    table: {
      model: "Condition",
      sql: { table: "Condition", orderByDate: null, sinceField: null, fields: text("patientId", "icd10Code", "display", "clinicalStatus", "onsetDate", "recordedDate") },
      count: (db) => db.condition.count(),
      patientIdOf: byPatient,
    },
    columns: [
      col("condition_id", "id", "pseudonymize:condition", "Condition pseudonym."),
      col("patient_id", "patientId", "pseudonymize:patient", "Patient pseudonym."),
      col("icd10_code", "icd10Code", "keep", "ICD-10 code."),
      col("display", "display", "keep", "Diagnosis."),
      col("clinical_status", "clinicalStatus", "keep", "Clinical status."),
      col("onset_date", "onsetDate", "patient_date", "Onset (year or shifted)."),
      col("recorded_date", "recordedDate", "patient_date", "Recorded (year or shifted)."),
    ],
  },
  {
    anonName: "observations",
    piiName: "observations",
    description: "One row per observation (scores, vitals, measures).",
    table: {
      model: "Observation",
      sql: { table: "Observation", orderByDate: null, sinceField: "effectiveAt", fields: { ...text("patientId", "encounterId", "code", "codeSystem", "display", "category", "valueString", "unit", "status"), valueNumber: "number", effectiveAt: "date" } },
      count: (db, since) => db.observation.count({ where: since ? { effectiveAt: { gte: since } } : {} }),
      patientIdOf: byPatient,
    },
    columns: [
      col("observation_id", "id", "pseudonymize:observation", "Observation pseudonym."),
      col("patient_id", "patientId", "pseudonymize:patient", "Patient pseudonym."),
      col("encounter_id", "encounterId", "pseudonymize:encounter", "Encounter pseudonym."),
      col("code_system", "codeSystem", "keep", "The code's system, e.g. http://loinc.org or http://snomed.info/sct (empty for rows imported before it was kept and not backfilled)."),
      col("code", "code", "keep", "The code (LOINC preferred, else the first coding with a code)."),
      col("display", "display", "keep", "The code's display text: what was observed."),
      col("category", "category", "keep", "Category."),
      col("value_number", "valueNumber", "keep", "Numeric value."),
      col("value_string", "valueString", "free_text", "Text value, scrubbed."),
      col("unit", "unit", "keep", "Unit."),
      col("status", "status", "keep", "Status."),
      col("effective_date", "effectiveAt", "patient_date", "When (year or shifted).", "effective_at"),
    ],
  },
];
