import type { Metadata } from "next";

import { ExportJobsTable } from "@/components/exports/export-jobs-table";
import { requirePageActor } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Exports" };
export const dynamic = "force-dynamic";

export default async function ExportsPage() {
  const actor = await requirePageActor();
  const isAdmin = actor.role === "ADMIN";

  return (
    <>
      <div className="page-header">
        <div>
          <h1>{isAdmin ? "All exports" : "My exports"}</h1>
          <p className="muted">{isAdmin ? "Every report and dataset export of the practice, with who requested it." : "Reports and datasets you requested."} Files are encrypted at rest and deleted when they expire.</p>
        </div>
      </div>
      <ExportJobsTable showOwner={isAdmin} />
    </>
  );
}
