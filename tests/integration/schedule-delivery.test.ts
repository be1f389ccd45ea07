// Delivery of scheduled runs: into the delivery directory, by email to a real SMTP server
// listening on loopback, and to a local webhook receiver that checks the signature.
import { readdir, readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { GET as datasetDownloadRoute } from "@/app/api/v1/datasets/exports/[id]/download/route";
import { GET as downloadRoute } from "@/app/api/v1/export/download/[id]/route";
import { GET as getJobRoute } from "@/app/api/v1/export/jobs/[id]/route";
import { prisma } from "@/lib/db/client";
import { verifyWebhookSignature } from "@/lib/delivery/webhook";
import { resetEnvCache } from "@/lib/env";
import { deliveryBaseDir } from "@/lib/schedules/deliver-scheduled-job";
import { patientFilePseudonym } from "@/lib/schedules/delivered-file-name";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";
import { webhookSecretFor } from "@/lib/schedules/webhook-secret";
import { updateSettings } from "@/lib/settings/settings";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { completeJob, progressReportSchedule, runsOf, therapistWithPatient } from "./schedule-helpers";

const at = (iso: string) => new Date(iso);
const PDF = Buffer.from("%PDF-1.4\n% a scheduled progress report\n");

type TMail = { to: string[]; raw: string };
let smtp: SMTPServer;
const mails: TMail[] = [];

type TWebhookHit = { headers: Record<string, string | string[] | undefined>; body: Buffer };
let receiver: Server;
let receiverUrl = "";
const hits: TWebhookHit[] = [];
/** Status codes the receiver answers with, in order; 200 once they run out. */
let plannedStatuses: number[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  Object.assign(process.env, { SMTP_HOST: "127.0.0.1", SMTP_PORT: String((smtp.server.address() as AddressInfo).port), SMTP_SECURE: "false" });
  resetEnvCache();

  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      hits.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.statusCode = plannedStatuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/careexport-hook`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

beforeEach(async () => {
  await prisma.scheduledReport.updateMany({ data: { isActive: false, pausedReason: "test isolation" } });
  mails.length = 0;
  hits.length = 0;
  plannedStatuses = [];
});

async function runOnce(schedule: { id: string }, now: string) {
  const tick = await runSchedulerTick(at(now));
  const run = tick.runs.find((r) => r.scheduleId === schedule.id)!;
  expect(run.status).toBe("queued");
  await completeJob(run.jobId!, PDF);

  return { run, job: await prisma.exportJob.findUniqueOrThrow({ where: { id: run.jobId! } }) };
}

describe("scheduled delivery", () => {
  it("writes the file to the delivery directory under YYYY/MM/DD with the pseudonymous report name", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { schedule_config: { time: "08:00", timezone: "Europe/Berlin" } }), {
      now: at("2026-11-30T12:00:00Z"),
    });

    await runOnce(schedule, "2026-12-01T07:00:00Z");

    const name = `progress_report_${patientFilePseudonym(patient.id)}_2026-12-01.pdf`;
    expect(name).not.toContain(patient.familyName);
    expect(await readFile(path.join(deliveryBaseDir(), "2026", "12", "01", name))).toEqual(PDF);
    const [run] = await runsOf(schedule.id);
    expect(run!.status).toBe("delivered");
    expect((run!.deliveryLog as { path: string }).path).toBe(`2026/12/01/${name}`);
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "delivery_succeeded", scheduleId: schedule.id } });
    expect(audit.exportJobId).toBe(run!.jobId);
    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.lastStatus).toBe("delivered");
  });

  it("keeps both files when two schedules deliver the same report for the same patient on the same day", async () => {
    const { actor, patient } = await therapistWithPatient();
    const morning = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_target: "same-day" }), { now: at("2026-11-30T12:00:00Z") });
    const evening = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_target: "same-day", schedule_config: { time: "18:00", timezone: "UTC" } }), {
      now: at("2026-12-01T09:00:00Z"),
    });
    const first = Buffer.from("%PDF-1.4\n% the morning report\n");
    const second = Buffer.from("%PDF-1.4\n% the evening report\n");

    const tick1 = await runSchedulerTick(at("2026-12-01T08:00:00Z"));
    await completeJob(tick1.runs.find((r) => r.scheduleId === morning.id)!.jobId!, first);
    const tick2 = await runSchedulerTick(at("2026-12-01T18:00:00Z"));
    await completeJob(tick2.runs.find((r) => r.scheduleId === evening.id)!.jobId!, second);

    const dir = path.join(deliveryBaseDir(), "same-day", "2026", "12", "01");
    const name = `progress_report_${patientFilePseudonym(patient.id)}_2026-12-01`;
    expect((await readdir(dir)).sort()).toEqual([`${name}-2.pdf`, `${name}.pdf`]);
    expect(await readFile(path.join(dir, `${name}.pdf`))).toEqual(first);
    expect(await readFile(path.join(dir, `${name}-2.pdf`))).toEqual(second);
    const [morningRun] = await runsOf(morning.id);
    const [eveningRun] = await runsOf(evening.id);
    expect((morningRun!.deliveryLog as { path: string }).path).toBe(`same-day/2026/12/01/${name}.pdf`);
    expect((eveningRun!.deliveryLog as { path: string }).path).toBe(`same-day/2026/12/01/${name}-2.pdf`);
  });

  it("keeps a storage sub-folder inside the delivery directory", async () => {
    const { actor, patient } = await therapistWithPatient();
    await expect(createSchedule(actor, progressReportSchedule(patient.id, { delivery_target: "../escape" }))).rejects.toMatchObject({ code: "INVALID_INPUT" });
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_target: "clinic-a" }), { now: at("2026-11-30T12:00:00Z") });

    await runOnce(schedule, "2026-12-01T08:00:00Z");

    const name = `progress_report_${patientFilePseudonym(patient.id)}_2026-12-01.pdf`;
    expect(await readFile(path.join(deliveryBaseDir(), "clinic-a", "2026", "12", "01", name))).toEqual(PDF);
  });

  it("emails a signed download link with no patient information to a real SMTP server", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_method: "email", parameters: { format: "pdf", period: "previous_7_days", email_attach_file: true } }), {
      now: at("2026-11-30T12:00:00Z"),
    });

    const { job } = await runOnce(schedule, "2026-12-01T08:00:00Z");

    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.to).toEqual([actor.email]);
    const flat = mail.raw.replace(/=\r\n/g, "");
    expect(flat).toMatch(/Subject: \[CareExport\] Scheduled report ready/);
    // Built on the configured public address (APP_URL), never a guessed localhost:3000.
    expect(flat).toContain(`http://127.0.0.1:3999/api/v1/export/download/${job.id}?expires=`);
    for (const phi of [patient.givenName, patient.familyName, patient.mrn!, patient.birthDate!]) expect(flat).not.toContain(phi);
    // Attachments are off in settings, so the schedule's wish for one is not granted.
    expect(flat).not.toMatch(/Content-Disposition: attachment/i);
    const [run] = await runsOf(schedule.id);
    expect(run!.status).toBe("delivered");
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "delivery_succeeded", scheduleId: schedule.id } });
    expect(audit.metadata).toMatchObject({ method: "email", attached: false, attachmentRefused: expect.any(String) });
  });

  it("attaches the file when an admin allows attachments and the schedule asks for it", async () => {
    const admin = await createUser({ role: "ADMIN" });
    await updateSettings({ email_attachments_allowed: true }, admin.user.id);
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_method: "email", parameters: { format: "pdf", period: "previous_7_days", email_attach_file: true } }), {
      now: at("2026-11-30T12:00:00Z"),
    });

    await runOnce(schedule, "2026-12-01T08:00:00Z");

    const flat = mails[0]!.raw.replace(/\r\n[ \t]+/g, " ");
    expect(flat).toMatch(/Content-Disposition: attachment; filename=progress_report_P-[0-9a-f]{12}_2026-12-01\.pdf/i);
    expect(flat).toContain(PDF.toString("base64").slice(0, 40));
    await updateSettings({ email_attachments_allowed: false }, admin.user.id);
  });

  it("records a failed email delivery and counts it as a failed run", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_method: "email" }), { now: at("2026-11-30T12:00:00Z") });
    const port = process.env.SMTP_PORT;
    Object.assign(process.env, { SMTP_PORT: "1" }); // nothing listens there
    resetEnvCache();
    try {
      await runOnce(schedule, "2026-12-01T08:00:00Z");
    } finally {
      Object.assign(process.env, { SMTP_PORT: port });
      resetEnvCache();
    }

    const [run] = await runsOf(schedule.id);
    expect(run!.status).toBe("failed");
    expect(run!.error).toMatch(/Delivery by email failed/);
    const row = await prisma.scheduledReport.findUniqueOrThrow({ where: { id: schedule.id } });
    expect(row.consecutiveFailures).toBe(1);
    expect(await prisma.exportAuditLog.count({ where: { action: "delivery_failed", scheduleId: schedule.id, outcome: "failure" } })).toBe(1);
  });

  it("posts a signed JSON notice without a signed link to a webhook, retrying after a 5xx, and records every attempt", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_method: "webhook", delivery_target: receiverUrl }), { now: at("2026-11-30T12:00:00Z") });
    expect(schedule.webhook_secret).toBe(webhookSecretFor(schedule.id));
    plannedStatuses = [503];

    const { job } = await runOnce(schedule, "2026-12-01T08:00:00Z");

    expect(hits).toHaveLength(2);
    for (const hit of hits) {
      expect(
        verifyWebhookSignature({ secret: schedule.webhook_secret!, timestamp: hit.headers["x-careexport-timestamp"] as string, body: hit.body, signature: hit.headers["x-careexport-signature"] as string }),
      ).toBe(true);
      expect(verifyWebhookSignature({ secret: "wrong-secret", timestamp: hit.headers["x-careexport-timestamp"] as string, body: hit.body, signature: hit.headers["x-careexport-signature"] as string })).toBe(false);
    }
    const notice = JSON.parse(hits[1]!.body.toString("utf8"));
    expect(notice).toMatchObject({ event: "scheduled_export.ready", schedule_id: schedule.id, job_id: job.id, sha256: job.checksum });
    expect(JSON.stringify(notice)).not.toContain(patient.familyName);
    // No signed link: a webhook may point anywhere, so the notice must not open the file by itself.
    expect(JSON.stringify(notice)).not.toMatch(/signature=|expires=/);
    expect(notice).not.toHaveProperty("expires_at");
    expect(notice.status_url).toBe(`http://127.0.0.1:3999/api/v1/export/jobs/${job.id}`);
    expect(notice.download_url).toBe(`http://127.0.0.1:3999/api/v1/export/download/${job.id}`);

    // The receiver needs the owner's API token: without it (or with someone else's) nothing is served.
    const download = (token?: string) => call(downloadRoute, { path: new URL(notice.download_url).pathname, token, params: { id: job.id } });
    expect((await download()).status).toBe(401);
    expect((await download(await tokenFor((await createUser({ role: "THERAPIST" })).user.id))).status).toBe(404);
    const fetched = await download(await tokenFor(actor.id));
    expect(fetched.status).toBe(200);
    expect(fetched.text).toBe(PDF.toString("utf8"));
    const status = await call(getJobRoute, { path: new URL(notice.status_url).pathname, token: await tokenFor(actor.id), params: { id: job.id } });
    expect(status.json).toMatchObject({ status: "completed" });

    const [run] = await runsOf(schedule.id);
    expect(run!.status).toBe("delivered");
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "delivery_succeeded", scheduleId: schedule.id } });
    const attempts = (audit.metadata as { attempts: { attempt: number; status?: number }[] }).attempts;
    expect(attempts.map((a) => a.status)).toEqual([503, 200]);
  });

  it("points a dataset schedule's email and webhook at the dataset download that needs the owner signed in, never a signed link", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const nightly = { dataset_export: { tier: "anon" }, schedule_type: "daily", schedule_config: { time: "02:00", timezone: "UTC" } };
    const mailed = await createSchedule(analyst.actor, { ...nightly, delivery_method: "email" }, { now: at("2026-11-30T12:00:00Z") });
    const hooked = await createSchedule(analyst.actor, { ...nightly, delivery_method: "webhook", delivery_target: receiverUrl }, { now: at("2026-11-30T12:00:00Z") });
    const ZIP = Buffer.from("PK\u0003\u0004 a scheduled anon bundle");

    const tick = await runSchedulerTick(at("2026-12-01T02:00:00Z"));
    const jobOf = (scheduleId: string) => tick.runs.find((r) => r.scheduleId === scheduleId)!.jobId!;
    await completeJob(jobOf(mailed.id), ZIP, "careexport_anon.zip", "application/zip");
    await completeJob(jobOf(hooked.id), ZIP, "careexport_anon.zip", "application/zip");

    const downloadPath = (jobId: string) => `/api/v1/datasets/exports/${jobId}/download`;
    const flat = mails[0]!.raw.replace(/=\r\n/g, "");
    expect(flat).toContain(downloadPath(jobOf(mailed.id)));
    expect(flat).not.toMatch(/signature=/);
    const notice = JSON.parse(hits[0]!.body.toString("utf8"));
    expect(new URL(notice.status_url).pathname).toBe(`/api/v1/datasets/exports/${jobOf(hooked.id)}`);
    expect(new URL(notice.download_url).pathname).toBe(downloadPath(jobOf(hooked.id)));
    expect(JSON.stringify(notice)).not.toMatch(/signature=|expires=/);

    const token = await tokenFor(analyst.user.id);
    for (const jobId of [jobOf(mailed.id), jobOf(hooked.id)]) {
      expect((await call(datasetDownloadRoute, { path: downloadPath(jobId), params: { id: jobId } })).status).toBe(401);
      const fetched = await call(datasetDownloadRoute, { path: downloadPath(jobId), token, params: { id: jobId } });
      expect(fetched.status).toBe(200);
    }
    expect((await runsOf(mailed.id))[0]!.status).toBe("delivered");
    expect((await runsOf(hooked.id))[0]!.status).toBe("delivered");
  });

  it("fails the delivery when the webhook keeps refusing", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_method: "webhook", delivery_target: receiverUrl }), { now: at("2026-11-30T12:00:00Z") });
    plannedStatuses = [400];

    await runOnce(schedule, "2026-12-01T08:00:00Z");

    expect(hits).toHaveLength(1); // a 4xx is not retried
    const [run] = await runsOf(schedule.id);
    expect(run!.status).toBe("failed");
    expect(await prisma.exportAuditLog.count({ where: { action: "delivery_failed", scheduleId: schedule.id } })).toBe(1);
  });
});
