// The release scan of a de-identified Bulk Data export, run in a compute worker
// (lib/compute/tasks/bulk-release-scan.task.ts) while the job goes on writing the next type.
// The scanner derives its own terms from the stored Patient rows and resources (release-scan/scan-terms.ts),
// read here through the worker's own connection, and reads each file back as stored (decrypted
// from the storage) before the manifest may name it.
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { ReleaseScanError, releaseScannerBuilder, type TReleaseScanner } from "@/lib/anonymize/release-scan";
import { openIdentitySource } from "@/lib/datasets/identity-source";
import { storage } from "@/lib/storage";

const IDENTITY_BATCH = 1_000;

export type TBulkScanInput = {
  /** One export attempt: a worker builds its scanner once and reuses it for every type of the export. */
  exportKey: string;
  /** The export's pseudonym key (the job's own, so a worker started before a key change cannot name patients differently). */
  key: string;
  /** The internal ids of the patients the export covers; null: every patient. */
  patientIds: string[] | null;
  files: { key: string; name: string }[];
  /** The export's last scan: the worker lets go of its scanner afterwards. */
  isLast: boolean;
};

export type TBulkScanResult = {
  patients: number;
  /** Why the files were refused (the scan's own message, which names no value), or null when clean. */
  withheld: { message: string; patientId: string } | null;
};

/** The scanner for the patients an export covers, their identities loaded a batch at a time. */
export async function buildBulkScanner(patientIds: string[] | null, key: string): Promise<{ scanner: TReleaseScanner; patients: number }> {
  const builder = releaseScannerBuilder();
  const source = await openIdentitySource();
  let patients = 0;
  try {
    for (let offset = 0, afterId = ""; ; offset += IDENTITY_BATCH) {
      const rows = patientIds ? await source.byIds(patientIds.slice(offset, offset + IDENTITY_BATCH)) : await source.page(afterId, IDENTITY_BATCH);
      for (const row of rows) builder.add({ row, pseudonym: pseudonymize(key, "patient", row.id) });
      patients += rows.length;
      if (patientIds ? offset + IDENTITY_BATCH >= patientIds.length : rows.length < IDENTITY_BATCH) break;
      afterId = rows[rows.length - 1]!.id;
    }
  } finally {
    await source.close();
  }

  return { scanner: builder.build(), patients };
}

// One export's scanner per worker: a new export replaces the last one's.
let current: { exportKey: string; scanner: Promise<{ scanner: TReleaseScanner; patients: number }> } | null = null;

export async function scanBulkFiles(input: TBulkScanInput): Promise<TBulkScanResult> {
  if (current?.exportKey !== input.exportKey) current = { exportKey: input.exportKey, scanner: buildBulkScanner(input.patientIds, input.key) };
  const entry = current;
  const forget = () => {
    if (current === entry) current = null;
  };
  let built: Awaited<typeof entry.scanner>;
  try {
    built = await entry.scanner;
  } catch (error) {
    forget();
    throw error;
  }
  try {
    for (const file of input.files) await built.scanner.scanStream(await storage().get(file.key), file.name);

    return { patients: built.patients, withheld: null };
  } catch (error) {
    if (error instanceof ReleaseScanError) return { patients: built.patients, withheld: { message: error.message, patientId: error.patientId } };
    throw error;
  } finally {
    if (input.isLast) forget();
  }
}
