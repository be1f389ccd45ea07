// Patients' identifying fields for the export's scrubbers and its release scan, read through the
// driver like the rows themselves (sql-source.ts). Through Prisma, each batch of ids cost ~4x the
// query (a plan per list length, results decoded in JavaScript), and at 20,000 patients those
// batches were most of the garbage that grew the heap while an export ran on PostgreSQL.

import { PATIENT_IDENTITY_FIELDS, type TPatientIdentitySource } from "@/lib/anonymize/patient-identity";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import type { TScanSubject } from "@/lib/anonymize/release-scan";
import { connectPostgres, openSqliteReadOnly, queryRows } from "@/lib/db/direct-connection";
import { env, isPostgresUrl } from "@/lib/env";

const COLUMNS = PATIENT_IDENTITY_FIELDS.map((field) => `"${field}"`).join(", ");

export type TIdentitySource = {
  /** The patients among `ids` (unknown ids are skipped). */
  byIds(ids: string[]): Promise<TPatientIdentitySource[]>;
  /** Up to `limit` patients with id > afterId, in id order: every patient, a page at a time. */
  page(afterId: string, limit: number): Promise<TPatientIdentitySource[]>;
  close(): Promise<void>;
};

/** `url`: the database (default DATABASE_URL); compute workers are told it, and load no Prisma client. */
export async function openIdentitySource(url = env().DATABASE_URL): Promise<TIdentitySource> {
  if (isPostgresUrl(url)) {
    const client = await connectPostgres(url);
    return {
      byIds: (ids) => queryRows<TPatientIdentitySource>(client, { text: `SELECT ${COLUMNS} FROM "Patient" WHERE "id" = ANY($1::text[])`, values: [ids] }),
      page: (afterId, limit) => queryRows<TPatientIdentitySource>(client, { text: `SELECT ${COLUMNS} FROM "Patient" WHERE "id" > $1 ORDER BY "id" LIMIT $2`, values: [afterId, limit] }),
      close: () => client.end(),
    };
  }

  const db = openSqliteReadOnly(url);
  const byIds = db.prepare<[string], TPatientIdentitySource>(`SELECT ${COLUMNS} FROM "Patient" WHERE "id" IN (SELECT "value" FROM json_each(?))`);
  const page = db.prepare<[string, number], TPatientIdentitySource>(`SELECT ${COLUMNS} FROM "Patient" WHERE "id" > ? ORDER BY "id" LIMIT ?`);
  return {
    byIds: async (ids) => byIds.all(JSON.stringify(ids)),
    page: async (afterId, limit) => page.all(afterId, limit),
    close: async () => void db.close(),
  };
}

// Small pages: a page of rows (each with its stored resource) and the terms derived from it die young
// instead of being promoted while the scanner is built (1,000 a page: heap peak ~108 MB at 20,000 patients; 200: ~93).
const IDENTITY_BATCH = 250;

/**
 * The release scan's subjects, loaded a batch at a time into the scanner (tens of thousands of
 * patients: only the scanner's lookup maps stay in memory). "all": every patient but `excluded`
 * (a compute worker scanning partitions before the patients seen are known). Returns how many were added.
 */
export async function addScanSubjects(patientIds: Set<string> | "all", key: string, add: (subject: TScanSubject) => void, options: { url?: string; excluded?: ReadonlySet<string> } = {}): Promise<number> {
  const source = await openIdentitySource(options.url);
  let count = 0;
  const addRows = (rows: TPatientIdentitySource[]) => {
    // The scan derives its own terms from the stored row and resource (release-scan/scan-terms.ts).
    for (const row of rows) {
      if (options.excluded?.has(row.id)) continue;
      add({ row, pseudonym: pseudonymize(key, "patient", row.id) });
      count++;
    }
  };
  try {
    if (patientIds === "all") {
      for (let afterId = ""; ; ) {
        const rows = await source.page(afterId, IDENTITY_BATCH);
        addRows(rows);
        if (rows.length < IDENTITY_BATCH) break;
        afterId = rows[rows.length - 1]!.id;
      }
      return count;
    }
    const ids = [...patientIds];
    for (let index = 0; index < ids.length; index += IDENTITY_BATCH) addRows(await source.byIds(ids.slice(index, index + IDENTITY_BATCH)));

    return count;
  } finally {
    await source.close();
  }
}
