import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { getJobForActorOrThrow } from "@/lib/jobs/job-access";
import { toJobView } from "@/lib/reports/export-job-view";
import { getSettings } from "@/lib/settings/settings";

/** One of the actor's jobs (admins: any); someone else's answers 404 like a missing one. */
export async function getExportJob(actor: TActor, jobId: string, meta?: TRequestMeta | null, request?: Request | null) {
  const job = await getJobForActorOrThrow(actor, jobId, "job.read", meta);
  const patient = job.patientId ? await prisma.patient.findUnique({ where: { id: job.patientId }, select: { givenName: true, familyName: true } }) : null;
  const { link_lifetime_hours: linkLifetimeHours } = await getSettings();

  return toJobView(job, { linkLifetimeHours, request, patientName: patient ? `${patient.givenName} ${patient.familyName}` : null });
}
