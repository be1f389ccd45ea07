import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { loadScheduleFor } from "@/lib/schedules/list-schedules";

/** DELETE /api/v1/export/scheduled/{id}: the schedule and its run history go; its jobs and files stay (they expire as usual). */
export async function deleteSchedule(actor: TActor, scheduleId: string, options: { meta?: TRequestMeta | null } = {}) {
  const row = await loadScheduleFor(actor, scheduleId, "schedule.manage", options.meta);
  await prisma.$transaction(async (tx) => {
    await tx.scheduledReport.delete({ where: { id: scheduleId } });
    await recordAudit(tx, {
      action: "schedule_deleted",
      userId: actor.id,
      scheduleId,
      patientId: row.patientId,
      templateId: row.templateId,
      metadata: { exportType: row.exportType, ownerId: row.userId, scheduleType: row.scheduleType },
      meta: options.meta,
    });
  });

  return { id: scheduleId, deleted: true };
}
