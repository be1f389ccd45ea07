"use client";

// The schedules list (admins: everyone's, with each owner), sorted in the browser: a practice has
// tens of schedules, not thousands.
import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";

import { ScheduleActions } from "@/components/schedules/schedule-actions";
import { DataTable } from "@/components/ui/data-table";

export type TScheduleRow = {
  id: string;
  title: string;
  subtitle: string | null;
  owner: { name: string; email: string } | null;
  target: string;
  rule: string;
  delivery: string;
  is_active: boolean;
  next_run_at: string | null;
  next_run_local: string | null;
  timezone: string;
  paused_reason: string | null;
  last_status: string | null;
  last_run_local: string | null;
};

const STATUS_BADGE: Record<string, string> = { delivered: "badge-ok", queued: "badge-info", running: "badge-info", failed: "badge-danger", skipped: "badge-warn" };
const column = createColumnHelper<TScheduleRow>();

function scheduleColumns(showOwner: boolean) {
  return [
    column.accessor("title", {
      id: "type",
      header: "Type",
      cell: (info) => (
        <>
          <Link href={`/schedules/${info.row.original.id}`} data-testid="schedule-link">
            {info.getValue()}
          </Link>
          {info.row.original.subtitle && <div className="small muted">{info.row.original.subtitle}</div>}
        </>
      ),
    }),
    ...(showOwner
      ? [column.accessor((row) => row.owner?.name ?? "", { id: "owner", header: "Owner", meta: { cellTestId: "schedule-owner" }, cell: (info) => <span title={info.row.original.owner?.email}>{info.getValue() || "—"}</span> })]
      : []),
    column.accessor("target", { header: "Target", meta: { cellTestId: "schedule-target" } }),
    column.accessor("rule", { header: "Rule", enableSorting: false, meta: { className: "small", isCollapsible: true } }),
    column.accessor("delivery", { header: "Delivery", meta: { cellTestId: "schedule-delivery" } }),
    column.accessor((row) => (row.is_active ? (row.next_run_at ?? "") : "~paused"), {
      id: "next_run",
      header: "Next run (local)",
      meta: { cellTestId: "schedule-next-run" },
      cell: ({ row: { original: schedule } }) =>
        schedule.is_active ? (
          <>
            {schedule.next_run_local} <span className="small muted">{schedule.timezone}</span>
          </>
        ) : (
          <>
            <span className="badge badge-warn" title={schedule.paused_reason ?? undefined} data-testid="schedule-paused">
              Paused
            </span>
            {schedule.paused_reason && (
              <div className="small muted" data-testid="schedule-paused-reason">
                {schedule.paused_reason}
              </div>
            )}
          </>
        ),
    }),
    column.accessor((row) => row.last_status ?? "", {
      id: "last_status",
      header: "Last status",
      meta: { cellTestId: "schedule-last-status" },
      cell: ({ row: { original: schedule } }) => (
        <>
          {schedule.last_status ? <span className={`badge ${STATUS_BADGE[schedule.last_status] ?? ""}`}>{schedule.last_status}</span> : <span className="muted">never run</span>}
          {schedule.last_run_local && <div className="small muted">{schedule.last_run_local}</div>}
        </>
      ),
    }),
    column.display({ id: "actions", header: () => <span className="sr-only">Actions</span>, cell: (info) => <ScheduleActions id={info.row.original.id} isActive={info.row.original.is_active} /> }),
  ];
}

export function SchedulesTable({ schedules, showOwner }: { schedules: TScheduleRow[]; showOwner: boolean }) {
  return (
    <DataTable
      testId="schedules-table"
      rowTestId="schedule-row"
      columns={scheduleColumns(showOwner)}
      data={schedules}
      getRowId={(row) => row.id}
      rowAttributes={(row) => ({ "data-schedule-id": row.id })}
      initialSorting={[{ id: "next_run", desc: false }]}
      empty={<span data-testid="schedules-empty">No schedules yet. Create one to have a report or dataset produced and delivered automatically.</span>}
    />
  );
}
