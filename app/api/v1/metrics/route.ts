// GET /api/v1/metrics?period_start=&period_end=&organization= – the catalog's metrics as JSON, per
// metric its values per period, organization and dimension; small cells are marked suppressed and
// carry no value. Same access rule as the metrics dataset tier (analysts and admins); every read
// is audited (metrics_viewed: the filters and counts, never the values).
import { z } from "zod";

import { recordAudit } from "@/lib/audit/record";
import { getMetricsView } from "@/lib/datasets/get-metrics-view";
import { prisma } from "@/lib/db/client";
import { ZCalendarDate } from "@/lib/dates/bounded-dates";
import { json } from "@/lib/http/responses";
import { route, ZRouteId } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZQuery = z.strictObject({
  period_start: ZCalendarDate.optional(),
  period_end: ZCalendarDate.optional(),
  organization: ZRouteId.optional(),
});

export const GET = route({
  auth: "both",
  policy: { action: "dataset.export", tier: "metrics" },
  query: ZQuery,
  handler: async ({ actor, query, meta }) => {
    const view = await getMetricsView(prisma, { periodStart: query.period_start ?? null, periodEnd: query.period_end ?? null, organizationId: query.organization ?? null });
    await recordAudit(null, {
      action: "metrics_viewed",
      userId: actor.id,
      dataset: "metrics",
      metadata: {
        period_start: view.period_start,
        period_end: view.period_end,
        organization: view.organization,
        cells: view.metrics.reduce((sum, metric) => sum + metric.values.length, 0),
        suppressed: view.metrics.reduce((sum, metric) => sum + metric.values.filter((cell) => cell.suppressed).length, 0),
      },
      meta,
    });

    return json(view, 200, { "cache-control": "no-store" });
  },
});
