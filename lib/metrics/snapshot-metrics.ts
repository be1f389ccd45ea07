// The daily snapshot task: once per UTC day, the values of every snapshot metric (those known
// only "as of a day") as of the end of the previous day, stored in MetricSnapshot so they form a
// series. Run by the job runner's periodic tasks on every instance; the MetricSnapshotRun row is
// the claim (its primary key is the day), written in the same transaction as the values, so a day
// is stored once, whole or not at all.
import { prisma } from "@/lib/db/client";
import { isoDay } from "@/lib/metrics/compile-metric";
import { computeMetrics } from "@/lib/metrics/compute-metrics";
import { loadMetricCatalog } from "@/lib/metrics/metric-catalog";
import { isSnapshotMetric } from "@/lib/metrics/metric-series";
import { logger } from "@/lib/logger";

const DAY_MS = 86_400_000;

export type TSnapshotResult = { snapshotDate: string; stored: boolean; metrics: number; cells: number };

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === "P2002";

/** Stores the snapshot of `day` (YYYY-MM-DD; default: yesterday, UTC) unless it is stored already. */
export async function snapshotMetrics(options: { day?: string; now?: Date } = {}): Promise<TSnapshotResult> {
  const db = prisma;
  const snapshotDate = options.day ?? isoDay(new Date((options.now ?? new Date()).getTime() - DAY_MS));
  if (await db.metricSnapshotRun.findUnique({ where: { snapshotDate }, select: { snapshotDate: true } })) return { snapshotDate, stored: false, metrics: 0, cells: 0 };

  const asOf = new Date(`${snapshotDate}T23:59:59.999Z`);
  const catalog = await loadMetricCatalog(db);
  const metrics = catalog.filter((metric) => isSnapshotMetric(metric, catalog));
  const rows = metrics.length ? await computeMetrics(db, asOf, null, metrics) : [];
  try {
    await db.$transaction(async (tx) => {
      await tx.metricSnapshotRun.create({ data: { snapshotDate, metrics: metrics.length, cells: rows.length } });
      // Suppressed cells are stored without their value: the series never holds a hidden number.
      if (rows.length) {
        await tx.metricSnapshot.createMany({
          data: rows.map((row) => ({
            snapshotDate,
            metricId: row.metric_id,
            metricVersion: Number(row.metric_version),
            periodDate: row.period_date,
            organizationId: row.organization_id,
            locationId: row.location_id,
            dimension: row.dimension,
            value: row.suppressed === "true" ? null : Number(row.value),
            suppressed: row.suppressed === "true",
          })),
        });
      }
    });
  } catch (error) {
    // Another instance stored this day first.
    if (isUniqueViolation(error)) return { snapshotDate, stored: false, metrics: 0, cells: 0 };
    throw error;
  }
  logger.info("metrics snapshot stored", { snapshotDate, metrics: metrics.length, cells: rows.length });

  return { snapshotDate, stored: true, metrics: metrics.length, cells: rows.length };
}
