// The release scan of a de-identified Bulk Data export, on the job's thread: it ran in a compute
// worker, which cost ~127 MB of RSS at 1,000,000 resources for no measured gain in CPU or wall time
// (BENCHMARKS.md, "bench:bulk memory"). The scanner derives its own terms from the stored Patient
// rows and resources (release-scan/scan-terms.ts), read through its own identity source, and reads
// each file back as stored (decrypted from the storage) before the manifest may name it.
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { ReleaseScanError, releaseScannerBuilder, type TReleaseScanner } from "@/lib/anonymize/release-scan";
import { openIdentitySource } from "@/lib/datasets/identity-source";
import { storage } from "@/lib/storage";

const IDENTITY_BATCH = 1_000;

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

/** Scans one type's files as stored with the export's scanner. */
export async function scanBulkFiles(built: { scanner: TReleaseScanner; patients: number }, files: { key: string; name: string }[]): Promise<TBulkScanResult> {
  try {
    for (const file of files) await built.scanner.scanStream(await storage().get(file.key), file.name);

    return { patients: built.patients, withheld: null };
  } catch (error) {
    if (error instanceof ReleaseScanError) return { patients: built.patients, withheld: { message: error.message, patientId: error.patientId } };
    throw error;
  }
}
