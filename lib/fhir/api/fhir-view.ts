// How one caller sees resources: identified (therapists, admins: FHIR ids, real values) or
// de-identified (analysts). The de-identified view applies the datasets' own column policies
// (lib/datasets/clinical-tables.ts, through lib/anonymize) to every element it serves, so a
// resource's ids and references are the CSV datasets' pseudonyms (joinable), and a policy
// changed there changes here. An element whose column has no policy is left out (fail closed).
import { identityOf, PATIENT_IDENTITY_FIELDS, type TPatientIdentitySource } from "@/lib/anonymize/patient-identity";
import type { TScanSubject } from "@/lib/anonymize/release-scan";
import { applyPolicy, isColumnPolicy, type TAnonProfile, type TColumnPolicy, type TPolicyContext } from "@/lib/anonymize/profiles";
import { pseudonymize, type TPseudonymKind } from "@/lib/anonymize/pseudonym";
import { createTextScrubber, type TTextScrubber } from "@/lib/anonymize/scrub-text";
import { CLINICAL_TABLES } from "@/lib/datasets/clinical-tables";
import { QUESTIONNAIRE_TABLES } from "@/lib/datasets/questionnaire-tables";
import { prisma } from "@/lib/db/client";
import type { TMeta, TReference } from "@/lib/fhir/serialize/fhir-values";

/** The de-identification label every de-identified resource carries. */
export const PSEUDONYMIZED_LABEL = { system: "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", code: "PSEUDED", display: "pseudonymized" } as const;

/** A resource's id in the de-identified view: the datasets' pseudonym kind, or the internal id where the datasets keep it. */
export type TMaskedIdKind = TPseudonymKind | "internal";

/** The dataset table whose column policies a resource type follows in the de-identified view. */
export type TPolicyTable = "patient_anon" | "encounters" | "practitioners" | "organizations" | "locations" | "care_plans" | "conditions" | "observations" | "questionnaire_response";

function policyTables(): Map<string, Map<string, TColumnPolicy | undefined>> {
  const tables = new Map<string, Map<string, TColumnPolicy | undefined>>();
  for (const table of CLINICAL_TABLES) tables.set(table.anonName, new Map(table.columns.map((column) => [column.name, isColumnPolicy(column.policy) ? column.policy : undefined])));
  // Every questionnaire table shares its fixed columns (ids, status, authored date).
  const responses = QUESTIONNAIRE_TABLES[0];
  if (responses) tables.set("questionnaire_response", new Map(responses.columns.map((column) => [column.name, isColumnPolicy(column.policy) ? column.policy : undefined])));

  return tables;
}
const POLICIES = policyTables();

export function columnPolicy(table: TPolicyTable, column: string): TColumnPolicy | undefined {
  return POLICIES.get(table)?.get(column);
}

type TRowIds = { id: string; fhirId: string };

export type TFhirView = {
  readonly isMasked: boolean;
  readonly profile: TAnonProfile | null;
  /** The resource's id as this view serves it. */
  idOf(kind: TMaskedIdKind, row: TRowIds): string;
  /** A reference to another resource, by its internal id (masked) or FHIR id (identified). */
  ref(type: string, kind: TMaskedIdKind, target: { id: string | null; fhirId?: string | null } | null | undefined): TReference | null;
  /** A column's value under its dataset policy (identified: the value itself; masked: the policy's output, null when removed). */
  value(table: TPolicyTable, column: string, raw: unknown, patientId: string | null): unknown;
  /** Free text of a patient (questionnaire answers), scrubbed in the masked view. */
  text(value: string, patientId: string | null): string;
  /** A date of a patient as the profile keeps it (year or shifted). */
  date(value: string | Date | null | undefined, patientId: string | null): string | null;
  meta(updatedAt: Date): TMeta;
  /** The dataset policy context for one patient's row (masked view only; CSV output applies column policies with it). */
  policyContext(patientId: string | null): TPolicyContext | null;
  /** Loads what the masked view needs of these patients (scrubbers, the release scan's identities). */
  prepare(patientIds: Iterable<string>): Promise<void>;
  /** Every patient prepared so far, as the release scan reads them: the stored row and the pseudonym (masked view only). */
  scanSubjects(): TScanSubject[];
};

export const IDENTIFIED_VIEW: TFhirView = {
  isMasked: false,
  profile: null,
  idOf: (_kind, row) => row.fhirId,
  ref: (type, _kind, target) => (target?.fhirId ? { reference: `${type}/${target.fhirId}` } : null),
  value: (_table, _column, raw) => raw,
  text: (value) => value,
  date: (value) => (value instanceof Date ? value.toISOString() : (value ?? null)),
  meta: (updatedAt) => ({ lastUpdated: updatedAt.toISOString() }),
  policyContext: () => null,
  prepare: async () => undefined,
  scanSubjects: () => [],
};

export function identifiedView(): TFhirView {
  return IDENTIFIED_VIEW;
}

/**
 * Patients a masked view keeps loaded. A search page holds far fewer; a Bulk Data export keeps one
 * view for all its batches, so each patient's identity is loaded and derived once, not once per
 * batch (rows come in id order, so most batches touch most patients again).
 */
const MAX_PREPARED_PATIENTS = 25_000;
/** Pseudonyms of ids that recur across rows (a patient's or encounter's references): one HMAC each. */
const MAX_CACHED_PSEUDONYMS = 100_000;

