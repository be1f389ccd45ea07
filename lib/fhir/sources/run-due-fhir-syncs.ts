// The FHIR sources' scheduler tick: each due source is claimed by a compare-and-set on its
// nextSyncAt (one instance wins however many tick at once), moved to its next slot after now
// (missed slots after downtime run once, not once each), and synced as the admin who registered
// it, if they are still an active admin. A slot whose previous run is still going is skipped.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { loadActiveActor } from "@/lib/auth/actor";
import { prisma } from "@/lib/db/client";
import { SyncAlreadyRunningError, startFhirSync } from "@/lib/fhir/sources/start-fhir-sync";
import { logger } from "@/lib/logger";
import { ruleOfSchedule } from "@/lib/schedules/schedule-rule-of";
import { nextRunAfter } from "@/lib/schedules/time";

const SYNC_SCHEDULER_META: TRequestMeta = { ipAddress: null, userAgent: "careexport-scheduler", via: "scheduler" };

export type TDueSyncOutcome = { sourceId: string; outcome: "queued" | "skipped" | "failed"; reason?: string };

export async function runDueFhirSyncs(now = new Date()): Promise<TDueSyncOutcome[]> {
  const due = await prisma.fhirSource.findMany({ where: { isActive: true, scheduleType: { not: null }, nextSyncAt: { lte: now } }, orderBy: { nextSyncAt: "asc" }, take: 100 });
  const outcomes: TDueSyncOutcome[] = [];
  for (const source of due) {
    const next = nextRunAfter(ruleOfSchedule({ scheduleType: source.scheduleType!, scheduleConfig: source.scheduleConfig }), now);
    const claimed = await prisma.fhirSource.updateMany({ where: { id: source.id, nextSyncAt: source.nextSyncAt }, data: { nextSyncAt: next } });
    if (claimed.count === 0) continue;
    const owner = source.createdById ? await loadActiveActor(source.createdById) : null;
    if (!owner || owner.role !== "ADMIN") {
      logger.warn("scheduled FHIR sync skipped: its admin is gone or no longer an admin", { fhirSourceId: source.id });
      outcomes.push({ sourceId: source.id, outcome: "skipped", reason: "no active admin owns the source" });
      continue;
    }
    try {
      await startFhirSync(owner, source.id, "scheduled", SYNC_SCHEDULER_META);
      outcomes.push({ sourceId: source.id, outcome: "queued" });
    } catch (error) {
      if (error instanceof SyncAlreadyRunningError) {
        outcomes.push({ sourceId: source.id, outcome: "skipped", reason: "the previous run is still going" });
        continue;
      }
      logger.error("scheduled FHIR sync could not be queued", { fhirSourceId: source.id, error });
      outcomes.push({ sourceId: source.id, outcome: "failed", reason: "could not be queued" });
    }
  }

  return outcomes;
}
