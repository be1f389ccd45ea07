// fct_metrics_long: one row per (period, organization, metric, dimension). Source rows are read
// in keyset batches and folded into counters, so memory grows with the number of groups, not rows.
import { z } from "zod";

import type { TDb } from "@/lib/db/client";
import catalogData from "@/lib/datasets/metrics-catalog.json";
import { optedOutPatientIds } from "@/lib/patients/consent";

const ZMetric = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  unit: z.string(),
  grain: z.enum(["snapshot", "day", "month"]),
  source: z.string(),
  expression: z.string(),
  description: z.string(),
  suppress_small_counts: z.boolean(),
});
export type TMetric = z.infer<typeof ZMetric>;

export const METRICS_CATALOG = z.object({ small_cell_threshold: z.number().int().positive(), metrics: z.array(ZMetric) }).parse(catalogData);
export const SMALL_CELL_THRESHOLD = METRICS_CATALOG.small_cell_threshold;

export type TMetricRow = { period_date: string; organization_id: string; metric_id: string; dimension: string; value: string; suppressed: string };

const BATCH = 2_000;
const day = (date: Date) => date.toISOString().slice(0, 10);
const month = (date: Date) => `${date.toISOString().slice(0, 7)}-01`;

/** Distinct-member counters keyed by "period|org|metric|dimension". */
class Groups {
  private readonly members = new Map<string, Set<string> | number>();
  addDistinct(key: string, member: string) {
    let set = this.members.get(key) as Set<string> | undefined;
    if (!set) this.members.set(key, (set = new Set()));
    set.add(member);
  }
  addCount(key: string, amount = 1) {
    this.members.set(key, ((this.members.get(key) as number | undefined) ?? 0) + amount);
  }
  get(key: string) {
    const entry = this.members.get(key);
    return entry === undefined ? 0 : typeof entry === "number" ? entry : entry.size;
  }
  *entries(): Generator<[string, number]> {
    for (const key of this.members.keys()) yield [key, this.get(key)];
  }
}

async function* batches<T extends { id: string }>(fetch: (afterId: string | null) => Promise<T[]>) {
  let afterId: string | null = null;
  for (;;) {
    const rows = await fetch(afterId);
    if (!rows.length) return;
    yield rows;
    afterId = rows[rows.length - 1]!.id;
    if (rows.length < BATCH) return;
  }
}

const after = (afterId: string | null) => (afterId ? { id: { gt: afterId } } : {});
const key = (period: string, org: string | null, metric: string, dimension = "") => [period, org ?? "", metric, dimension].join("|");

/** Small counts of patients are shown empty with a flag (1-10; zero is not a small cell here because zero groups are never emitted). */
export function suppressCell(metric: TMetric, value: number): { value: string; suppressed: string } {
  if (metric.suppress_small_counts && value > 0 && value < SMALL_CELL_THRESHOLD) return { value: "", suppressed: "true" };

  return { value: String(value), suppressed: "false" };
}

