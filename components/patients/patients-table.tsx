"use client";

// A therapist's caseload (admins: every patient), sorted by the server (name, last session, next
// review) and paged; each name opens the patient's page.
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";

import { DataTable } from "@/components/ui/data-table";
import { useUrlSorting } from "@/components/ui/use-url-sorting";

export type TPatientRow = {
  id: string;
  name: string;
  birth_date: string | null;
  gender: string | null;
  mrn: string | null;
  encounter_count: number;
  last_encounter_at: string | null;
  next_review: string | null;
};

const SORTABLE = ["name", "last_session", "next_review"] as const;
const column = createColumnHelper<TPatientRow>();

function reviewCell(day: string | null, today: string) {
  if (!day) return "—";

  return day < today ? (
    <span title="The review date has passed">
      {day} <span className="badge badge-warn">overdue</span>
    </span>
  ) : (
    day
  );
}

export function PatientsTable({ patients, today, emptyText }: { patients: TPatientRow[]; today: string; emptyText: string }) {
  const { sorting, onSortingChange } = useUrlSorting({ sort: "name", order: "asc" }, SORTABLE);
  const columns = [
    column.accessor("name", { id: "name", header: "Name", cell: (info) => <Link href={`/patients/${info.row.original.id}`}>{info.getValue()}</Link> }),
    column.accessor("birth_date", { header: "Date of birth", enableSorting: false, meta: { className: "nowrap" }, cell: (info) => info.getValue() ?? "—" }),
    column.accessor("gender", { header: "Gender", enableSorting: false, meta: { isCollapsible: true }, cell: (info) => info.getValue() ?? "—" }),
    column.accessor("mrn", { header: "MRN", enableSorting: false, cell: (info) => info.getValue() ?? "—" }),
    column.accessor("encounter_count", { header: "Sessions", enableSorting: false }),
    column.accessor("last_encounter_at", { id: "last_session", header: "Last session", meta: { className: "nowrap", cellTestId: "patient-last-session" }, cell: (info) => info.getValue()?.slice(0, 10) ?? "—" }),
    column.accessor("next_review", { id: "next_review", header: "Next review", meta: { className: "nowrap", cellTestId: "patient-next-review" }, cell: (info) => reviewCell(info.getValue(), today) }),
  ];

  return <DataTable testId="patients-table" rowTestId="patient-row" columns={columns} data={patients} getRowId={(row) => row.id} sorting={sorting} onSortingChange={onSortingChange} empty={emptyText} />;
}
