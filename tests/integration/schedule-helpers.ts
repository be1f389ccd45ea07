// Builders shared by the schedule-*.test.ts files (not a test file itself).
import { prisma } from "@/lib/db/client";
import { runJobFinishedHooks } from "@/lib/jobs/job-finished-hooks";
import { storage } from "@/lib/storage";

import { assignPatient, createPatient, createUser } from "../setup/fixtures";

export async function therapistWithPatient() {
  const therapist = await createUser({ role: "THERAPIST" });
  const patient = await createPatient();
  await assignPatient(therapist.user.id, patient.id);

  return { ...therapist, patient };
}

/** A progress-report schedule body for the API / createSchedule. */
export function progressReportSchedule(patientId: string, overrides: Record<string, unknown> = {}) {
  return {
    export_type: "progress_report",
    patient_id: patientId,
    schedule_type: "daily",
    schedule_config: { time: "08:00", timezone: "UTC" },
    parameters: { format: "pdf", period: "previous_7_days" },
    delivery_method: "storage",
    ...overrides,
  };
}

/** What the worker does when a job ends well: the file stored, the job completed, the hooks run. */
export async function completeJob(jobId: string, content: Buffer, fileName = "progress_report.pdf", mimeType = "application/pdf") {
  const job = await completeJobWithoutHooks(jobId, content, { fileName, mimeType });
  await runJobFinishedHooks({ id: jobId, status: "COMPLETED", scheduledReportId: job.scheduledReportId, userId: job.userId });
}

/** The job completed and committed, but the process stopped before its hooks ran (`at` backdates the commit). */
export async function completeJobWithoutHooks(jobId: string, content: Buffer, options: { fileName?: string; mimeType?: string; at?: Date } = {}) {
  const fileName = options.fileName ?? "progress_report.pdf";
  const at = options.at ?? new Date();
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
  const fileKey = `${job.userId}/${job.id}/${fileName}`;
  const stored = await storage().put(fileKey, content);

  return prisma.exportJob.update({
    where: { id: jobId },
    data: {
      status: "COMPLETED",
      fileKey,
      fileName,
      mimeType: options.mimeType ?? "application/pdf",
      fileSize: stored.size,
      checksum: stored.checksum,
      completedAt: at,
      updatedAt: at,
      expiresAt: new Date(at.getTime() + 86_400_000),
    },
  });
}

/** What the worker does when a job fails for good. */
export async function failJob(jobId: string, message = "The export failed for a test.") {
  const job = await prisma.exportJob.update({ where: { id: jobId }, data: { status: "FAILED", errorMessage: message, completedAt: new Date() } });
  await runJobFinishedHooks({ id: jobId, status: "FAILED", scheduledReportId: job.scheduledReportId, userId: job.userId });
}

export async function runsOf(scheduleId: string) {
  return prisma.scheduleRun.findMany({ where: { scheduleId }, orderBy: { scheduledFor: "asc" } });
}
