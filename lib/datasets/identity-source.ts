// Patients' identifying fields for the export's scrubbers and its release scan, read through the
// driver like the rows themselves (sql-source.ts). Through Prisma, each batch of ids cost ~4x the
// query (a plan per list length, results decoded in JavaScript), and at 20,000 patients those
// batches were most of the garbage that grew the heap while an export ran on PostgreSQL.

import { PATIENT_IDENTITY_FIELDS, type TPatientIdentitySource } from "@/lib/anonymize/patient-identity";
import { isPostgres } from "@/lib/db/client";
import { connectPostgres, openSqliteReadOnly, queryRows } from "@/lib/db/direct-connection";

const COLUMNS = PATIENT_IDENTITY_FIELDS.map((field) => `"${field}"`).join(", ");

export type TIdentitySource = {
  /** The patients among `ids` (unknown ids are skipped). */
  byIds(ids: string[]): Promise<TPatientIdentitySource[]>;
  /** Up to `limit` patients with id > afterId, in id order: every patient, a page at a time. */
  page(afterId: string, limit: number): Promise<TPatientIdentitySource[]>;
  close(): Promise<void>;
};

export async function openIdentitySource(): Promise<TIdentitySource> {
  if (isPostgres()) {
    const client = await connectPostgres();
    return {
      byIds: (ids) => queryRows<TPatientIdentitySource>(client, { text: `SELECT ${COLUMNS} FROM "Patient" WHERE "id" = ANY($1::text[])`, values: [ids] }),
      page: (afterId, limit) => queryRows<TPatientIdentitySource>(client, { text: `SELECT ${COLUMNS} FROM "Patient" WHERE "id" > $1 ORDER BY "id" LIMIT $2`, values: [afterId, limit] }),
      close: () => client.end(),
    };
  }

  const db = openSqliteReadOnly();
  const byIds = db.prepare<[string], TPatientIdentitySource>(`SELECT ${COLUMNS} FROM "Patient" WHERE "id" IN (SELECT "value" FROM json_each(?))`);
  const page = db.prepare<[string, number], TPatientIdentitySource>(`SELECT ${COLUMNS} FROM "Patient" WHERE "id" > ? ORDER BY "id" LIMIT ?`);
  return {
    byIds: async (ids) => byIds.all(JSON.stringify(ids)),
    page: async (afterId, limit) => page.all(afterId, limit),
    close: async () => void db.close(),
  };
}
