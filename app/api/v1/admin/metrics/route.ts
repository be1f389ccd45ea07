// GET /api/v1/admin/metrics – admins: the metrics catalog (each metric's current version, retired
// ones included) and the sources and columns a definition may use. POST – define a metric
// (version 1; checked against the sources; audited metric_created).
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";
import { createMetricDefinition, listMetricDefinitions } from "@/lib/metrics/manage-metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The service asks the policy (metric.manage) and validates the definition itself.
export const GET = route({ auth: "both", handler: async ({ actor, meta }) => json(await listMetricDefinitions(actor, meta), 200, { "cache-control": "no-store" }) });

export const POST = route({
  auth: "both",
  body: ZJsonObject,
  handler: async ({ actor, body, meta }) => json(await createMetricDefinition(actor, body, meta), 201),
});
