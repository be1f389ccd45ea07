// Metrics as FHIR: a Measure per active metric of the catalog (MetricDefinition, lib/metrics) and
// MeasureReports computed by the same function as the fct_metrics_long dataset, small cells
// suppressed the same way (a suppressed score is absent, with data-absent-reason "masked").
// Summary reports per (metric, period, organization); a metric with a dimension (severity,
// delivery format, service) reports it as a stratifier.
import { prisma } from "@/lib/db/client";
import { describeExpression } from "@/lib/metrics/compile-metric";
import { computeMetrics, type TMetricRow } from "@/lib/metrics/compute-metrics";
import { loadMetricCatalog, SMALL_CELL_THRESHOLD } from "@/lib/metrics/metric-catalog";
import type { TMetricDefinition as TMetric } from "@/lib/metrics/metric-definition";
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import { invalidSearch, parseDateValue, referenceId } from "@/lib/fhir/api/search-parameters";
import type { TFhirResource } from "@/lib/fhir/serialize/fhir-values";

export const MEASURE_TYPE = "Measure";
export const MEASURE_REPORT_TYPE = "MeasureReport";
export const MEASURE_BASE = "https://careexport.dev/fhir/Measure";

const DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
const CONTROL = new Set(["_count", "_format", "_elements", "_sort", "_summary", "_cursor", "_total", "_pretty"]);

/** FHIR ids allow no underscore: provider_count -> provider-count. */
const measureIdOf = (metric: TMetric) => metric.id.replace(/_/g, "-");

export function buildMeasure(metric: TMetric): TFhirResource {
  return {
    resourceType: MEASURE_TYPE,
    id: measureIdOf(metric),
    url: `${MEASURE_BASE}/${measureIdOf(metric)}`,
    name: metric.id,
    title: metric.description,
    status: "active",
    description: `${metric.description} Computed as: ${describeExpression(metric)} (version ${metric.version}).${metric.suppress_small_counts ? ` Counts of patients from 1 to ${SMALL_CELL_THRESHOLD - 1} are suppressed.` : ""}`,
    scoring: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/measure-scoring", code: metric.unit === "percent" ? "proportion" : "continuous-variable" }] },
    version: String(metric.version),
    group: [{ code: { text: metric.id }, description: `${metric.unit}, per ${[...metric.entity_keys.filter((key) => key !== "dimension"), metric.time_column ? metric.grain : "as-of date"].join(" and ")}` }],
  };
}

/** A Measure by id, canonical URL or metric name. */
function findMetric(catalog: TMetric[], value: string): TMetric | null {
  const id = value.split("|")[0]!.split("/").filter(Boolean).pop() ?? "";

  return catalog.find((metric) => measureIdOf(metric) === id || metric.id === id) ?? null;
}

export async function readMeasure(id: string) {
  const metric = findMetric(await loadMetricCatalog(prisma), id);

  return metric ? buildMeasure(metric) : null;
}

export async function searchMeasures(query: URLSearchParams, isStrict: boolean) {
  const catalog = await loadMetricCatalog(prisma);
  let metrics = [...catalog];
  for (const [name, value] of query) {
    if (CONTROL.has(name)) continue;
    if (!["_id", "url", "name"].includes(name)) {
      if (isStrict) throw invalidSearch(name, "is not a supported search parameter of Measure");
      continue;
    }
    const wanted = value.split(",").map((part) => findMetric(catalog, part));
    metrics = metrics.filter((metric) => wanted.includes(metric));
  }

  return metrics.map(buildMeasure);
}

function periodOf(metric: TMetric, date: string) {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  if (metric.grain === "month") return { start: date, end: new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10) };
  if (metric.grain === "week") return { start: date, end: new Date(Date.UTC(year, month - 1, day + 6)).toISOString().slice(0, 10) };

  return { start: date, end: date };
}

const score = (metric: TMetric, row: TMetricRow) =>
  row.suppressed === "true" ? { extension: [{ url: DATA_ABSENT, valueCode: "masked" }] } : { measureScore: { value: Number(row.value), unit: metric.unit } };

export type TMeasureReportQuery = { metrics: TMetric[]; since: Date | null; asOf: Date; organizationIds: string[] | null };

