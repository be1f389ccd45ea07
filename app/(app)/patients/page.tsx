import type { Metadata } from "next";
import Link from "next/link";

import { Forbidden } from "@/components/forbidden";
import { Pager } from "@/components/pager";
import { canViewPage } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { listPatients, ZListPatientsQuery } from "@/lib/patients/list-patients";

export const metadata: Metadata = { title: "Patients" };
export const dynamic = "force-dynamic";

export default async function PatientsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "patient.list" }))) return <Forbidden what="patients" />;
  const parsed = ZListPatientsQuery.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : { page: 1, page_size: 25 };
  const result = await listPatients(actor, query);
  const pages = Math.max(1, Math.ceil(result.total / result.page_size));
  const pageHref = (page: number) => `/patients?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), page: String(page) })}`;

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Patients</h1>
          <p className="muted">{actor.role === "ADMIN" ? "All patients of the practice." : "Patients assigned to you."} {result.total} in all.</p>
        </div>
        <form className="row" role="search">
          <input name="q" placeholder="Search name, MRN or id" defaultValue={query.q ?? ""} aria-label="Search patients" />
          <button className="btn" type="submit">
            Search
          </button>
        </form>
      </div>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Date of birth</th>
              <th>Gender</th>
              <th>MRN</th>
              <th>Sessions</th>
              <th>Last session</th>
            </tr>
          </thead>
          <tbody>
            {result.patients.map((patient) => (
              <tr key={patient.id}>
                <td>
                  <Link href={`/patients/${patient.id}`}>{patient.name}</Link>
                </td>
                <td>{patient.birth_date ?? "—"}</td>
                <td>{patient.gender ?? "—"}</td>
                <td>{patient.mrn ?? "—"}</td>
                <td>{patient.encounter_count}</td>
                <td>{patient.last_encounter_at ? patient.last_encounter_at.slice(0, 10) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {result.patients.length === 0 && <div className="empty">{query.q ? "No patient matches that search." : "No patients are assigned to you yet."}</div>}
      </div>
      <Pager page={result.page} pages={pages} hrefFor={pageHref} />
    </>
  );
}
