"use client";

// The admin's templates, sorted in the browser (a practice has tens of them).
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";

import { DataTable } from "@/components/ui/data-table";

export type TTemplateRow = { id: string; name: string; description: string | null; export_type: string; format: string; version: number; is_system: boolean; updated_at: string };

const label = (value: string) => value.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
const column = createColumnHelper<TTemplateRow>();

const columns = [
  column.accessor("name", {
    header: "Name",
    cell: (info) => (
      <>
        <Link href={`/admin/templates/${info.row.original.id}`}>{info.getValue()}</Link>
        {info.row.original.description && <div className="small muted">{info.row.original.description}</div>}
      </>
    ),
  }),
  column.accessor((row) => label(row.export_type), { id: "export_type", header: "Export type" }),
  column.accessor((row) => row.format.toUpperCase(), { id: "format", header: "Format" }),
  column.accessor("version", { header: "Version", cell: (info) => `v${info.getValue()}` }),
  column.accessor((row) => (row.is_system ? "system" : "custom"), { id: "kind", header: "Kind", cell: (info) => <span className={`badge ${info.getValue() === "system" ? "badge-info" : ""}`}>{info.getValue()}</span> }),
  column.accessor("updated_at", { header: "Updated", meta: { className: "small nowrap" }, cell: (info) => info.getValue().slice(0, 10) }),
];

export function TemplatesTable({ templates }: { templates: TTemplateRow[] }) {
  return <DataTable testId="templates-table" rowTestId="template-row" columns={columns} data={templates} getRowId={(row) => row.id} empty="No templates yet." />;
}
