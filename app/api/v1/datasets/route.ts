// GET /api/v1/datasets – the dataset catalog for the caller's tiers (columns, policies, row counts).
import { authorize } from "@/lib/auth/authorize";
import { listDatasetCatalog } from "@/lib/datasets/dataset-catalog";
import { authedRoute, json } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ actor, meta }) => {
  await authorize(actor, { action: "dataset.catalog" }, { meta });

  return json(await listDatasetCatalog(actor));
});
