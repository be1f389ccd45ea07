// GET/PATCH/DELETE /api/v1/admin/warehouses/{id} – admins: one connection; change its URL
// (re-tested) or column policies (audited warehouse_updated); remove it (warehouse_removed).
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { getWarehouseConnection, removeWarehouse, updateWarehouse, type TUpdateWarehouseInput } from "@/lib/warehouse/warehouse-connections";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute<{ id: string }>(async ({ actor, params, meta }) => json(await getWarehouseConnection(actor, params.id, meta)));

export const PATCH = authedRoute<{ id: string }>(async ({ request, actor, params, meta }) =>
  json(await updateWarehouse(actor, params.id, (await readJsonBody(request)) as TUpdateWarehouseInput, meta)),
);

export const DELETE = authedRoute<{ id: string }>(async ({ actor, params, meta }) => {
  await removeWarehouse(actor, params.id, meta);
  return new Response(null, { status: 204 });
});