export async function computeMetrics(db: TDb, asOf: Date, since: Date | null): Promise<TMetricRow[]> {
  const groups = new Groups();
  const snapshot = day(asOf);
  const practitionerOrg = new Map<string, string | null>();
  // Only practitioners counted in provider_count can be active providers: an inactive one with
  // recent submissions would push percent_active_providers over 100.
  const activePractitioners = new Set<string>();
  const patientOrg = new Map<string, string | null>();
  // Metrics are de-identified outputs: patients who opted out of data sharing count in no numerator
  // or denominator (lib/auth/policy.ts excludesOptedOutPatients).
  const optedOut = await optedOutPatientIds(db);

  for await (const rows of batches((afterId) => db.practitioner.findMany({ where: after(afterId), orderBy: { id: "asc" }, take: BATCH, select: { id: true, organizationId: true, active: true } }))) {
    for (const row of rows) {
      practitionerOrg.set(row.id, row.organizationId);
      if (!row.active) continue;
      activePractitioners.add(row.id);
      groups.addCount(key(snapshot, row.organizationId, "provider_count"));
    }
  }
  for await (const rows of batches((afterId) => db.patient.findMany({ where: after(afterId), orderBy: { id: "asc" }, take: BATCH, select: { id: true, organizationId: true, active: true } }))) {
    for (const row of rows) {
      if (optedOut.has(row.id)) continue;
      patientOrg.set(row.id, row.organizationId);
      if (row.active) groups.addCount(key(snapshot, row.organizationId, "patient_count"));
    }
  }

  const activeSince = new Date(asOf.getTime() - 30 * 86_400_000);
  const responseWhere = since ? { authoredAt: { gte: since < activeSince ? since : activeSince } } : {};
  for await (const rows of batches((afterId) =>
    db.questionnaireResponse.findMany({ where: { ...after(afterId), ...responseWhere }, orderBy: { id: "asc" }, take: BATCH, select: { id: true, patientId: true, practitionerId: true, questionnaire: true, authoredAt: true, severity: true } }),
  )) {
    for (const row of rows) {
      if (optedOut.has(row.patientId)) continue;
      if (row.practitionerId && activePractitioners.has(row.practitionerId) && row.authoredAt >= activeSince && row.authoredAt <= asOf) {
        groups.addDistinct(key(snapshot, practitionerOrg.get(row.practitionerId) ?? null, "active_providers"), row.practitionerId);
      }
      if (since && row.authoredAt < since) continue;
      const metric = row.questionnaire === "phq-9" ? "phq9_severity_distribution" : row.questionnaire === "gad-7" ? "gad7_severity_distribution" : null;
      if (metric && row.severity) groups.addDistinct(key(month(row.authoredAt), patientOrg.get(row.patientId) ?? null, metric, row.severity), row.patientId);
    }
  }

  for await (const rows of batches((afterId) =>
    db.encounter.findMany({ where: { ...after(afterId), ...(since ? { startAt: { gte: since } } : {}) }, orderBy: { id: "asc" }, take: BATCH, select: { id: true, patientId: true, organizationId: true, startAt: true, deliveryFormat: true } }),
  )) {
    for (const row of rows) {
      if (optedOut.has(row.patientId)) continue;
      const org = row.organizationId ?? patientOrg.get(row.patientId) ?? null;
      groups.addDistinct(key(day(row.startAt), org, "client_encounters"), row.patientId);
      groups.addCount(key(month(row.startAt), org, "encounters_by_delivery_format", row.deliveryFormat ?? "unknown"));
    }
  }

  for await (const rows of batches((afterId) => db.carePlan.findMany({ where: after(afterId), orderBy: { id: "asc" }, take: BATCH, select: { id: true, patientId: true, category: true, title: true, status: true } }))) {
    for (const row of rows) {
      if (optedOut.has(row.patientId)) continue;
      const service = row.category ?? row.title;
      const org = patientOrg.get(row.patientId) ?? null;
      if (["eligible", "accepted", "declined", "completed"].includes(row.status)) groups.addDistinct(key(snapshot, org, "referral_eligible_clients", service), row.patientId);
      if (["accepted", "completed"].includes(row.status)) groups.addDistinct(key(snapshot, org, "referral_accepted_clients", service), row.patientId);
    }
  }

  // percent_active_providers per organization that has providers.
  for (const [groupKey, providers] of [...groups.entries()]) {
    const [period, org, metric] = groupKey.split("|");
    if (metric !== "provider_count" || providers === 0) continue;
    const active = groups.get(key(period!, org!, "active_providers"));
    groups.addCount(key(period!, org!, "percent_active_providers"), Math.round((1000 * active) / providers) / 10);
  }

  const metricsById = new Map(METRICS_CATALOG.metrics.map((metric) => [metric.id, metric]));
  const rows: TMetricRow[] = [];
  for (const [groupKey, value] of groups.entries()) {
    const [period_date, organization_id, metric_id, dimension] = groupKey.split("|") as [string, string, string, string];
    const metric = metricsById.get(metric_id);
    // A metric missing from the catalog is not exported (the catalog is the contract).
    if (!metric) continue;
    rows.push({ period_date, organization_id, metric_id, dimension, ...suppressCell(metric, value) });
  }
  rows.sort((a, b) => a.metric_id.localeCompare(b.metric_id) || a.period_date.localeCompare(b.period_date) || a.organization_id.localeCompare(b.organization_id) || a.dimension.localeCompare(b.dimension));

  return rows;
}
