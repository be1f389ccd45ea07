// GET/PATCH/DELETE /api/v1/admin/metrics/{id} – admins: one metric with every version; change it
// (the fields given, checked whole, become the next version: metric_updated; a retired metric
// changed is reinstated); retire it (a version too, history kept: metric_retired).
import { json } from "@/lib/http/responses";
import { route, ZIdParams, ZJsonObject } from "@/lib/http/route";
import { getMetricDefinition, retireMetricDefinition, updateMetricDefinition } from "@/lib/metrics/manage-metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The service asks the policy (metric.manage) and validates the definition itself.
export const GET = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await getMetricDefinition(actor, params.id, meta), 200, { "cache-control": "no-store" }) });

export const PATCH = route({
  auth: "both",
  params: ZIdParams,
  body: ZJsonObject,
  handler: async ({ actor, params, body, meta }) => json(await updateMetricDefinition(actor, params.id, body, meta)),
});

export const DELETE = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await retireMetricDefinition(actor, params.id, meta)) });
