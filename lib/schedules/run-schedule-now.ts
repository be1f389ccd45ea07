// "Run now": one extra run of a schedule at this moment, through the same run record, job and
// delivery as a due run. The schedule's own next run stays where it was.
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { loadActiveActor } from "@/lib/auth/actor";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { loadScheduleFor } from "@/lib/schedules/list-schedules";
import { recordRunFailed } from "@/lib/schedules/record-run-outcome";
import { decideScheduleRun } from "@/lib/schedules/schedule-access";
import { ruleOfSchedule } from "@/lib/schedules/schedule-rule-of";
import { startScheduledExport } from "@/lib/schedules/start-scheduled-export";

export async function runScheduleNow(actor: TActor, scheduleId: string, options: { meta?: TRequestMeta | null; now?: Date } = {}) {
  const schedule = await loadScheduleFor(actor, scheduleId, "schedule.manage", options.meta);
  const now = options.now ?? new Date();
  // The owner's access is asked now, as at every run; refused, nothing is started.
  const owner = schedule.userId === actor.id ? actor : await loadActiveActor(schedule.userId);
  const decision = owner ? await decideScheduleRun(prisma, owner, schedule) : ({ allowed: false, reason: "the owner's account is disabled" } as const);
  if (!owner || !decision.allowed) throw new AppError("CONFLICT", `This schedule cannot run: the owner may no longer run this export (${decision.allowed ? "" : decision.reason}).`);

  const rule = ruleOfSchedule(schedule);
  const run = await prisma.scheduleRun.create({ data: { scheduleId, scheduledFor: now, status: "queued", note: `Run now by ${actor.id === schedule.userId ? "its owner" : "an administrator"}` } });
  await prisma.scheduledReport.update({ where: { id: scheduleId }, data: { lastRunAt: now, lastStatus: "queued" } });
  const meta = options.meta ?? { ipAddress: null, userAgent: null, via: "web" as const };
  const auditBase = { action: "schedule_run" as const, userId: actor.id, scheduleId, patientId: schedule.patientId, templateId: schedule.templateId, meta };
  try {
    const started = await startScheduledExport(owner, schedule, now, rule.timezone, meta);
    await prisma.scheduleRun.update({ where: { id: run.id }, data: { jobId: started.job_id } });
    await recordAudit(null, { ...auditBase, exportJobId: started.job_id, metadata: { runId: run.id, scheduledFor: now.toISOString(), exportType: schedule.exportType, status: "queued", manual: true } });

    return { run_id: run.id, job_id: started.job_id, status: "queued" };
  } catch (error) {
    const message = error instanceof AppError ? error.message : "The export could not be started because of an internal error.";
    await recordRunFailed(run.id, scheduleId, message);
    await recordAudit(null, { ...auditBase, outcome: "failure", metadata: { runId: run.id, status: "failed", manual: true, error: message } });
    throw error;
  }
}
