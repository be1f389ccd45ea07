// Incremental Bulk Data exports: `_since=last_successful_run` asks for what changed since the
// caller's last export of the same kind that was delivered. Bulk Data is pulled, so "delivered"
// means completed and fetched: the watermark is the transactionTime of the caller's latest
// completed export (same client, level, Group and view) with at least one of its files downloaded.
// None yet: the export is full. An export that failed, was cancelled or never fetched does not move it.
import { prisma } from "@/lib/db/client";
import { BULK_JOB_KIND, ZBulkJobParameters } from "@/lib/fhir/bulk/bulk-types";

/** How far back the caller's completed exports are looked at (newest first). */
const CANDIDATES = 50;

export type TBulkExportKind = { userId: string; clientId: string | null; level: string; groupId: string | null; view: string };

export async function bulkWatermark(kind: TBulkExportKind): Promise<Date | null> {
  const jobs = await prisma.exportJob.findMany({
    where: { userId: kind.userId, kind: BULK_JOB_KIND, status: "COMPLETED" },
    orderBy: { createdAt: "desc" },
    take: CANDIDATES,
    select: { id: true, parameters: true },
  });
  for (const job of jobs) {
    const parsed = ZBulkJobParameters.safeParse(job.parameters);
    if (!parsed.success) continue;
    const params = parsed.data;
    if (params.clientId !== kind.clientId || params.level !== kind.level || params.groupId !== kind.groupId || params.view !== kind.view) continue;
    const fetched = await prisma.exportAuditLog.count({ where: { action: "downloaded", exportJobId: job.id } });
    if (fetched > 0) return new Date(params.transactionTime);
  }

  return null;
}
