import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";

/** A job the actor may see (own, or any for admins); foreign and missing are the same 404. */
export async function getJobForActorOrThrow(actor: TActor, jobId: string, action: "job.read" | "job.delete", meta?: TRequestMeta | null) {
  const job = await prisma.exportJob.findUnique({ where: { id: jobId } });
  await authorize(actor, { action, ownerId: job?.userId ?? "" }, { meta, exportJobId: job ? jobId : null });
  if (!job) throw new AppError("NOT_FOUND", "Not found");

  return job;
}
