// GET /api/v1/heartbeat's answer: how fresh the data is and whether the pipelines run. The last
// completed import per source (file, API caller, FHIR source, demo) and overall; each FHIR source's
// last sync and watermark; and the caller's own schedules' last successful run. Times, counts and
// names only: no patient data, so every role may ask.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { syncDto } from "@/lib/fhir/sources/fhir-sources";

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

async function importsBySource() {
  const groups = await prisma.fhirImportRecord.groupBy({ by: ["sourceKind", "sourceLabel"], _max: { completedAt: true }, _count: { _all: true } });
  const rows = await Promise.all(
    groups.map(async (group) => {
      const latest = await prisma.fhirImportRecord.findFirst({ where: { sourceKind: group.sourceKind, sourceLabel: group.sourceLabel }, orderBy: { completedAt: "desc" }, select: { completedAt: true, resourceCount: true, fhirSourceId: true } });
      return { kind: group.sourceKind, source: group.sourceLabel, fhir_source_id: latest?.fhirSourceId ?? null, last_completed_at: iso(latest?.completedAt), last_resource_count: latest?.resourceCount ?? 0, imports: group._count._all };
    }),
  );

  return rows.sort((a, b) => (b.last_completed_at ?? "").localeCompare(a.last_completed_at ?? ""));
}

async function fhirSources() {
  const sources = await prisma.fhirSource.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, isActive: true, nextSyncAt: true, scheduleType: true } });

  return Promise.all(
    sources.map(async (source) => {
      const [last, succeeded] = await Promise.all([
        prisma.fhirSourceSync.findFirst({ where: { sourceId: source.id }, orderBy: { createdAt: "desc" } }),
        prisma.fhirSourceSync.findFirst({ where: { sourceId: source.id, status: "succeeded" }, orderBy: { completedAt: "desc" } }),
      ]);
      const { since: _since, error: _error, ...lastSync } = syncDto(last) ?? {};

      return {
        id: source.id,
        name: source.name,
        is_active: source.isActive,
        next_sync_at: source.isActive && source.scheduleType ? iso(source.nextSyncAt) : null,
        last_sync: last ? { ...lastSync, failed: last.status === "failed" } : null,
        last_successful_sync_at: iso(succeeded?.completedAt),
        watermark: iso(succeeded?.transactionTime),
      };
    }),
  );
}

async function ownSchedules(userId: string) {
  const schedules = await prisma.scheduledReport.findMany({ where: { userId }, orderBy: { createdAt: "asc" }, select: { id: true, name: true, exportType: true, isActive: true, nextRunAt: true, lastRunAt: true, lastStatus: true } });

  return Promise.all(
    schedules.map(async (schedule) => {
      const delivered = await prisma.scheduleRun.findFirst({ where: { scheduleId: schedule.id, status: "delivered" }, orderBy: { scheduledFor: "desc" }, select: { id: true, scheduledFor: true, deliveredAt: true } });

      return {
        id: schedule.id,
        name: schedule.name,
        export_type: schedule.exportType,
        is_active: schedule.isActive,
        next_run_at: iso(schedule.nextRunAt),
        last_run_at: iso(schedule.lastRunAt),
        last_status: schedule.lastStatus,
        last_successful_run: delivered ? { run_id: delivered.id, scheduled_for: iso(delivered.scheduledFor), delivered_at: iso(delivered.deliveredAt) } : null,
        /** The slot the last delivered run stood for: what a consumer has received up to. */
        watermark: iso(delivered?.scheduledFor),
      };
    }),
  );
}

export async function getHeartbeat(actor: TActor, meta?: TRequestMeta) {
  await authorize(actor, { action: "heartbeat.read" }, { meta });
  const [imports, sources, schedules] = await Promise.all([importsBySource(), fhirSources(), ownSchedules(actor.id)]);

  return {
    generated_at: new Date().toISOString(),
    imports: { last_completed_at: imports[0]?.last_completed_at ?? null, by_source: imports },
    fhir_sources: sources,
    schedules,
  };
}
