import type { Metadata } from "next";

import { FhirClientManager } from "@/components/admin/fhir-client-manager";
import { Forbidden } from "@/components/forbidden";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "FHIR clients" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "fhir-client.manage" }))) return <Forbidden what="FHIR clients" />;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>FHIR API clients</h1>
          <p className="muted">
            Machine clients (SMART Backend Services) sign a JWT with their private key and exchange it at <code>/api/fhir/auth/token</code> for a 5-minute access token. An analyst client
            reads de-identified data, an admin client identified data; scopes limit either. Every change is audited.
          </p>
        </div>
      </div>
      <FhirClientManager />
    </>
  );
}
