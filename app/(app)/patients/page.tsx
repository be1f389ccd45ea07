import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { Pager } from "@/components/pager";
import { PatientsTable } from "@/components/patients/patients-table";
import { BatchReportPanel } from "@/components/reports/batch-report-panel";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { listPatients, ZListPatientsQuery } from "@/lib/patients/list-patients";
import { batchOrganizationOptions } from "@/lib/reports/batch-report-patients";
import { defaultReportPeriod } from "@/lib/reports/report-requests";

export const metadata: Metadata = { title: "Patients" };
export const dynamic = "force-dynamic";

export default async function PatientsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "patient.list" }))) return <Forbidden what="patients" />;
  const parsed = ZListPatientsQuery.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : ZListPatientsQuery.parse({});
  const result = await listPatients(actor, query);
  const pages = Math.max(1, Math.ceil(result.total / result.page_size));
  const pageHref = (page: number) => `/patients?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), sort: query.sort, order: query.order, page: String(page) })}`;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Patients</h1>
          <p className="muted">{actor.role === "ADMIN" ? "All patients of the practice." : "Patients assigned to you."} {result.total} in all.</p>
        </div>
        <form className="row" role="search">
          <input type="hidden" name="sort" value={query.sort} />
          <input type="hidden" name="order" value={query.order} />
          <input name="q" placeholder="Search name, MRN or id" defaultValue={query.q ?? ""} aria-label="Search patients" />
          <button className="btn" type="submit">
            Search
          </button>
        </form>
      </div>
      <PatientsTable
        patients={result.patients}
        today={new Date().toISOString().slice(0, 10)}
        emptyText={query.q ? "No patient matches that search." : actor.role === "ADMIN" ? "No patients yet." : "No patients are assigned to you yet."}
      />
      <Pager page={result.page} pages={pages} hrefFor={pageHref} />
      <BatchReportPanel
        isAdmin={actor.role === "ADMIN"}
        patients={result.patients.map((patient) => ({ id: patient.id, name: patient.name }))}
        organizations={await batchOrganizationOptions(actor)}
        defaultPeriod={defaultReportPeriod(null)}
      />
    </>
  );
}
