import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { notFound } from "@/lib/errors/app-error";
import { ruleOfSchedule } from "@/lib/schedules/schedule-rule-of";
import { toRunView, toScheduleView } from "@/lib/schedules/schedule-view";

const LAST_RUN = { runs: { orderBy: { scheduledFor: "desc" as const }, take: 1 } };

/** The actor's schedules (admins: everyone's), soonest next run first, paused ones last. */
export async function listSchedules(actor: TActor) {
  const rows = await prisma.scheduledReport.findMany({
    where: actor.role === "ADMIN" ? {} : { userId: actor.id },
    include: LAST_RUN,
    orderBy: [{ isActive: "desc" }, { nextRunAt: "asc" }, { createdAt: "asc" }],
  });

  return rows.map((row) => toScheduleView(row, { includeSecret: row.userId === actor.id }));
}

/** Loads one schedule the actor may read or manage; 404 when missing or not theirs. */
export async function loadScheduleFor(actor: TActor, scheduleId: string, action: "schedule.read" | "schedule.manage", meta?: TRequestMeta | null) {
  const row = await prisma.scheduledReport.findUnique({ where: { id: scheduleId }, include: LAST_RUN });
  if (!row) throw notFound("Schedule");
  await authorize(actor, { action, ownerId: row.userId }, { meta, scheduleId });

  return row;
}

/** One schedule with its run history (newest first). */
export async function getSchedule(actor: TActor, scheduleId: string, options: { meta?: TRequestMeta | null; runLimit?: number } = {}) {
  const row = await loadScheduleFor(actor, scheduleId, "schedule.read", options.meta);
  const runs = await prisma.scheduleRun.findMany({ where: { scheduleId }, orderBy: { scheduledFor: "desc" }, take: options.runLimit ?? 50 });
  const { timezone } = ruleOfSchedule(row);

  return { ...toScheduleView(row, { includeSecret: row.userId === actor.id }), runs: runs.map((run) => toRunView(run, timezone)) };
}
