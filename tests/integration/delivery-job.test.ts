// The delivery job kind under interruption, and payload checks of the typed job kinds. A real
// worker process is killed (SIGKILL) in the middle of a delivery to a real SMTP server and to a
// webhook receiver that hold the request; the job's lease runs out and another worker takes the
// job over. Each run ends delivered exactly once, or failed and saying why. Also: a worker that
// lost its lease mid-delivery records nothing; payloads are checked when queued and when claimed.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { WEBHOOK_DELIVERY_HEADER } from "@/lib/delivery/webhook";
import { resetEnvCache } from "@/lib/env";
import { claimNextJob } from "@/lib/jobs/claim-job";
import { DELIVERY_JOB_KIND } from "@/lib/jobs/definitions/delivery";
import { enqueueJob, InvalidJobPayloadError } from "@/lib/jobs/enqueue-job";
import { runClaimedJob } from "@/lib/jobs/run-job";
import { drainJobs } from "@/lib/jobs/runner";
import { FINISHED_DELIVERY_RETENTION_DAYS, sweepFinishedDeliveries } from "@/lib/jobs/sweep-finished-deliveries";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

import { createPatient, createUser } from "../setup/fixtures";
import { completeJobQueueingDelivery, progressReportSchedule, runDeliveries, therapistWithPatient } from "./schedule-helpers";

const PDF = Buffer.from("%PDF-1.4\n% a report delivered once\n");
let slot = 0;

