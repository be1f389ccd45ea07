// GET /api/v1/admin/warehouses – admins: registered warehouse connections (host/database only,
// never the URL) with each `_anon` view's column decisions. POST – register one (tested on
// save; audited warehouse_registered).
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { listWarehouseConnections, registerWarehouse, type TRegisterWarehouseInput } from "@/lib/warehouse/warehouse-connections";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ actor, meta }) => json(await listWarehouseConnections(actor, meta)));

export const POST = authedRoute(async ({ request, actor, meta }) => json(await registerWarehouse(actor, (await readJsonBody(request)) as TRegisterWarehouseInput, meta), 201));
