// The Bulk Data export's rows, read through the driver rather than as Prisma's decoded objects
// (BENCHMARKS.md, "bench:bulk: rows through the driver"): at 1,000,000 resources Prisma's decoding
// was most of the job's CPU and most of the garbage that grew its heap between major GCs.
// Rows come out shaped as the serializers read them from Prisma (`findMany` with the REST API's
// ROW_INCLUDE, `raw` omitted): every scalar field decoded to Prisma's type (lib/datasets/sql-source.ts),
// and each to-one relation as `{ id }` (de-identified: the view only pseudonymizes the foreign key)
// or `{ id, fhirId }` from a join (identified), null without a foreign key.
//
// Two ways to pick the rows, one row shape:
// - `streamRows`: the whole selection as one statement (SQLite: a prepared statement iterated on a
//   read-only handle; PostgreSQL: a server-side cursor), for the exports whose filter this module
//   can say in SQL itself (the consent exclusion and `_since`): no patient scope, no `_typeFilter`.
// - `openRowsById`: any other selection (a patient scope, a Group, `_typeFilter`) keeps Prisma's
//   `where` for the ids of a batch, and reads that batch's rows by id.
import { isPostgres } from "@/lib/db/client";
import { connectPostgres, openSqliteReadOnly, queryRowObjects } from "@/lib/db/direct-connection";
import type { TFieldKind } from "@/lib/datasets/dataset-types";
import { decoderFor, PG_TYPES, pgCursorBatches, pgTimestamp, quote, sqliteStatementBatches, sqliteTimestamp } from "@/lib/datasets/sql-source";
import type { TSource } from "@/lib/fhir/api/resource-types";
import type { TRow } from "@/lib/fhir/api/search-resources";
import { ROW_INCLUDE } from "@/lib/fhir/api/serialize-rows";

type TModel = TSource["model"];
type TBulkTable = { table: string; fields: Record<string, TFieldKind> };

const text = (...names: string[]): Record<string, TFieldKind> => Object.fromEntries(names.map((name) => [name, "text" as const]));
const STAMPS = { createdAt: "date", updatedAt: "date" } as const;

/**
 * Every scalar field of each model the export reads this way, except `raw` (never read for it),
 * with its kind. A test compares these rows with Prisma's for every model, so a field added to
 * the schema but not here fails it. Treatment plans (a to-many relation, identified views only)
 * stay on Prisma.
 */
export const BULK_TABLES: Partial<Record<TModel, TBulkTable>> = {
  patient: {
    table: "Patient",
    fields: {
      ...text("fhirId", "mrn", "ssn", "medicaidId", "insurancePayer", "insuranceMemberId", "givenName", "middleName", "familyName", "preferredName", "birthDate", "gender", "phone", "mobilePhone", "email", "addressLine", "city", "district", "state", "postalCode", "country", "language", "maritalStatus", "emergencyContactName", "emergencyContactPhone", "organizationId", "generalPractitionerId"),
      active: "bool",
      dataSharingOptOut: "bool",
      ...STAMPS,
    },
  },
  encounter: { table: "Encounter", fields: { ...text("fhirId", "patientId", "practitionerId", "organizationId", "locationId", "status", "deliveryFormat", "cptCode", "cptDisplay", "reasonText"), units: "number", startAt: "date", endAt: "date", ...STAMPS } },
  observation: { table: "Observation", fields: { ...text("fhirId", "patientId", "encounterId", "code", "codeSystem", "display", "category", "valueString", "unit", "status"), valueNumber: "number", effectiveAt: "date", ...STAMPS } },
  condition: { table: "Condition", fields: { ...text("fhirId", "patientId", "icd10Code", "display", "clinicalStatus", "onsetDate", "recordedDate"), ...STAMPS } },
  questionnaireResponse: { table: "QuestionnaireResponse", fields: { ...text("fhirId", "patientId", "encounterId", "practitionerId", "questionnaire", "questionnaireUrl", "status", "severity"), authoredAt: "date", totalScore: "number", items: "json", ...STAMPS } },
  carePlan: { table: "CarePlan", fields: { ...text("fhirId", "patientId", "title", "category", "status", "intent", "description", "startDate", "endDate"), ...STAMPS } },
  goal: {
    table: "Goal",
    fields: { ...text("fhirId", "patientId", "treatmentPlanId", "description", "measure", "unit", "lifecycleStatus", "achievementStatus", "startDate", "targetDate"), baselineValue: "number", targetValue: "number", currentValue: "number", progressPercent: "number", ...STAMPS },
  },
  sessionNote: { table: "SessionNote", fields: { ...text("fhirId", "patientId", "encounterId", "practitionerId", "status", "subjective", "objective", "assessment", "plan", "transcript", "aiNotes"), noteDate: "date", actionItems: "json", isSigned: "bool", signedAt: "date", ...STAMPS } },
  practitioner: { table: "Practitioner", fields: { ...text("fhirId", "givenName", "familyName", "prefix", "npi", "credentials", "gender", "phone", "email", "organizationId"), active: "bool", ...STAMPS } },
  organization: { table: "Organization", fields: { ...text("fhirId", "name", "type", "phone", "email", "addressLine", "city", "state", "postalCode", "partOfId"), ...STAMPS } },
  location: { table: "Location", fields: { ...text("fhirId", "name", "organizationId", "phone", "addressLine", "city", "state", "postalCode"), ...STAMPS } },
};