/** `measure`, `period` (ge/le/eq dates: the metrics' window and export date) and `subject` (Organization/<id>). */
export async function parseMeasureReportQuery(query: URLSearchParams, isStrict: boolean, view: TFhirView, now = new Date()): Promise<TMeasureReportQuery> {
  const catalog = await loadMetricCatalog(prisma);
  let metrics = [...catalog];
  let since: Date | null = null;
  let asOf = now;
  let organizationIds: string[] | null = null;
  for (const [name, value] of query) {
    if (CONTROL.has(name)) continue;
    if (name === "measure") {
      const wanted = value.split(",").map((part) => findMetric(catalog, part));
      if (wanted.some((metric) => !metric)) throw invalidSearch("measure", "names no Measure of this server (see GET Measure)");
      metrics = metrics.filter((metric) => wanted.includes(metric));
    } else if (name === "period") {
      const range = parseDateValue("period", value, false);
      if (["ge", "gt", "sa", "eq"].includes(range.prefix)) since = range.prefix === "eq" || range.prefix === "ge" ? range.low : range.high;
      if (["le", "lt", "eb", "eq"].includes(range.prefix)) asOf = new Date(Math.min(now.getTime(), (range.prefix === "lt" || range.prefix === "eb" ? range.low : range.high).getTime() - 1));
      if (range.prefix === "ne") throw invalidSearch("period", "use ge, le or a date");
    } else if (name === "subject") {
      const ids = value.split(",").map((part) => referenceId("subject", part, "Organization")).filter((id): id is string => id !== null);
      const found = view.isMasked ? ids : (await prisma.organization.findMany({ where: { fhirId: { in: ids } }, select: { id: true } })).map((row) => row.id);
      organizationIds = [...(organizationIds ?? []), ...found];
    } else if (isStrict) {
      throw invalidSearch(name, "is not a supported search parameter of MeasureReport (measure, period, subject)");
    }
  }
  if (since && since > asOf) throw invalidSearch("period", "starts after it ends");

  return { metrics, since, asOf, organizationIds };
}

/** The summary reports, computed now by the metrics' own function. */
export async function buildMeasureReports(request: TMeasureReportQuery, view: TFhirView): Promise<TFhirResource[]> {
  const wanted = new Set(request.metrics.map((metric) => metric.id));
  const rows = (await computeMetrics(prisma, request.asOf, request.since, request.metrics)).filter(
    (row) => wanted.has(row.metric_id) && (!request.organizationIds || request.organizationIds.includes(row.organization_id)) && (!request.since || row.period_date >= request.since.toISOString().slice(0, 10)),
  );
  const organizations = view.isMasked ? new Map<string, string>() : new Map((await prisma.organization.findMany({ select: { id: true, fhirId: true } })).map((row) => [row.id, row.fhirId]));
  const byReport = new Map<string, TMetricRow[]>();
  for (const row of rows) {
    const reportKey = [row.metric_id, row.period_date, row.organization_id].join("|");
    byReport.set(reportKey, [...(byReport.get(reportKey) ?? []), row]);
  }
  const metricsById = new Map(request.metrics.map((metric) => [metric.id, metric]));

  return [...byReport.entries()].map(([reportKey, cells]) => {
    const [metricId, period, organizationId] = reportKey.split("|") as [string, string, string];
    const metric = metricsById.get(metricId)!;
    const subject = organizationId ? view.ref("Organization", "internal", { id: organizationId, fhirId: organizations.get(organizationId) ?? null }) : null;
    const hasDimension = cells.some((cell) => cell.dimension !== "");
    const group = hasDimension
      ? { code: { text: metric.id }, stratifier: [{ code: [{ text: (metric.dimension_column ?? "dimension").replace(/_/g, "-") }], stratum: cells.map((cell) => ({ value: { text: cell.dimension }, ...score(metric, cell) })) }] }
      : { code: { text: metric.id }, ...score(metric, cells[0]!) };

    return {
      resourceType: MEASURE_REPORT_TYPE,
      id: `${measureIdOf(metric)}.${period}.${organizationId || "none"}`.slice(0, 64),
      ...(view.isMasked ? { meta: view.meta(new Date()) } : {}),
      status: "complete",
      type: "summary",
      measure: `${MEASURE_BASE}/${measureIdOf(metric)}`,
      ...(subject ? { subject } : {}),
      date: request.asOf.toISOString(),
      period: periodOf(metric, period),
      group: [group],
    } as TFhirResource;
  });
}
