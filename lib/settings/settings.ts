// Admin settings, stored in the Setting table; unset ones fall back to these defaults.
import { z } from "zod";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { prisma, type TDb } from "@/lib/db/client";
import { invalidInput } from "@/lib/errors/app-error";
import { parseOrThrow } from "@/lib/errors/parse-or-throw";

export const AUDIT_RETENTION_MIN_YEARS = 6;

export const ZSettings = z.object({
  /** Days a finished export's file is kept before the sweeper deletes it. */
  file_expiry_days: z.number().int().min(1).max(90).default(7),
  /** Hours a signed download link stays valid. */
  link_lifetime_hours: z.number().int().min(1).max(168).default(24),
  /** Bulk dataset exports a non-admin may start per hour. */
  dataset_exports_per_hour: z.number().int().min(1).max(100).default(1),
  /** FHIR Bulk Data $export kick-offs one registered SMART client may make per hour (people: dataset_exports_per_hour). */
  fhir_bulk_client_exports_per_hour: z.number().int().min(1).max(100_000).default(20),
  /** Years audit records are kept: HIPAA keeps documentation six years, so no less (a state may ask for more). */
  audit_retention_years: z.number().int().min(AUDIT_RETENTION_MIN_YEARS, `must be at least ${AUDIT_RETENTION_MIN_YEARS} (HIPAA's documentation period)`).max(50).default(6),
  anonymization_default_profile: z.enum(["safe-harbor", "standard"]).default("safe-harbor"),
  /** The least strict profile an export may ask for. */
  anonymization_minimum_profile: z.enum(["safe-harbor", "standard"]).default("standard"),
  /**
   * The smallest k (patients sharing patient_anon's age, gender and ZIP-3 as released) a de-identified
   * export holding patient_anon may have; below it the release is refused. 0: report only.
   */
  k_anonymity_min_k: z.number().int().min(0).max(1000).default(0),
  /** Whether scheduled email deliveries may attach the file (otherwise a link only). */
  email_attachments_allowed: z.boolean().default(false),
  /** The longest an API token may be valid, in days (API, admin console and CLI alike). */
  api_token_max_days: z.number().int().min(1).max(366).default(90),
});
export type TSettings = z.infer<typeof ZSettings>;

export const SETTINGS_DEFAULTS: TSettings = ZSettings.parse({});

/**
 * Each stored setting is checked on its own: one that no longer passes (a retention stored before
 * the six-year minimum, say) falls back to its default alone, never taking the others with it.
 */
function readSettings(stored: Record<string, unknown>): TSettings {
  const settings: Record<string, unknown> = { ...SETTINGS_DEFAULTS };
  for (const [key, field] of Object.entries(ZSettings.shape)) {
    if (!(key in stored)) continue;
    const parsed = (field as z.ZodType).safeParse(stored[key]);
    if (parsed.success) settings[key] = parsed.data;
  }
  // A pair that no longer fits together (the default less strict than the minimum) takes the minimum.
  const result = settings as TSettings;
  if (result.anonymization_default_profile === "standard" && result.anonymization_minimum_profile === "safe-harbor") result.anonymization_default_profile = "safe-harbor";

  return result;
}

async function storedSettings(db: TDb): Promise<Record<string, unknown>> {
  const rows = await db.setting.findMany({ select: { key: true, value: true } });

  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

export async function getSettings(db: TDb = prisma): Promise<TSettings> {
  return readSettings(await storedSettings(db));
}

/** Changes some settings; each change is audited as a from → to diff. */
export async function updateSettings(changes: Partial<TSettings>, actorId: string, meta?: TRequestMeta) {
  const partial = parseOrThrow(ZSettings.partial().strict(), changes, "Invalid settings");

  return prisma.$transaction(async (tx) => {
    const stored = await storedSettings(tx);
    const current = readSettings(stored);
    const next = { ...current, ...partial };
    if (next.anonymization_default_profile === "standard" && next.anonymization_minimum_profile === "safe-harbor") {
      throw invalidInput("anonymization_default_profile", "cannot be less strict than the minimum profile");
    }
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    for (const [key, value] of Object.entries(partial)) {
      // A stored value that no longer passes reads as its default, but is still there: it is replaced (and shown as it was).
      const isStoredOtherwise = key in stored && stored[key] !== value;
      if (current[key as keyof TSettings] === value && !isStoredOtherwise) continue;
      diff[key] = { from: key in stored ? stored[key] : current[key as keyof TSettings], to: value };
      await tx.setting.upsert({ where: { key }, create: { key, value: value as never, updatedById: actorId }, update: { value: value as never, updatedById: actorId } });
    }
    if (Object.keys(diff).length) await recordAudit(tx, { action: "settings_changed", userId: actorId, metadata: { changes: diff }, meta });

    return next;
  });
}
