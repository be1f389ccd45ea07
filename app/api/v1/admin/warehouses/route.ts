// GET /api/v1/admin/warehouses – admins: registered warehouse connections (host/database only,
// never the URL) with each `_anon` view's column decisions. POST – register one (tested on
// save; audited warehouse_registered).
import { json } from "@/lib/http/responses";
import { route, ZJsonObject } from "@/lib/http/route";
import { listWarehouseConnections, registerWarehouse, type TRegisterWarehouseInput } from "@/lib/warehouse/warehouse-connections";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// The service asks the policy (warehouse.manage) and validates the body itself.
export const GET = route({ auth: "both", handler: async ({ actor, meta }) => json(await listWarehouseConnections(actor, meta)) });

export const POST = route({
  auth: "both",
  body: ZJsonObject,
  handler: async ({ actor, body, meta }) => json(await registerWarehouse(actor, body as TRegisterWarehouseInput, meta), 201),
});
