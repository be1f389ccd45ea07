// Admin management of the metrics catalog (API and portal editor): list, read with its history,
// define, change, retire. Every change is a new MetricDefinition version (nothing is overwritten;
// retiring is a version too), checked against the closed sources before it is stored, and audited
// in the same transaction.
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError, notFound } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { describeExpression } from "@/lib/metrics/compile-metric";
import { loadMetricCatalog, toMetricDefinition } from "@/lib/metrics/metric-catalog";
import { parseMetricBody, ZMetricBody, ZMetricId, ZNewMetric, type TMetricBody, type TMetricDefinition } from "@/lib/metrics/metric-definition";
import { METRIC_SOURCES } from "@/lib/metrics/metric-sources";

type TVersionRow = { metricId: string; version: number; status: string; definition: unknown; createdAt: Date; changedById: string | null };

const BODY_FIELDS = Object.keys(ZMetricBody.shape) as (keyof TMetricBody)[];

function present(definition: TMetricDefinition, row: Pick<TVersionRow, "createdAt" | "changedById">) {
  return { ...definition, computed_as: describeExpression(definition), changed_at: row.createdAt.toISOString(), changed_by: row.changedById };
}

/** What the editor needs to offer only valid choices: every source, its columns and keys. */
export function describeMetricSources() {
  return METRIC_SOURCES.map((source) => ({
    name: source.name,
    description: source.description,
    columns: Object.entries(source.columns).map(([name, column]) => ({ name, type: column.type, description: column.description, filterable: Boolean(column.where) })),
    organization_from: Object.keys(source.organizations),
    has_location: Boolean(source.location),
  }));
}

async function versionsOf(metricId: string) {
  return prisma.metricDefinition.findMany({ where: { metricId }, orderBy: { version: "desc" }, select: { metricId: true, version: true, status: true, definition: true, createdAt: true, changedById: true } });
}

async function lookupFor() {
  const catalog = await loadMetricCatalog(prisma, { includeRetired: true });
  return (metricId: string) => catalog.find((metric) => metric.id === metricId) ?? null;
}

export async function listMetricDefinitions(actor: TActor, meta?: TRequestMeta) {
  await authorize(actor, { action: "metric.manage" }, { meta });
  const rows = await prisma.metricDefinition.findMany({ orderBy: [{ metricId: "asc" }, { version: "desc" }], select: { metricId: true, version: true, status: true, definition: true, createdAt: true, changedById: true } });
  const metrics = [];
  let previous: string | null = null;
  for (const row of rows) {
    if (row.metricId === previous) continue;
    previous = row.metricId;
    const definition = toMetricDefinition(row);
    if (definition) metrics.push(present(definition, row));
  }

  return { metrics, sources: describeMetricSources() };
}

export async function getMetricDefinition(actor: TActor, metricId: string, meta?: TRequestMeta) {
  await authorize(actor, { action: "metric.manage" }, { meta });
  const rows = await versionsOf(metricId);
  const current = rows[0] ? toMetricDefinition(rows[0]) : null;
  if (!current) throw notFound("Metric");

  return {
    ...present(current, rows[0]!),
    versions: rows.flatMap((row) => {
      const definition = toMetricDefinition(row);
      return definition ? [present(definition, row)] : [];
    }),
  };
}

/** Writes the next version and its audit record; a concurrent change of the same metric is a 409. */
async function writeVersion(actor: TActor, metricId: string, version: number, status: "active" | "retired", body: TMetricBody, audit: { action: "metric_created" | "metric_updated" | "metric_retired"; changed?: string[] }, meta?: TRequestMeta) {
  try {
    const row = await prisma.$transaction(async (tx) => {
      const created = await tx.metricDefinition.create({ data: { metricId, version, status, definition: body, changedById: actor.id }, select: { metricId: true, version: true, status: true, definition: true, createdAt: true, changedById: true } });
      await recordAudit(tx, { action: audit.action, userId: actor.id, dataset: "metrics", metadata: { metricId, version, ...(audit.changed ? { changed: audit.changed } : {}) }, meta });
      return created;
    });

    return present(toMetricDefinition(row)!, row);
  } catch (error) {
    if ((error as { code?: string } | null)?.code === "P2002") throw new AppError("CONFLICT", `Metric "${metricId}" was changed at the same time; reload it and try again`);
    throw error;
  }
}

export async function createMetricDefinition(actor: TActor, input: unknown, meta?: TRequestMeta) {
  await authorize(actor, { action: "metric.manage" }, { meta });
  const { id } = parseOrThrow(ZNewMetric.pick({ id: true }).passthrough(), input, "Invalid metric definition");
  if ((await versionsOf(id)).length) throw new AppError("CONFLICT", `id: a metric "${id}" already exists (change it, or retire it and choose another id)`, { issues: [{ path: "id", message: "already exists" }] });
  const { id: _id, ...rest } = input as Record<string, unknown>;
  const body = parseMetricBody(id, rest, await lookupFor());

  return writeVersion(actor, id, 1, "active", body, { action: "metric_created" }, meta);
}

/** A change: the fields given replace the current ones; the result is checked whole and becomes the next version. */
export async function updateMetricDefinition(actor: TActor, metricId: string, input: unknown, meta?: TRequestMeta) {
  await authorize(actor, { action: "metric.manage" }, { meta });
  const rows = ZMetricId.safeParse(metricId).success ? await versionsOf(metricId) : [];
  const current = rows[0] ? toMetricDefinition(rows[0]) : null;
  if (!current) throw notFound("Metric");
  const patch = parseOrThrow(ZMetricBody.partial().strict(), input, "Invalid metric definition");
  const merged: Record<string, unknown> = {};
  for (const field of BODY_FIELDS) merged[field] = field in (input as object) ? (input as Record<string, unknown>)[field] : current[field];
  const body = parseMetricBody(metricId, merged, await lookupFor());
  const changed = BODY_FIELDS.filter((field) => field in patch && JSON.stringify(body[field]) !== JSON.stringify(current[field]));
  // Reinstating a retired metric is a change too, even with nothing else changed.
  if (!changed.length && current.status === "active") throw new AppError("INVALID_INPUT", "(body): nothing to change: every field given equals the current version", { issues: [{ path: "(body)", message: "changes nothing" }] });

  return writeVersion(actor, metricId, current.version + 1, "active", body, { action: "metric_updated", changed: current.status === "retired" ? [...changed, "status"] : changed }, meta);
}

export async function retireMetricDefinition(actor: TActor, metricId: string, meta?: TRequestMeta) {
  await authorize(actor, { action: "metric.manage" }, { meta });
  const rows = await versionsOf(metricId);
  const current = rows[0] ? toMetricDefinition(rows[0]) : null;
  if (!current) throw notFound("Metric");
  if (current.status === "retired") throw new AppError("CONFLICT", `Metric "${metricId}" is already retired`);
  const usedBy = (await loadMetricCatalog(prisma)).filter((metric) => metric.expression.type === "ratio" && (metric.expression.numerator === metricId || metric.expression.denominator === metricId));
  if (usedBy.length) throw new AppError("CONFLICT", `Metric "${metricId}" is a part of ${usedBy.map((metric) => `"${metric.id}"`).join(", ")}: retire or change those first`);
  const { id: _id, version: _version, status: _status, ...body } = current;

  return writeVersion(actor, metricId, current.version + 1, "retired", body, { action: "metric_retired" }, meta);
}
