// Starts a bulk dataset export: validate, ask the policy, apply the hourly limit, queue the job.
// The API route, the CLI and the scheduler all come through here.
import { z } from "zod";

import { ANON_PROFILES, isWeakerProfile, type TAnonProfile } from "@/lib/anonymize/profiles";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import { PII_PURPOSES, type TActor } from "@/lib/auth/policy";
import { zDateOrDateTime } from "@/lib/dates/bounded-dates";
import { isPostgres, prisma, type TDb } from "@/lib/db/client";
import type { TDatasetJobParameters } from "@/lib/datasets/dataset-export-parameters";
import { datasetsOfTier } from "@/lib/datasets/dataset-registry";
import { AppError, invalidInput } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";
import { enqueueJob, notifyJobQueued } from "@/lib/jobs/enqueue-job";
import { getSettings } from "@/lib/settings/settings";
import { datasetsOfTierWithWarehouses, WAREHOUSE_DATASET_PREFIX } from "@/lib/warehouse/warehouse-datasets";

export const DATASET_EXPORT_TYPE = "dataset";
const HOUR_MS = 3_600_000;

export const ZDatasetExportInput = z
  .object({
    tier: z.enum(["anon", "pii", "metrics"], { message: 'must be "anon", "pii" or "metrics"' }),
    datasets: z.array(z.string().min(1).max(100)).min(1, "must name at least one dataset").max(100).optional(),
    profile: z.string().optional(),
    since: zDateOrDateTime({ requireZone: true }).optional(),
    age_band_years: z.union([z.literal(5), z.literal(10)], { message: "must be 5 or 10 (years per age band); leave it out for whole years" }).optional(),
    reason: z.string().trim().max(500).optional(),
    purpose: z.enum(PII_PURPOSES, { message: `must be one of ${PII_PURPOSES.join(", ")}` }).optional(),
  })
  .strict();
export type TDatasetExportInput = { tier: string; datasets?: string[]; profile?: string; since?: string; age_band_years?: number; reason?: string; purpose?: string };

/** The shortest reason accepted for an identified (pii) export; the page asks for the same. */
export const PII_REASON_MIN_LENGTH = 5;

export type TDatasetExportOptions = {
  meta?: TRequestMeta | null;
  scheduledReportId?: string | null;
  skipRateLimit?: boolean;
  /** An incremental schedule's run: rows created or changed since `changedSince` (null: the first, full run). */
  incremental?: { changedSince: Date | null };
};

/** Seconds until the caller may start another export, or 0 when under the limit now. */
async function retryAfterSeconds(db: TDb, userId: string, perHour: number, now: Date) {
  const lastHour = await db.exportJob.findMany({
    where: { userId, kind: "dataset", scheduledReportId: null, createdAt: { gt: new Date(now.getTime() - HOUR_MS) } },
    orderBy: { createdAt: "desc" },
    select: { createdAt: true, parameters: true },
  });
  // Metrics exports are aggregate and small: they neither count here nor are limited.
  const recent = lastHour.filter((job) => (job.parameters as { tier?: string } | null)?.tier !== "metrics").slice(0, perHour);
  if (recent.length < perHour) return 0;
  const oldestCounted = recent[recent.length - 1]!.createdAt;

  return Math.max(1, Math.ceil((oldestCounted.getTime() + HOUR_MS - now.getTime()) / 1000));
}