/** The table each to-one relation of ROW_INCLUDE points at (its foreign key is `<relation>Id`). */
const RELATION_TABLES: Record<string, string> = { patient: "Patient", encounter: "Encounter", practitioner: "Practitioner", organization: "Organization", location: "Location", generalPractitioner: "Practitioner" };

export function readsThroughDriver(model: TModel): boolean {
  return model in BULK_TABLES && Object.keys(ROW_INCLUDE[model]).every((relation) => relation in RELATION_TABLES);
}

/** The export's own filter, which streamRows says in SQL: the consent exclusion and `_since`. */
export type TBulkRowFilter = { patientField: TSource["patientField"]; excludesOptedOut: boolean; since: Date | null };

function plan(model: TModel, isMasked: boolean) {
  const spec = BULK_TABLES[model];
  if (!spec) throw new Error(`${model} is not read through the driver.`);
  const relations = Object.keys(ROW_INCLUDE[model]);
  const provider = isPostgres() ? "pg" : "sqlite";
  const columns = ["id", ...Object.keys(spec.fields)].map((field) => `t.${quote(field)}`);
  const joins: string[] = [];
  // The identified view serves related resources by their FHIR ids: one LEFT JOIN per relation.
  if (!isMasked) {
    relations.forEach((relation, index) => {
      joins.push(`LEFT JOIN ${quote(RELATION_TABLES[relation]!)} AS r${index} ON r${index}."id" = t.${quote(`${relation}Id`)}`);
      columns.push(`r${index}."fhirId" AS ${quote(`${relation}.fhirId`)}`);
    });
  }
  const decodeFields = decoderFor(spec, provider);
  const decode = (row: Record<string, unknown>): TRow => {
    decodeFields(row);
    for (const relation of relations) {
      const id = row[`${relation}Id`] as string | null;
      if (isMasked) row[relation] = id ? { id } : null;
      else {
        row[relation] = id ? { id, fhirId: row[`${relation}.fhirId`] } : null;
        delete row[`${relation}.fhirId`];
      }
    }
    return row as TRow;
  };

  return { from: `SELECT ${columns.join(", ")} FROM ${quote(spec.table)} AS t ${joins.join(" ")}`, decode, provider };
}

/** Every row of the model the filter selects, in id order (as the Prisma path's keyset pages), a batch at a time. */
export function streamRows(model: TModel, isMasked: boolean, filter: TBulkRowFilter, batchSize: number): AsyncGenerator<TRow[]> {
  const { from, decode, provider } = plan(model, isMasked);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => (params.push(value), provider === "pg" ? `$${params.length}` : "?");
  // Prisma stores booleans as 0/1 on SQLite. The unary + keeps SQLite from answering a filter
  // through its column's index, which would leave the id order to a sort of the whole selection
  // (a temp B-tree before the first row); walked in id order, the filters are checked per row.
  const optedIn = provider === "pg" ? "false" : "0";
  const column = (name: string) => (provider === "pg" ? `t.${quote(name)}` : `+t.${quote(name)}`);
  if (filter.excludesOptedOut && filter.patientField === "id") where.push(`${column("dataSharingOptOut")} = ${optedIn}`);
  if (filter.excludesOptedOut && filter.patientField === "patientId") where.push(`${column("patientId")} IN (SELECT "id" FROM "Patient" WHERE "dataSharingOptOut" = ${optedIn})`);
  if (filter.since) where.push(provider === "pg" ? `t."updatedAt" > ${param(pgTimestamp(filter.since))}::timestamp` : `${column("updatedAt")} > ${param(sqliteTimestamp(filter.since))}`);
  const statement = `${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY t."id"`;

  return provider === "pg" ? pgCursorBatches(statement, params, decode, batchSize) : sqliteStatementBatches(statement, params, decode, batchSize);
}

/** Reads rows by id (in the order of the ids given; ids no longer there are skipped) on a connection of its own. */
export async function openRowsById(model: TModel, isMasked: boolean): Promise<{ read(ids: string[]): Promise<TRow[]>; close(): Promise<void> }> {
  const { from, decode, provider } = plan(model, isMasked);
  const inOrder = (ids: string[], rows: TRow[]) => {
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  };
  if (provider === "pg") {
    const client = await connectPostgres();
    const text = `${from} WHERE t."id" = ANY($1::text[])`;
    return {
      read: async (ids) => inOrder(ids, (await queryRowObjects(client, { text, values: [ids], types: PG_TYPES })).map(decode)),
      close: () => client.end(),
    };
  }
  const db = openSqliteReadOnly();
  const statement = db.prepare<[string], Record<string, unknown>>(`${from} WHERE t."id" IN (SELECT "value" FROM json_each(?))`);
  return {
    read: async (ids) => inOrder(ids, statement.all(JSON.stringify(ids)).map(decode)),
    close: async () => void db.close(),
  };
}