type THeldRequest = { deliveryId: string; respond: (status: number) => void };
let smtp: SMTPServer;
/** Every message whose DATA began, finished or not. */
let smtpDataStarted = 0;
let smtpCompleted = 0;
/** While set, the SMTP server takes the message and never answers (the sender waits). */
let holdSmtp = false;
/** Messages to these recipients are held the same way. */
const holdRecipients = new Set<string>();
let receiver: Server;
let receiverUrl = "";
const webhookHits: THeldRequest[] = [];
/** How many of the next webhook requests are held unanswered (until `respond`). */
let holdWebhooks = 0;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      smtpDataStarted += 1;
      const isHeld = holdSmtp || session.envelope.rcptTo.some((recipient) => holdRecipients.has(recipient.address));
      stream.on("data", () => undefined);
      stream.on("end", () => {
        if (isHeld) return; // never answered: the sender is stuck mid-send
        smtpCompleted += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  Object.assign(process.env, { SMTP_HOST: "127.0.0.1", SMTP_PORT: String((smtp.server.address() as AddressInfo).port), SMTP_SECURE: "false" });
  resetEnvCache();

  receiver = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.on("data", () => undefined);
    request.on("end", () => {
      const hit = { deliveryId: String(request.headers[WEBHOOK_DELIVERY_HEADER.toLowerCase()]), respond: (status: number) => response.writeHead(status).end() };
      webhookHits.push(hit);
      if (holdWebhooks > 0) holdWebhooks -= 1;
      else hit.respond(200);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

beforeEach(async () => {
  await prisma.scheduledReport.updateMany({ data: { isActive: false, pausedReason: "test isolation" } });
  smtpDataStarted = 0;
  smtpCompleted = 0;
  holdSmtp = false;
  holdRecipients.clear();
  webhookHits.length = 0;
  holdWebhooks = 0;
});

/** A schedule of `method` with one run whose export completed and whose delivery job is queued. */
async function runAwaitingDelivery(overrides: Record<string, unknown>, options: { byAdmin?: boolean } = {}) {
  // An admin may send to recipients other than themself.
  const { actor, patient } = options.byAdmin ? { actor: (await createUser({ role: "ADMIN" })).actor, patient: await createPatient() } : await therapistWithPatient();
  // Each test its own day, so the slots never collide.
  slot += 1;
  const day = String(slot).padStart(2, "0");
  const schedule = await createSchedule(actor, progressReportSchedule(patient.id, overrides), { now: new Date(`2026-10-${day}T00:00:00Z`) });
  const tick = await runSchedulerTick(new Date(`2026-10-${day}T08:00:00Z`));
  const started = tick.runs.find((run) => run.scheduleId === schedule.id)!;
  const delivery = await completeJobQueueingDelivery(started.jobId!, PDF);

  return { schedule, runId: started.runId, delivery };
}

type TWorker = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** A separate worker process that claims the delivery job and runs it. */
function startDeliveryWorker(workerId: string): TWorker {
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
  const child = spawn(tsx, ["tests/setup/run-delivery-job.ts", workerId], { env: process.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  return { child, output: () => output, exited };
}

async function waitFor(condition: () => boolean | Promise<boolean>, message: () => string, timeoutMs = 45_000) {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The killed worker's lease runs out (as it would JOB_LEASE_SECONDS later). */
async function expireLease(jobId: string) {
  await prisma.exportJob.update({ where: { id: jobId }, data: { leaseExpiresAt: new Date(Date.now() - 1_000) } });
}

const deliveryAudits = (scheduleId: string) => prisma.exportAuditLog.findMany({ where: { scheduleId, action: { in: ["delivery_succeeded", "delivery_failed"] } }, orderBy: { seq: "asc" } });

describe("delivery job: a worker killed mid-delivery", () => {
  it("email: the message whose sending was interrupted is not sent again; the run fails and says why", { timeout: 90_000 }, async () => {
    const { schedule, runId, delivery } = await runAwaitingDelivery({ delivery_method: "email" });
    holdSmtp = true;
    const worker = startDeliveryWorker("doomed-mailer");
    await waitFor(() => smtpDataStarted === 1, () => `the worker never reached the SMTP server:\n${worker.output()}`);
    expect(worker.output()).toContain(`claimed ${delivery.id}`);
    worker.child.kill("SIGKILL");
    await worker.exited;
    holdSmtp = false;

    // Inside the killed worker's lease nobody takes the job; after it, another worker does.
    expect(await runDeliveries()).toEqual([]);
    await expireLease(delivery.id);
    expect(await runDeliveries()).toEqual(["completed"]);

    expect(smtpDataStarted).toBe(1);
    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/interrupted while sending to 1 recipient\(s\); the message may have arrived, so it was not sent again/);
    expect(run.deliveryLog).toMatchObject({ method: "email", ok: false, interrupted: 1, sent: 0, resumedAfterInterruption: true });
    expect((await deliveryAudits(schedule.id)).map((audit) => audit.action)).toEqual(["delivery_failed"]);
    expect(await prisma.exportJob.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ status: "COMPLETED", attempts: 2 });
  });

  it("email to two recipients: the message sent before the kill is not sent again, the interrupted one neither; the run says so", { timeout: 90_000 }, async () => {
    const { schedule, runId, delivery } = await runAwaitingDelivery({ delivery_method: "email", delivery_target: "first@example.org, second@example.org" }, { byAdmin: true });
    // The first message goes through; the worker is killed while the second one is being sent.
    holdRecipients.add("second@example.org");
    const worker = startDeliveryWorker("doomed-after-one");
    await waitFor(() => smtpDataStarted === 2, () => `the second message was never started:\n${worker.output()}`);
    worker.child.kill("SIGKILL");
    await worker.exited;
    holdRecipients.clear();

    await expireLease(delivery.id);
    expect(await runDeliveries()).toEqual(["completed"]);

    expect([smtpDataStarted, smtpCompleted]).toEqual([2, 1]);
    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.deliveryLog).toMatchObject({ method: "email", ok: false, recipients: 2, sent: 1, interrupted: 1 });
    expect((await deliveryAudits(schedule.id)).map((audit) => audit.action)).toEqual(["delivery_failed"]);
  });

  it("webhook: sent again after the kill with the same delivery id, delivered once", { timeout: 90_000 }, async () => {
    const { schedule, runId, delivery } = await runAwaitingDelivery({ delivery_method: "webhook", delivery_target: receiverUrl });
    holdWebhooks = 1;
    const worker = startDeliveryWorker("doomed-poster");
    await waitFor(() => webhookHits.length === 1, () => `the worker never reached the webhook:\n${worker.output()}`);
    worker.child.kill("SIGKILL");
    await worker.exited;

    await expireLease(delivery.id);
    expect(await runDeliveries()).toEqual(["completed"]);

    // Both requests carry the run's delivery id, so a receiver keeps one.
    expect(webhookHits.map((hit) => hit.deliveryId)).toEqual([runId, runId]);
    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("delivered");
    expect(run.deliveryLog).toMatchObject({ method: "webhook", ok: true, deliveryId: runId, resumedAfterInterruption: true });
    expect((await deliveryAudits(schedule.id)).map((audit) => audit.action)).toEqual(["delivery_succeeded"]);
  });

  it("a worker that lost the delivery's lease mid-delivery records nothing; the worker that took over records the outcome once", { timeout: 90_000 }, async () => {
    const { schedule, runId, delivery } = await runAwaitingDelivery({ delivery_method: "webhook", delivery_target: receiverUrl });
    holdWebhooks = 1;
    const claimed = await claimNextJob("slow-worker", new Date(), { kinds: [DELIVERY_JOB_KIND] });
    expect(claimed?.id).toBe(delivery.id);
    const slow = runClaimedJob(claimed!, "slow-worker");
    await waitFor(() => webhookHits.length === 1, () => "the slow worker never reached the webhook");

    await expireLease(delivery.id);
    expect(await runDeliveries()).toEqual(["completed"]);
    webhookHits[0]!.respond(200);

    expect(await slow).toBe("lost");
    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("delivered");
    expect((await deliveryAudits(schedule.id)).map((audit) => audit.action)).toEqual(["delivery_succeeded"]);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } })).consecutiveFailures).toBe(0);
    expect(await prisma.exportJob.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ status: "COMPLETED", attempts: 2 });
  });
});

