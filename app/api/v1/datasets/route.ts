// GET /api/v1/datasets[?tier=anon|pii|metrics] – the dataset catalog for the caller's tiers
// (columns, policies, row counts); with `tier`, that tier only (403 if the caller may not export it).
import { z } from "zod";

import { authorize } from "@/lib/auth/authorize";
import { listDatasetCatalog } from "@/lib/datasets/dataset-catalog";
import { DATASET_TIERS, type TDatasetTier } from "@/lib/datasets/dataset-types";
import { authedRoute, json } from "@/lib/http/route";
import { parseOrThrow } from "@/lib/http/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZQuery = z.object({ tier: z.enum(["anon", "pii", "metrics"] satisfies TDatasetTier[], { message: `tier must be one of ${DATASET_TIERS.join(", ")}` }).optional() });

export const GET = authedRoute(async ({ request, actor, meta }) => {
  await authorize(actor, { action: "dataset.catalog" }, { meta });
  const tierParam = new URL(request.url).searchParams.get("tier");
  const { tier } = parseOrThrow(ZQuery, { tier: tierParam ?? undefined }, "Invalid dataset catalog query");
  if (tier) await authorize(actor, { action: "dataset.export", tier }, { meta });

  return json(await listDatasetCatalog(actor, tier ? { tier } : {}));
});