/** `row` is let go once the scrubber is built unless the view keeps its scan subjects (the row incl. `raw` is ~1 KB, a parsed object on PostgreSQL). */
type TPreparedPatient = { row: TPatientIdentitySource | null; pseudonym: string; scrub: TTextScrubber | null };

/**
 * `keepsScanSubjects: false` for a view whose output is release-scanned by a scanner of its own (a
 * Bulk Data export's, in the compute pool): its prepared patients then keep only their scrubbers.
 */
export function maskedView(options: { key: string; profile: TAnonProfile; asOf: Date; maxPreparedPatients?: number; keepsScanSubjects?: boolean }): TFhirView {
  const maxPrepared = options.maxPreparedPatients ?? MAX_PREPARED_PATIENTS;
  const keepsScanSubjects = options.keepsScanSubjects ?? true;
  const patients = new Map<string, TPreparedPatient>();
  // One map per kind, keyed by the id itself: a `${kind}:${id}` key was another string per entry
  // (and one per lookup), at up to 100,000 entries.
  const pseudonyms = new Map<TMaskedIdKind, Map<string, string>>();
  let cachedPseudonyms = 0;
  const generic = createTextScrubber(null);
  // A patient's scrubber is built on first use: most rows (coded observations) hold no free text.
  const scrubberOf = (patientId: string | null): TTextScrubber => {
    const entry = patientId ? patients.get(patientId) : undefined;
    if (!entry) return generic;
    if (!entry.scrub) {
      entry.scrub = createTextScrubber(identityOf(entry.row!, entry.pseudonym));
      if (!keepsScanSubjects) entry.row = null;
    }
    return entry.scrub;
  };
  const context = (patientId: string | null): TPolicyContext => ({ profile: options.profile, key: options.key, asOf: options.asOf, patientId, scrub: scrubberOf(patientId) });
  const pseudonym = (kind: TMaskedIdKind, id: string) => (kind === "internal" ? id : pseudonymize(options.key, kind, id));
  // A resource's own id occurs once per export; the ids it refers to (its patient, its encounter) recur.
  const referencedPseudonym = (kind: TMaskedIdKind, id: string) => {
    if (kind === "internal") return id;
    let ofKind = pseudonyms.get(kind);
    let value = ofKind?.get(id);
    if (value === undefined) {
      if (cachedPseudonyms >= MAX_CACHED_PSEUDONYMS) {
        pseudonyms.clear();
        cachedPseudonyms = 0;
        ofKind = undefined;
      }
      if (!ofKind) pseudonyms.set(kind, (ofKind = new Map()));
      value = pseudonymize(options.key, kind, id);
      ofKind.set(id, value);
      cachedPseudonyms++;
    }
    return value;
  };

  return {
    isMasked: true,
    profile: options.profile,
    idOf: (kind, row) => pseudonym(kind, row.id),
    ref: (type, kind, target) => (target?.id ? { reference: `${type}/${referencedPseudonym(kind, target.id)}` } : null),
    value(table, column, raw, patientId) {
      const policy = columnPolicy(table, column);
      if (!policy || policy === "redact") return null;
      if (policy === "keep") return raw ?? null;
      if (raw === null || raw === undefined || raw === "") return null;

      return applyPolicy(policy, raw, context(patientId)) || null;
    },
    text: (value, patientId) => scrubberOf(patientId)(value),
    date: (value, patientId) => (value ? applyPolicy("patient_date", value, context(patientId)) || null : null),
    // No lastUpdated: when a patient's record changed is a date about them too.
    meta: () => ({ security: [{ ...PSEUDONYMIZED_LABEL }] }),
    policyContext: context,
    async prepare(patientIds) {
      const wanted = new Set(patientIds);
      // Evicting a patient this batch is about to use would leave their text to the generic scrubber.
      if (wanted.size > maxPrepared) throw new Error(`A masked view prepares at most ${maxPrepared} patients at a time.`);
      const missing = [...wanted].filter((id) => !patients.has(id));
      // Least recently used first: the batch's own patients are moved last, so an eviction below
      // spares them. Only when something will be evicted: each move is a delete and an insert, and
      // a Bulk export's batches (every patient prepared for the whole export) made the map rehash
      // its table again and again, hundreds of KB of old-generation garbage each time.
      if (patients.size + missing.length > maxPrepared) {
        for (const id of wanted) {
          const entry = patients.get(id);
          if (entry) {
            patients.delete(id);
            patients.set(id, entry);
          }
        }
      }
      if (!missing.length) return;
      const select = Object.fromEntries(PATIENT_IDENTITY_FIELDS.map((field) => [field, true])) as Record<(typeof PATIENT_IDENTITY_FIELDS)[number], true>;
      const rows: TPatientIdentitySource[] = await prisma.patient.findMany({ where: { id: { in: missing } }, select });
      for (const row of rows) {
        if (patients.size >= maxPrepared) patients.delete(patients.keys().next().value!);
        patients.set(row.id, { row, pseudonym: referencedPseudonym("patient", row.id), scrub: null });
      }
    },
    scanSubjects() {
      if (!keepsScanSubjects) throw new Error("This masked view does not keep its patients' rows for a release scan.");
      return [...patients.values()].map((entry) => ({ row: entry.row!, pseudonym: entry.pseudonym }));
    },
  };
}
