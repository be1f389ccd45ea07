import type { Metadata } from "next";

import { MetricEditor } from "@/components/admin/metric-editor";
import { Forbidden } from "@/components/forbidden";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Metrics catalog" };
export const dynamic = "force-dynamic";

export default async function Page() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "metric.manage" }))) return <Forbidden what="the metrics catalog" />;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Metrics catalog</h1>
          <p className="muted">
            The metrics analysts see on the Metrics tab, in <code>fct_metrics_long</code> and as FHIR Measures. A metric counts, counts distinct values of, or sums a column of one source, with filters; or
            divides two such metrics. Each change is saved as a new version and audited; retiring keeps the history.
          </p>
        </div>
      </div>
      <MetricEditor />
    </>
  );
}