export async function createDatasetExport(actor: TActor, input: TDatasetExportInput, options: TDatasetExportOptions = {}) {
  const body = parseOrThrow(ZDatasetExportInput, input, "Invalid dataset export");
  const tier = body.tier;
  await authorize(actor, { action: "dataset.export", tier }, { meta: options.meta, dataset: tier });

  // Anon tier: registered warehouse views too (only those reachable now); the warehouses are
  // asked only when the request names one of their datasets or takes the whole tier.
  const needsWarehouses = !body.datasets || body.datasets.some((name) => name.startsWith(WAREHOUSE_DATASET_PREFIX));
  const { datasets: tierDatasets, warehouses } = needsWarehouses ? await datasetsOfTierWithWarehouses(tier) : { datasets: datasetsOfTier(tier), warehouses: [] };
  const available = tierDatasets.map((dataset) => dataset.name);
  const names = body.datasets ? [...new Set(body.datasets)] : available;
  body.datasets?.forEach((name, index) => {
    const down = available.includes(name) ? undefined : warehouses.find((warehouse) => !warehouse.available && (warehouse.datasets.includes(name) || name.startsWith(`wh_${warehouse.name}_`)));
    if (down) throw invalidInput(`datasets.${index}`, `dataset "${name.slice(0, 100)}" is unavailable: warehouse "${down.name}" cannot be reached (${down.error})`);
    if (!available.includes(name)) throw invalidInput(`datasets.${index}`, `unknown dataset "${name.slice(0, 100)}" in the ${tier} tier (known: ${available.join(", ")})`);
  });

  const settings = await getSettings();
  let profile: TAnonProfile | null = null;
  if (tier !== "pii") {
    const requested = body.profile ?? settings.anonymization_default_profile;
    if (!(ANON_PROFILES as readonly string[]).includes(requested)) throw invalidInput("profile", `must be one of ${ANON_PROFILES.join(", ")}`);
    profile = requested as TAnonProfile;
    if (isWeakerProfile(profile, settings.anonymization_minimum_profile)) {
      throw invalidInput("profile", `"${profile}" is less strict than the minimum allowed profile "${settings.anonymization_minimum_profile}"`);
    }
  }
  // The identified tier is released only for a stated purpose, which is audited with the job.
  if (tier === "pii" && (!body.reason || body.reason.length < PII_REASON_MIN_LENGTH)) {
    throw invalidInput("reason", `state why identified data is needed (at least ${PII_REASON_MIN_LENGTH} characters)`);
  }

  if (tier !== "pii" && body.purpose !== undefined) throw invalidInput("purpose", "applies to the identified (pii) tier only: de-identified exports always leave out patients who opted out");
  if (tier === "pii" && body.age_band_years !== undefined) throw invalidInput("age_band_years", "applies to de-identified exports only: the identified tier exports birth dates");
  const ageBandYears = body.age_band_years ?? null;

  const since = body.since ? new Date(body.since).toISOString() : null;
  const purpose = tier === "pii" ? (body.purpose ?? null) : null;
  const incremental = options.incremental ? { changedSince: options.incremental.changedSince?.toISOString() ?? null } : null;
  const parameters: TDatasetJobParameters = { tier, datasets: names, profile, since, ageBandYears, purpose, incremental };

  const now = new Date();
  const job = await prisma.$transaction(async (tx) => {
    if (!options.skipRateLimit && actor.role !== "ADMIN" && tier !== "metrics") {
      // Requests sent together must not all count the same earlier exports: on PostgreSQL the
      // user's row is locked until this transaction commits, so the next one counts this job too.
      // (SQLite runs one write transaction at a time.)
      if (isPostgres()) await tx.$executeRaw`SELECT 1 FROM "User" WHERE "id" = ${actor.id} FOR UPDATE`;
      const wait = await retryAfterSeconds(tx, actor.id, settings.dataset_exports_per_hour, now);
      if (wait > 0) {
        throw new AppError("RATE_LIMITED", `You may start ${settings.dataset_exports_per_hour} dataset export(s) per hour; try again in ${Math.ceil(wait / 60)} minute(s).`, { retryAfterSeconds: wait });
      }
    }

    return enqueueJob(tx, {
      kind: "dataset",
      exportType: DATASET_EXPORT_TYPE,
      format: "zip",
      userId: actor.id,
      scheduledReportId: options.scheduledReportId ?? null,
      payload: parameters,
      meta: options.meta,
      dataset: `${tier}:${names.join(",")}`.slice(0, 500),
      auditDetails: { tier, datasets: names, profile, since, ...(ageBandYears ? { ageBandYears } : {}), ...(tier === "pii" ? { reason: body.reason, purpose } : {}) },
    });
  });
  notifyJobQueued();

  return {
    job_id: job.id,
    status: job.status.toLowerCase(),
    estimated_completion: new Date(job.createdAt.getTime() + 60_000 + names.length * 5_000).toISOString(),
  };
}
