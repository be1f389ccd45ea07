import type { Metadata } from "next";

import { FhirSourceManager } from "@/components/admin/fhir-source-manager";
import { Forbidden } from "@/components/forbidden";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "FHIR sources" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "fhir-source.manage" }))) return <Forbidden what="FHIR sources" />;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>FHIR sources</h1>
          <p className="muted">
            FHIR servers CareExport pulls from: each run asks the source&apos;s Bulk <code>$export</code> for what changed since the last successful run (the first run takes everything), or
            searches by <code>_lastUpdated</code> when the source has no Bulk Data, and imports it all or nothing. Requests follow the outbound rules (<code>OUTBOUND_ALLOW_HOSTS</code> for
            internal servers). Every change and run is audited.
          </p>
        </div>
      </div>
      <FhirSourceManager timeZone={env().PRACTICE_TIMEZONE} />
    </>
  );
}
