"use client";

// A schedule's run history, newest first (the server sends the latest 50).
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";

import { DataTable } from "@/components/ui/data-table";
import type { TScheduleRunView } from "@/lib/schedules/schedule-view";

const STATUS_BADGE: Record<string, string> = { delivered: "badge-ok", queued: "badge-info", running: "badge-info", failed: "badge-danger", skipped: "badge-warn" };
const column = createColumnHelper<TScheduleRunView>();

function runColumns(timeZone: string) {
  return [
    column.accessor("scheduled_for", { id: "slot", header: `Slot (${timeZone})`, meta: { className: "nowrap" }, cell: (info) => info.row.original.scheduled_for_local }),
    column.accessor("status", {
      header: "Status",
      cell: (info) => (
        <span className={`badge ${STATUS_BADGE[info.getValue()] ?? ""}`} data-testid="schedule-run-status">
          {info.getValue()}
        </span>
      ),
    }),
    column.accessor("job_id", { header: "Job", enableSorting: false, meta: { className: "small", isCollapsible: true }, cell: (info) => (info.getValue() ? <Link href="/exports">{info.getValue()}</Link> : "—") }),
    column.display({
      id: "notes",
      header: "Notes",
      meta: { className: "small" },
      cell: ({ row: { original: run } }) => (
        <>
          {run.note && <div data-testid="schedule-run-note">{run.note}</div>}
          {run.error && <div className="muted">{run.error}</div>}
        </>
      ),
    }),
  ];
}

export function ScheduleRunsTable({ runs, timeZone }: { runs: TScheduleRunView[]; timeZone: string }) {
  return <DataTable testId="schedule-runs" rowTestId="schedule-run-row" columns={runColumns(timeZone)} data={runs} getRowId={(run) => run.id} initialSorting={[{ id: "slot", desc: true }]} empty="No runs yet." />;
}
