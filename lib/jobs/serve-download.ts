import { Readable } from "node:stream";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { paceDownload } from "@/lib/rate-limit/pace-download";
import { storage } from "@/lib/storage";

type TJobRow = Awaited<ReturnType<typeof prisma.exportJob.findUniqueOrThrow>>;

/** Types a browser shows itself: these may open in the tab ("inline") instead of being saved. */
const INLINE_TYPES = new Set(["application/pdf"]);

/**
 * Streams a completed job's file (decrypted) and audits the download. `isInline` asks for it to
 * open in the browser (a PDF); other types are always saved.
 */
export async function serveJobFile(job: TJobRow, downloader: { userId: string | null; via: "session" | "token" | "signed-link" }, meta?: TRequestMeta | null, isInline = false) {
  if (job.status === "EXPIRED" || (job.expiresAt && job.expiresAt.getTime() <= Date.now())) throw new AppError("GONE", "This export has expired and its file was deleted");
  if (job.status !== "COMPLETED" || !job.fileKey) throw new AppError("CONFLICT", `The export is not ready (status: ${job.status.toLowerCase()})`);

  const stream = await storage().get(job.fileKey);
  await recordAudit(null, {
    action: "downloaded",
    userId: downloader.userId ?? job.userId,
    actorLabel: downloader.userId ? null : "signed-link",
    exportJobId: job.id,
    patientId: job.patientId,
    metadata: { via: downloader.via, size: job.fileSize, sha256: job.checksum, ownerId: job.userId, ...(isInline ? { inline: true } : {}) },
    meta,
  });
  const safeName = (job.fileName ?? "export").replace(/[^A-Za-z0-9._-]/g, "_");

  // Paced against the budget of the person downloading (a signed link's: its owner's).
  const body = paceDownload(stream, downloader.userId ?? job.userId);

  return new Response(Readable.toWeb(body) as ReadableStream, {
    headers: {
      "Content-Type": job.mimeType ?? "application/octet-stream",
      "Content-Disposition": `${isInline && INLINE_TYPES.has(job.mimeType ?? "") ? "inline" : "attachment"}; filename="${safeName}"`,
      ...(job.fileSize !== null ? { "Content-Length": String(job.fileSize) } : {}),
      "Cache-Control": "no-store",
      "X-Content-SHA256": job.checksum ?? "",
    },
  });
}
