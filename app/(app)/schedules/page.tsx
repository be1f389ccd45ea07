import type { Metadata } from "next";
import Link from "next/link";

import { ScheduleActions } from "@/components/schedules/schedule-actions";
import { requirePageActor } from "@/lib/auth/session";
import { listSchedules } from "@/lib/schedules/list-schedules";
import { exportTypeLabel, ownerLabels, patientLabels } from "@/lib/schedules/schedule-page-data";

export const metadata: Metadata = { title: "Schedules" };
export const dynamic = "force-dynamic";

const STATUS_BADGE: Record<string, string> = { delivered: "badge-ok", queued: "badge-info", running: "badge-info", failed: "badge-danger", skipped: "badge-warn" };

export default async function SchedulesPage() {
  const actor = await requirePageActor();
  // Own schedules only (admins: all); the list query is the authorization.
  const schedules = await listSchedules(actor);
  const names = await patientLabels(actor, schedules.flatMap((s) => (s.patient_id ? [s.patient_id] : [])));
  const isAdmin = actor.role === "ADMIN";
  const owners = await ownerLabels(actor, schedules.map((s) => s.owner_id));

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Schedules</h1>
          <p className="muted">{actor.role === "ADMIN" ? "Every scheduled export of the practice." : "Your scheduled exports."} Times are shown in each schedule&apos;s own time zone.</p>
        </div>
        <Link className="btn btn-primary" href="/schedules/new" data-testid="schedule-new">
          New schedule
        </Link>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="schedules-table">
          <thead>
            <tr>
              <th>Type</th>
              {isAdmin && <th>Owner</th>}
              <th>Target</th>
              <th>Rule</th>
              <th>Delivery</th>
              <th>Next run (local)</th>
              <th>Last status</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => (
              <tr key={schedule.id} data-testid="schedule-row" data-schedule-id={schedule.id}>
                <td>
                  <Link href={`/schedules/${schedule.id}`} data-testid="schedule-link">
                    {schedule.name ?? exportTypeLabel(schedule.export_type)}
                  </Link>
                  {schedule.name && <div className="small muted">{exportTypeLabel(schedule.export_type)}</div>}
                </td>
                {isAdmin && (
                  <td data-testid="schedule-owner" title={owners.get(schedule.owner_id)?.email}>
                    {owners.get(schedule.owner_id)?.name ?? "—"}
                  </td>
                )}
                <td data-testid="schedule-target">
                  {schedule.kind === "dataset"
                    ? `Dataset (${(schedule.dataset_export as { tier?: string } | null)?.tier ?? "anon"})`
                    : schedule.patient_id
                      ? (names.get(schedule.patient_id) ?? "Patient")
                      : "Practice-wide"}
                </td>
                <td className="small">{schedule.description.replace(/ \(next run .*\)$/, "")}</td>
                <td data-testid="schedule-delivery">{schedule.delivery_method}</td>
                <td data-testid="schedule-next-run">
                  {schedule.is_active ? (
                    <>
                      {schedule.next_run_local} <span className="small muted">{schedule.timezone}</span>
                    </>
                  ) : (
                    <span className="badge badge-warn" title={schedule.paused_reason ?? undefined} data-testid="schedule-paused">
                      Paused
                    </span>
                  )}
                  {!schedule.is_active && schedule.paused_reason && <div className="small muted" data-testid="schedule-paused-reason">{schedule.paused_reason}</div>}
                </td>
                <td data-testid="schedule-last-status">
                  {schedule.last_status ? <span className={`badge ${STATUS_BADGE[schedule.last_status] ?? ""}`}>{schedule.last_status}</span> : <span className="muted">never run</span>}
                  {schedule.last_run_local && <div className="small muted">{schedule.last_run_local}</div>}
                </td>
                <td>
                  <ScheduleActions id={schedule.id} isActive={schedule.is_active} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {schedules.length === 0 && (
          <div className="empty" data-testid="schedules-empty">
            No schedules yet. Create one to have a report or dataset produced and delivered automatically.
          </div>
        )}
      </div>
    </>
  );
}
