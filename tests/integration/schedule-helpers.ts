// Builders shared by the schedule-*.test.ts files (not a test file itself).
import { prisma } from "@/lib/db/client";
import { DELIVERY_JOB_KIND } from "@/lib/jobs/definitions/delivery";
import { runJobFinishedHooks } from "@/lib/jobs/job-finished-hooks";
import { drainJobs } from "@/lib/jobs/runner";
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

/** Runs the queued delivery jobs (only those: the export jobs the tests complete by hand stay queued). */
export function runDeliveries() {
  return drainJobs(`test-deliveries:${process.pid}`, { kinds: [DELIVERY_JOB_KIND] });
}

/**
 * What the worker does when a job ends well: the file stored, then the job completed and its
 * run's delivery queued in one transaction (the runner's job-finished hook); then the delivery job runs.
 */
export async function completeJob(jobId: string, content: Buffer, fileName = "progress_report.pdf", mimeType = "application/pdf") {
  const stored = await storeJobFile(jobId, content, fileName);
  await prisma.$transaction(async (tx) => {
    const job = await tx.exportJob.update({ where: { id: jobId }, data: completedData(stored, { fileName, mimeType, at: new Date() }) });
    await runJobFinishedHooks(tx, { id: jobId, kind: job.kind, status: "COMPLETED", scheduledReportId: job.scheduledReportId, userId: job.userId });
  });
  await runDeliveries();
}

async function storeJobFile(jobId: string, content: Buffer, fileName: string) {
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
  const fileKey = `${job.userId}/${job.id}/${fileName}`;

  return { fileKey, ...(await storage().put(fileKey, content)) };
}

function completedData(stored: { fileKey: string; size: number; checksum: string }, options: { fileName: string; mimeType: string; at: Date }) {
  return {
    status: "COMPLETED" as const,
    fileKey: stored.fileKey,
    fileName: options.fileName,
    mimeType: options.mimeType,
    fileSize: stored.size,
    checksum: stored.checksum,
    completedAt: options.at,
    updatedAt: options.at,
    expiresAt: new Date(options.at.getTime() + 86_400_000),
  };
}

/** The job completed and committed with no delivery queued: as a job that ended before deliveries were jobs (`at` backdates the commit). */
export async function completeJobWithoutHooks(jobId: string, content: Buffer, options: { fileName?: string; mimeType?: string; at?: Date } = {}) {
  const fileName = options.fileName ?? "progress_report.pdf";
  const stored = await storeJobFile(jobId, content, fileName);

  return prisma.exportJob.update({ where: { id: jobId }, data: completedData(stored, { fileName, mimeType: options.mimeType ?? "application/pdf", at: options.at ?? new Date() }) });
}

/** The export completed and its run's delivery queued in one transaction, as the runner does; the delivery job not run yet. Returns the delivery job. */
export async function completeJobQueueingDelivery(jobId: string, content: Buffer, at?: Date) {
  const job = await completeJobWithoutHooks(jobId, content, { at });
  await prisma.$transaction((tx) => runJobFinishedHooks(tx, { id: jobId, kind: job.kind, status: "COMPLETED", scheduledReportId: job.scheduledReportId, userId: job.userId }));
  const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { jobId } });

  return prisma.exportJob.findUniqueOrThrow({ where: { uniqueKey: `delivery:${run.id}` } });
}

/** What the worker does when a job fails for good: the job failed and its run's delivery queued in one transaction; then the delivery runs (and records the failed run). */
export async function failJob(jobId: string, message = "The export failed for a test.") {
  await prisma.$transaction(async (tx) => {
    const job = await tx.exportJob.update({ where: { id: jobId }, data: { status: "FAILED", errorMessage: message, completedAt: new Date() } });
    await runJobFinishedHooks(tx, { id: jobId, kind: job.kind, status: "FAILED", scheduledReportId: job.scheduledReportId, userId: job.userId });
  });
  await runDeliveries();
}

export async function runsOf(scheduleId: string) {
  return prisma.scheduleRun.findMany({ where: { scheduleId }, orderBy: { scheduledFor: "asc" } });
}
