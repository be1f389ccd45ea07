// GET/PATCH/DELETE /api/v1/admin/warehouses/{id} – admins: one connection; change its URL
// (re-tested) or column policies (audited warehouse_updated); remove it (warehouse_removed).
import { json } from "@/lib/http/responses";
import { route, ZIdParams, ZJsonObject } from "@/lib/http/route";
import { getWarehouseConnection, removeWarehouse, updateWarehouse, type TUpdateWarehouseInput } from "@/lib/warehouse/warehouse-connections";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The service asks the policy (warehouse.manage) and validates the body itself.
export const GET = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await getWarehouseConnection(actor, params.id, meta)) });

export const PATCH = route({
  auth: "both",
  params: ZIdParams,
  body: ZJsonObject,
  handler: async ({ actor, params, body, meta }) => json(await updateWarehouse(actor, params.id, body as TUpdateWarehouseInput, meta)),
});

export const DELETE = route({
  auth: "both",
  params: ZIdParams,
  handler: async ({ actor, params, meta }) => {
    await removeWarehouse(actor, params.id, meta);

    return new Response(null, { status: 204 });
  },
});
