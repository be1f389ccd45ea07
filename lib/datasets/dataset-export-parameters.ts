// The parameters a dataset job is queued with (validated again when the job runs).
import { z } from "zod";

import { ANON_PROFILES } from "@/lib/anonymize/profiles";
import { PII_PURPOSES } from "@/lib/auth/policy";

export const ZDatasetJobParameters = z.object({
  tier: z.enum(["anon", "pii", "metrics"]),
  datasets: z.array(z.string()).min(1),
  /** null for the identified tier, which is not masked. */
  profile: z.enum(ANON_PROFILES).nullable(),
  since: z.string().datetime({ offset: true }).nullable().default(null),
  /** Ages in 5- or 10-year bands (de-identified tiers); null: whole years. */
  ageBandYears: z.union([z.literal(5), z.literal(10)]).nullable().default(null),
  /** Identified tier: why it is asked for (decides whether opted-out patients are in it); null: not stated. */
  purpose: z.enum(PII_PURPOSES).nullable().default(null),
  /** An incremental schedule's run: only rows created or changed since `changedSince` (null: full, the first run). */
  incremental: z.object({ changedSince: z.string().datetime({ offset: true }).nullable() }).nullable().default(null),
  /** Batch size for keyset reads (tests and the benchmark tune it). */
  batchSize: z.number().int().min(1).max(50_000).optional(),
});
export type TDatasetJobParameters = z.infer<typeof ZDatasetJobParameters>;

/** careexport_anon_20261123_091500.zip (UTC). */
export function datasetArchiveName(tier: string, at: Date) {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);

  return `careexport_${tier}_${stamp}.zip`;
}
