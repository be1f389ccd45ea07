import type { Metadata } from "next";
import Link from "next/link";

import { SchedulesTable, type TScheduleRow } from "@/components/schedules/schedules-table";
import { requirePageActor } from "@/lib/auth/session";
import { listSchedules } from "@/lib/schedules/list-schedules";
import { exportTypeLabel, ownerLabels, patientLabels } from "@/lib/schedules/schedule-page-data";

export const metadata: Metadata = { title: "Schedules" };
export const dynamic = "force-dynamic";

export default async function SchedulesPage() {
  const actor = await requirePageActor();
  // Own schedules only (admins: all); the list query is the authorization.
  const schedules = await listSchedules(actor);
  const names = await patientLabels(actor, schedules.flatMap((s) => (s.patient_id ? [s.patient_id] : [])));
  const isAdmin = actor.role === "ADMIN";
  const owners = await ownerLabels(actor, schedules.map((s) => s.owner_id));
  const rows: TScheduleRow[] = schedules.map((schedule) => ({
    id: schedule.id,
    title: schedule.name ?? exportTypeLabel(schedule.export_type),
    subtitle: schedule.name ? exportTypeLabel(schedule.export_type) : null,
    owner: owners.get(schedule.owner_id) ?? null,
    target:
      schedule.kind === "dataset"
        ? `Dataset (${(schedule.dataset_export as { tier?: string } | null)?.tier ?? "anon"})`
        : schedule.patient_id
          ? (names.get(schedule.patient_id) ?? "Patient")
          : "Practice-wide",
    rule: schedule.description.replace(/ \(next run .*\)$/, ""),
    delivery: schedule.delivery_method,
    is_active: schedule.is_active,
    next_run_at: schedule.next_run_at,
    next_run_local: schedule.next_run_local,
    timezone: schedule.timezone,
    paused_reason: schedule.paused_reason,
    last_status: schedule.last_status,
    last_run_local: schedule.last_run_local,
  }));

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
      <SchedulesTable schedules={rows} showOwner={isAdmin} />
    </>
  );
}