describe("typed job kinds: payloads checked when queued and when claimed", () => {
  it("refuses a payload its kind's schema does not accept when queued, writing nothing", async () => {
    const { user } = await createUser({ role: "ANALYST" });
    const before = await prisma.exportJob.count();
    const enqueue = (payload: unknown) =>
      prisma.$transaction((tx) => enqueueJob(tx, { kind: "dataset", payload: payload as never, exportType: "dataset", format: "zip", userId: user.id }));

    await expect(enqueue({ tier: "everything", datasets: [] })).rejects.toThrow(InvalidJobPayloadError);
    await expect(enqueue({ tier: "everything", datasets: [] })).rejects.toThrow(/Invalid payload for a "dataset" job: tier: .*; datasets: /);
    expect(await prisma.exportJob.count()).toBe(before);
    expect(await prisma.exportAuditLog.count({ where: { action: "export_created", userId: user.id } })).toBe(0);
  });

  it("fails, for good and audited, a job whose stored payload no longer matches its schema; the worker carries on", async () => {
    const { user } = await createUser({ role: "ANALYST" });
    const broken = await prisma.exportJob.create({ data: { kind: "dataset", exportType: "dataset", format: "zip", userId: user.id, parameters: { tier: "anon", datasets: "patients", profile: "loose" } } });
    const tooNew = await prisma.exportJob.create({ data: { kind: "dataset", exportType: "dataset", format: "zip", userId: user.id, parameters: { tier: "anon", datasets: ["patients"], profile: null }, payloadVersion: 7 } });

    expect(await drainJobs("payload-checker", { kinds: ["dataset"] })).toEqual(["failed", "failed"]);

    const failed = await prisma.exportJob.findUniqueOrThrow({ where: { id: broken.id } });
    expect(failed).toMatchObject({ status: "FAILED", attempts: 1, leaseOwner: null });
    expect(failed.errorMessage).toBe('The job\'s stored payload does not match the "dataset" schema (datasets, profile), so it cannot run.');
    expect((await prisma.exportJob.findUniqueOrThrow({ where: { id: tooNew.id } })).errorMessage).toMatch(/payload is version 7, which this server cannot read \("dataset" payloads are version 1\)/);
    const audits = await prisma.exportAuditLog.findMany({ where: { action: "export_failed", exportJobId: { in: [broken.id, tooNew.id] } } });
    expect(audits).toHaveLength(2);
    expect(audits.every((audit) => audit.outcome === "failure")).toBe(true);
  });

  it("a delivery job whose payload cannot be read fails its run visibly, audited", async () => {
    const { schedule, runId, delivery } = await runAwaitingDelivery({ delivery_method: "storage", delivery_target: "unreadable" });
    await prisma.exportJob.update({ where: { id: delivery.id }, data: { parameters: { run: runId } } });

    expect(await runDeliveries()).toEqual(["failed"]);

    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^Delivery failed: The job's stored payload does not match the "delivery" schema/);
    const audits = await deliveryAudits(schedule.id);
    expect(audits.map((audit) => audit.action)).toEqual(["delivery_failed"]);
    expect(audits[0]!.metadata).toMatchObject({ runId, deliveryJobId: delivery.id });
  });

  it("types enqueueJob's payload by the kind", async () => {
    const { user } = await createUser({ role: "ANALYST" });
    await expect(
      prisma.$transaction((tx) =>
        // @ts-expect-error a delivery payload is { runId }, not a dataset request
        enqueueJob(tx, { kind: DELIVERY_JOB_KIND, payload: { tier: "anon", datasets: ["patients"] }, exportType: "delivery", format: "storage", userId: user.id }),
      ),
    ).rejects.toThrow(/Invalid payload for a "delivery" job/);
  });
});

