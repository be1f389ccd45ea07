// GET /api/v1/datasets[?tier=anon|pii|metrics] – the dataset catalog for the caller's tiers
// (columns, policies, row counts); with `tier`, that tier only (403 if the caller may not export it).
import { z } from "zod";

import { authorize } from "@/lib/auth/authorize";
import { listDatasetCatalog } from "@/lib/datasets/dataset-catalog";
import { DATASET_TIERS, type TDatasetTier } from "@/lib/datasets/dataset-types";
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZQuery = z.object({ tier: z.enum(["anon", "pii", "metrics"] satisfies TDatasetTier[], { message: `tier must be one of ${DATASET_TIERS.join(", ")}` }).optional() });

export const GET = route({
  auth: "both",
  policy: { action: "dataset.catalog" },
  query: ZQuery,
  handler: async ({ actor, query: { tier }, meta }) => {
    if (tier) await authorize(actor, { action: "dataset.export", tier }, { meta });

    return json(await listDatasetCatalog(actor, tier ? { tier } : {}));
  },
});
