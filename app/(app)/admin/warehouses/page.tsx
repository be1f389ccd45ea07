import type { Metadata } from "next";

import { WarehouseManager } from "@/components/admin/warehouse-manager";
import { Forbidden } from "@/components/forbidden";
import { COLUMN_POLICIES } from "@/lib/anonymize/profiles";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { IDENTIFYING_PARTS } from "@/lib/warehouse/column-guard";

export const metadata: Metadata = { title: "Warehouses" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "warehouse.manage" }))) return <Forbidden what="warehouse connections" />;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Analytics warehouses</h1>
          <p className="muted">
            A read-only PostgreSQL connection whose views named <code>*_anon</code> become anon-tier datasets (<code>wh_&lt;name&gt;_&lt;view&gt;</code>). A column whose name contains{" "}
            {IDENTIFYING_PARTS.join(", ")} is refused until you give it a policy; other columns are exported as they are. Every change is audited.
          </p>
        </div>
      </div>
      <WarehouseManager policies={[...COLUMN_POLICIES]} />
    </>
  );
}