describe("finished delivery jobs are swept after their retention", () => {
  it("deletes a delivery job ended more than the retention ago; keeps its run, the export job, the audit trail and unfinished deliveries", { timeout: 60_000 }, async () => {
    const { schedule, runId, delivery } = await runAwaitingDelivery({ delivery_method: "webhook", delivery_target: receiverUrl });
    expect(await runDeliveries()).toEqual(["completed"]);
    const waiting = await runAwaitingDelivery({ delivery_method: "webhook", delivery_target: receiverUrl });
    const finished = await prisma.exportJob.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(finished.status).toBe("COMPLETED");
    const run = await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("delivered");
    const auditsBefore = await prisma.exportAuditLog.count({ where: { scheduleId: schedule.id } });

    const days = (n: number) => new Date(finished.updatedAt.getTime() + n * 86_400_000);
    expect(await sweepFinishedDeliveries(days(FINISHED_DELIVERY_RETENTION_DAYS - 1))).toBe(0);
    // Past the retention: the finished one goes (with the earlier tests' finished deliveries in this
    // database); the one still queued, older than the cutoff too, stays.
    expect(await sweepFinishedDeliveries(days(FINISHED_DELIVERY_RETENTION_DAYS + 1))).toBeGreaterThanOrEqual(1);

    expect(await prisma.exportJob.findUnique({ where: { id: delivery.id } })).toBeNull();
    expect(await prisma.exportJob.findUniqueOrThrow({ where: { id: waiting.delivery.id } })).toMatchObject({ status: "PENDING" });
    expect(await prisma.scheduleRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "delivered", jobId: run.jobId });
    expect(await prisma.exportJob.findUniqueOrThrow({ where: { id: run.jobId! } })).toMatchObject({ status: "COMPLETED" });
    expect(await prisma.exportAuditLog.count({ where: { scheduleId: schedule.id } })).toBe(auditsBefore);
    expect(await sweepFinishedDeliveries(days(FINISHED_DELIVERY_RETENTION_DAYS + 1))).toBe(0);
  });
});
