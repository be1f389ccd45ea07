// The outbound guard where users hand the server a URL: schedule webhooks (create, update, send)
// and what the schedule's owner is told when a delivery fails. Receivers listen on 127.0.0.1,
// which the integration setup allow-lists; the refusals clear the allow-list first.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { GET as getScheduleRoute, PATCH as updateScheduleRoute } from "@/app/api/v1/export/scheduled/[id]/route";
import { POST as createScheduleRoute } from "@/app/api/v1/export/scheduled/route";
import { prisma } from "@/lib/db/client";
import { createSchedule } from "@/lib/schedules/create-schedule";
import { runSchedulerTick } from "@/lib/schedules/run-scheduler-tick";

import { setOutboundAllowList } from "../setup/outbound";
import { call, tokenFor } from "../setup/http";
import { completeJob, progressReportSchedule, therapistWithPatient } from "./schedule-helpers";

const at = (iso: string) => new Date(iso);
const PDF = Buffer.from("%PDF-1.4\n% a scheduled progress report\n");

let receiver: Server;
let receiverPort = 0;
const hits: string[] = [];
let plannedStatus = 200;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      hits.push(request.url ?? "");
      response.statusCode = plannedStatus;
      if (plannedStatus === 302) response.setHeader("Location", "http://127.0.0.1:1/elsewhere");
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

beforeEach(async () => {
  await prisma.scheduledReport.updateMany({ data: { isActive: false, pausedReason: "test isolation" } });
  hits.length = 0;
  plannedStatus = 200;
});

afterEach(() => setOutboundAllowList("127.0.0.1"));

async function runOnce(scheduleId: string, now: string) {
  const tick = await runSchedulerTick(at(now));
  const run = tick.runs.find((r) => r.scheduleId === scheduleId)!;
  await completeJob(run.jobId!, PDF);
}

describe("webhook targets", () => {
  it("refuses internal targets at create and update with a 400 naming delivery_target and the reason", async () => {
    setOutboundAllowList(undefined);
    const { user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    const targets: [string, RegExp][] = [
      [`http://127.0.0.1:${receiverPort}/hook`, /must use https/],
      ["https://127.0.0.1:8443/hook", /127\.0\.0\.1 is a loopback address/],
      ["https://[::1]/hook", /::1 is a loopback address/],
      ["https://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a link-local address/],
      ["https://10.0.0.12/hook", /private network address/],
      ["https://[::ffff:a00:1]/hook", /private network address, in IPv4-mapped form/],
      ["https://localhost/hook", /localhost does not resolve to a public internet address/],
    ];
    for (const [target, reason] of targets) {
      const created = await call(createScheduleRoute, { token, body: progressReportSchedule(patient.id, { delivery_method: "webhook", delivery_target: target }) });
      expect(created.status, target).toBe(400);
      expect(created.json.issues, target).toEqual([{ path: "delivery_target", message: expect.stringMatching(reason) }]);
      expect(created.text).not.toMatch(/at \w+ \(/);
    }
    expect(await prisma.scheduledReport.count({ where: { userId: user.id } })).toBe(0);

    const schedule = await call(createScheduleRoute, { token, body: progressReportSchedule(patient.id) });
    expect(schedule.status).toBe(201);
    const id = schedule.json.id as string;
    const updated = await call(updateScheduleRoute, { method: "PATCH", token, params: { id }, body: { delivery_method: "webhook", delivery_target: "https://192.168.1.1/hook" } });
    expect(updated.status).toBe(400);
    expect(updated.json.issues).toEqual([{ path: "delivery_target", message: expect.stringMatching(/192\.168\.1\.1 is a private network address/) }]);
    expect((await prisma.scheduledReport.findUniqueOrThrow({ where: { id } })).deliveryMethod).toBe("storage");
  });

  it("checks the target again at send time: a receiver no longer allowed gets nothing, and the run fails", async () => {
    const { actor, patient } = await therapistWithPatient();
    const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_method: "webhook", delivery_target: `http://127.0.0.1:${receiverPort}/hook` }), { now: at("2026-11-30T12:00:00Z") });
    // The operator takes the host off the allow-list after the schedule was made.
    setOutboundAllowList(undefined);

    await runOnce(schedule.id, "2026-12-01T08:00:00Z");

    expect(hits).toHaveLength(0);
    const run = await prisma.scheduleRun.findFirstOrThrow({ where: { scheduleId: schedule.id } });
    expect(run.status).toBe("failed");
    const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "delivery_failed", scheduleId: schedule.id } });
    expect((audit.metadata as { error: string }).error).toMatch(/must use https/);
  });

  it("tells the owner only that delivery failed, the same for a redirect and a closed port; the audit trail keeps the detail", async () => {
    const { actor, user, patient } = await therapistWithPatient();
    const token = await tokenFor(user.id);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const ownerViews: unknown[] = [];
    for (const [target, status] of [
      [`http://127.0.0.1:${receiverPort}/redirects`, 302],
      [`http://127.0.0.1:${closedPort}/nothing-listens`, 200],
    ] as const) {
      plannedStatus = status;
      const schedule = await createSchedule(actor, progressReportSchedule(patient.id, { delivery_method: "webhook", delivery_target: target }), { now: at("2026-11-30T12:00:00Z") });
      await prisma.scheduledReport.updateMany({ where: { id: { not: schedule.id } }, data: { isActive: false } });
      await runOnce(schedule.id, "2026-12-01T08:00:00Z");

      const view = await call(getScheduleRoute, { token, params: { id: schedule.id } });
      expect(view.status).toBe(200);
      const [run] = view.json.runs as { status: string; error: string; delivery: Record<string, unknown> }[];
      expect(run!.status).toBe("failed");
      expect(run!.error).toBe("Delivery by webhook failed: delivery failed (HTTP error / unreachable)");
      const shown = JSON.stringify({ runs: view.json.runs, last_run: view.json.last_run, paused_reason: view.json.paused_reason });
      expect(shown).not.toMatch(/HTTP 302|ECONNREFUSED|refused|Network error|redirect|attempts/i);
      ownerViews.push({ error: run!.error, delivery: { ...run!.delivery, at: undefined, deliveryId: undefined, host: undefined } });

      const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "delivery_failed", scheduleId: schedule.id } });
      expect(JSON.stringify(audit.metadata)).toMatch(status === 302 ? /HTTP 302: redirects are not followed/ : /ECONNREFUSED/);
    }
    // Retried (connection refused) or not (a redirect): the owner cannot tell which.
    expect(ownerViews[0]).toEqual(ownerViews[1]);
  });
});
