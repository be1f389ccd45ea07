// The metrics catalog as stored: every version of every metric (MetricDefinition rows). The
// current definition of a metric is its newest version; a retired metric's newest version says so.
import type { TDb } from "@/lib/db/client";
import { logger } from "@/lib/logger";
import { ZMetricBody, type TMetricDefinition } from "@/lib/metrics/metric-definition";

/** Counts of patients below this are suppressed (shown empty, flagged). */
export const SMALL_CELL_THRESHOLD = 11;

type TDefinitionRow = { metricId: string; version: number; status: string; definition: unknown };

/** A stored row as a definition; a row that no longer parses is left out (fail closed) and logged. */
export function toMetricDefinition(row: TDefinitionRow): TMetricDefinition | null {
  const parsed = ZMetricBody.safeParse(row.definition);
  if (!parsed.success) {
    logger.error("stored metric definition does not parse; left out", { metricId: row.metricId, version: row.version });
    return null;
  }

  return { ...parsed.data, id: row.metricId, version: row.version, status: row.status === "retired" ? "retired" : "active" };
}

/** The current version of each metric, by id; retired ones only when asked for. */
export async function loadMetricCatalog(db: TDb, options: { includeRetired?: boolean } = {}): Promise<TMetricDefinition[]> {
  const rows = await db.metricDefinition.findMany({ orderBy: [{ metricId: "asc" }, { version: "desc" }], select: { metricId: true, version: true, status: true, definition: true } });
  const current: TMetricDefinition[] = [];
  let previous: string | null = null;
  for (const row of rows) {
    if (row.metricId === previous) continue;
    previous = row.metricId;
    const definition = toMetricDefinition(row);
    if (definition && (options.includeRetired || definition.status === "active")) current.push(definition);
  }

  return current;
}
