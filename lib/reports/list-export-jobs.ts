import { z } from "zod";

import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { EXPORT_JOB_KINDS } from "@/lib/jobs/registry";
import { patientScope } from "@/lib/patients/patient-scope";
import { toJobView } from "@/lib/reports/export-job-view";
import { getSettings } from "@/lib/settings/settings";

const STATUSES = ["pending", "processing", "completed", "failed", "cancelled", "expired"] as const;

export const ZListExportJobsQuery = z.object({
  status: z.enum(STATUSES, { message: `must be one of ${STATUSES.join(", ")}` }).optional(),
  patient_id: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int("must be a whole number").min(1).max(200).default(50),
});

/** The actor's jobs, newest first (admins: everyone's, each with who requested it), with the patient's name for the list. */
export async function listExportJobs(actor: TActor, query: unknown, request?: Request | null) {
  const filters = parseOrThrow(ZListExportJobsQuery, query, "Invalid query");
  const jobs = await prisma.exportJob.findMany({
    where: {
      // Exports only: a scheduled run's delivery job is shown on its schedule's run, not here.
      kind: { in: [...EXPORT_JOB_KINDS] },
      ...(actor.role === "ADMIN" ? {} : { userId: actor.id }),
      ...(filters.status ? { status: filters.status.toUpperCase() as never } : {}),
      ...(filters.patient_id ? { patientId: filters.patient_id } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filters.limit,
  });
  const patientIds = [...new Set(jobs.map((job) => job.patientId).filter((id): id is string => Boolean(id)))];
  // Only patients the actor may still see are named: a therapist unassigned since the export keeps
  // the job in their list (to delete it) but no longer learns whom it was about.
  const patients = patientIds.length ? await prisma.patient.findMany({ where: { AND: [{ id: { in: patientIds } }, patientScope(actor)] }, select: { id: true, givenName: true, familyName: true } }) : [];
  const names = new Map(patients.map((patient) => [patient.id, `${patient.givenName} ${patient.familyName}`]));
  // Admins see everyone's jobs, so each row says who asked for it.
  const isAdmin = actor.role === "ADMIN";
  const ownerIds = isAdmin ? [...new Set(jobs.map((job) => job.userId))] : [];
  const owners = ownerIds.length ? await prisma.user.findMany({ where: { id: { in: ownerIds } }, select: { id: true, name: true, email: true } }) : [];
  const ownerById = new Map(owners.map((owner) => [owner.id, { name: owner.name, email: owner.email }]));
  const { link_lifetime_hours: linkLifetimeHours } = await getSettings();

  return {
    jobs: jobs.map((job) => {
      const isPatientVisible = !job.patientId || names.has(job.patientId);
      const view = toJobView(isPatientVisible ? job : { ...job, patientId: null }, {
        linkLifetimeHours,
        request,
        patientName: job.patientId ? (names.get(job.patientId) ?? null) : null,
        ...(isAdmin ? { requestedBy: ownerById.get(job.userId) ?? null } : {}),
      });

      // The file name may name the patient too; the file itself is refused (job.download).
      return isPatientVisible ? view : { ...view, file_name: null, download_url: null };
    }),
  };
}
