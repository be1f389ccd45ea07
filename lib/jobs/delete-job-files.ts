import { storage } from "@/lib/storage";

/** Deletes a job's stored files: its file, and for a Bulk Data export the NDJSON files its manifest names. */
export async function deleteJobFiles(job: { kind: string; fileKey: string | null }) {
  if (job.kind === "bulk") {
    const { deleteBulkFiles } = await import("@/lib/fhir/bulk/bulk-export-status");
    return deleteBulkFiles(job);
  }
  if (job.fileKey) await storage().delete(job.fileKey);
}
