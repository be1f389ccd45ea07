// Webhook file mode (issue #22 part 3): a scheduled export's file itself POSTed to a webhook,
// signed like a notice, with its SHA-256, delivery id and content type; retried like a notice;
// identified files only from admins' schedules (the policy's schedule.webhook-file).
import { createHash } from "node:crypto";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { verifyWebhookSignature } from "@/lib/delivery/webhook";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";
import { updateSchedule } from "@/lib/schedules/update-schedule";

import { createUser } from "../setup/fixtures";
import { completeJob, progressReportSchedule, runsOf, therapistWithPatient } from "./schedule-helpers";
import { startWebhookReceiver } from "./webhook-receiver";

const at = (iso: string) => new Date(iso);
const ZIP = Buffer.concat([Buffer.from("PK\u0003\u0004"), createHash("sha256").update("a scheduled anon bundle").digest(), Buffer.from([0, 255, 1, 254])]);

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let receiverUrl = "";

beforeAll(async () => {
  receiver = await startWebhookReceiver("/careexport-files");
  receiverUrl = receiver.url;
});

afterAll(async () => {
  await receiver.close();
});

beforeEach(async () => {
  await prisma.scheduledReport.updateMany({ data: { isActive: false, pausedReason: "test isolation" } });
  receiver.reset();
});

const nightlyAnon = (overrides: Record<string, unknown> = {}) => ({
  dataset_export: { tier: "anon" },
  schedule_type: "daily",
  schedule_config: { time: "02:00", timezone: "UTC" },
  delivery_method: "webhook",
  delivery_target: receiverUrl,
  parameters: { delivery_mode: "file" },
  ...overrides,
});

describe("webhook file mode", () => {
  it("POSTs the file itself, signed, with its SHA-256, content type, name and delivery id; a 5xx is retried with the same delivery id", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const schedule = await createSchedule(analyst.actor, nightlyAnon(), { now: at("2026-11-30T12:00:00Z") });
    receiver.plan([503]);

    const tick = await runSchedulerTick(at("2026-12-01T02:00:00Z"));
    const jobId = tick.runs.find((run) => run.scheduleId === schedule.id)!.jobId!;
    await completeJob(jobId, ZIP, "careexport_anon_20261201_020000.zip", "application/zip");

    expect(receiver.hits).toHaveLength(2);
    const [run] = await runsOf(schedule.id);
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    for (const hit of receiver.hits) {
      expect(hit.body.equals(ZIP)).toBe(true);
      expect(hit.headers["content-type"]).toBe("application/zip");
      expect(hit.headers["x-careexport-content-sha256"]).toBe(createHash("sha256").update(ZIP).digest("hex"));
      expect(hit.headers["x-careexport-content-sha256"]).toBe(job.checksum);
      expect(hit.headers["x-careexport-delivery"]).toBe(run!.id);
      expect(hit.headers["x-careexport-event"]).toBe("scheduled_export.file");
      expect(hit.headers["x-careexport-schedule"]).toBe(schedule.id);
      expect(hit.headers["x-careexport-job"]).toBe(jobId);
      expect(hit.headers["content-disposition"]).toMatch(/^attachment; filename="[^"]+\.zip"/);
      const signed = { timestamp: hit.headers["x-careexport-timestamp"] as string, body: hit.body, signature: hit.headers["x-careexport-signature"] as string };
      expect(verifyWebhookSignature({ secret: schedule.webhook_secret!, ...signed })).toBe(true);
      expect(verifyWebhookSignature({ secret: schedule.webhook_secret!, ...signed, body: Buffer.concat([hit.body, Buffer.from(" ")]) })).toBe(false);
    }

    expect(run!.status).toBe("delivered");
    expect(run!.deliveryLog).toMatchObject({ method: "webhook", mode: "file", bytes: ZIP.length, ok: true });
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "delivery_succeeded", scheduleId: schedule.id } });
    expect((audit.metadata as { attempts: { status?: number }[] }).attempts.map((attempt) => attempt.status)).toEqual([503, 200]);
  });

  it("fails the run when the receiver refuses (a 4xx is not retried), and notice mode still sends the notice", async () => {
    const analyst = await createUser({ role: "ANALYST" });
    const refused = await createSchedule(analyst.actor, nightlyAnon(), { now: at("2026-11-30T12:00:00Z") });
    receiver.plan([413]);
    let tick = await runSchedulerTick(at("2026-12-01T02:00:00Z"));
    await completeJob(tick.runs.find((run) => run.scheduleId === refused.id)!.jobId!, ZIP, "careexport_anon.zip", "application/zip");
    expect(receiver.hits).toHaveLength(1);
    expect((await runsOf(refused.id))[0]).toMatchObject({ status: "failed" });
    await prisma.scheduledReport.update({ where: { id: refused.id }, data: { isActive: false } });

    receiver.reset();
    const notice = await createSchedule(analyst.actor, nightlyAnon({ parameters: { delivery_mode: "notice" } }), { now: at("2026-12-01T12:00:00Z") });
    tick = await runSchedulerTick(at("2026-12-02T02:00:00Z"));
    await completeJob(tick.runs.find((run) => run.scheduleId === notice.id)!.jobId!, ZIP, "careexport_anon.zip", "application/zip");
    expect(receiver.hits).toHaveLength(1);
    expect(JSON.parse(receiver.hits[0]!.body.toString("utf8"))).toMatchObject({ event: "scheduled_export.ready", schedule_id: notice.id });
  });

  it("refuses identified files (patient reports, pii) to a webhook unless the owner is an admin, and an unknown mode, naming the field", async () => {
    const { actor, patient } = await therapistWithPatient();
    const asFile = { delivery_method: "webhook", delivery_target: receiverUrl, parameters: { delivery_mode: "file" } };
    const refused = await createSchedule(actor, progressReportSchedule(patient.id, asFile), { now: at("2026-11-30T12:00:00Z") }).catch((error: unknown) => error);
    expect((refused as { code?: string }).code).toBe("FORBIDDEN");
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: actor.id } })).toBeGreaterThan(0);

    // Switching an existing notice schedule to file mode is refused the same way.
    const notice = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_method: "webhook", delivery_target: receiverUrl }), { now: at("2026-11-30T12:00:00Z") });
    const switched = await updateSchedule(actor, notice.id, { parameters: { delivery_mode: "file" } }).catch((error: unknown) => error);
    expect((switched as { code?: string }).code).toBe("FORBIDDEN");

    const admin = await createUser({ role: "ADMIN" });
    const adminSchedule = await createSchedule(admin.actor, progressReportSchedule(patient.id, asFile), { now: at("2026-11-30T12:00:00Z") });
    expect(adminSchedule.id).toBeTruthy();

    const unknown = await createSchedule((await createUser({ role: "ANALYST" })).actor, nightlyAnon({ parameters: { delivery_mode: "both" } }), { now: at("2026-11-30T12:00:00Z") }).catch((error: unknown) => error);
    expect(JSON.stringify((unknown as { issues?: unknown }).issues)).toMatch(/parameters\.delivery_mode/);
  });
});
