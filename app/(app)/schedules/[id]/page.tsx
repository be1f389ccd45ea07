import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ScheduleActions } from "@/components/schedules/schedule-actions";
import { ScheduleForm } from "@/components/schedules/schedule-form";
import { ScheduleRunControls } from "@/components/schedules/schedule-run-controls";
import { ScheduleRunsTable } from "@/components/schedules/schedule-runs-table";
import { pageRequestMeta } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors/app-error";
import { getSchedule } from "@/lib/schedules/list-schedules";
import { exportTypeLabel, ownerLabels, patientLabels, scheduleFormOptions } from "@/lib/schedules/schedule-page-data";

export const metadata: Metadata = { title: "Schedule" };
export const dynamic = "force-dynamic";

async function loadOr404(actor: Awaited<ReturnType<typeof requirePageActor>>, id: string) {
  try {
    return await getSchedule(actor, id, { meta: await pageRequestMeta() });
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export default async function SchedulePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const schedule = await loadOr404(actor, (await params).id);
  const [names, options, owners] = await Promise.all([patientLabels(actor, schedule.patient_id ? [schedule.patient_id] : []), scheduleFormOptions(actor), ownerLabels(actor, [schedule.owner_id])]);
  const owner = schedule.owner_id === actor.id ? { name: actor.name, email: actor.email } : (owners.get(schedule.owner_id) ?? null);
  const parameters = (schedule.parameters ?? {}) as { period?: string; format?: string };
  const config = schedule.schedule_config as { time: string; day_of_week?: number; day_of_month?: number; timezone?: string };
  const target = schedule.kind === "dataset" ? `Dataset (${(schedule.dataset_export as { tier?: string } | null)?.tier ?? "anon"})` : schedule.patient_id ? (names.get(schedule.patient_id) ?? "Patient") : "Practice-wide";

  return (
    <>
      <div className="page-header">
        <div>
          <p className="small">
            <Link href="/schedules">← Schedules</Link>
          </p>
          <h1 data-testid="schedule-title">{schedule.name ?? `${exportTypeLabel(schedule.export_type)} — ${target}`}</h1>
          <p className="muted" data-testid="schedule-description">
            {schedule.description}
          </p>
        </div>
        <ScheduleActions id={schedule.id} isActive={schedule.is_active} />
      </div>

      <div className="card">
        <dl className="facts" data-testid="schedule-facts">
          <dt>Report type</dt>
          <dd data-testid="schedule-fact-type">{exportTypeLabel(schedule.export_type)}</dd>
          <dt>{schedule.kind === "dataset" ? "Dataset" : "Patient"}</dt>
          <dd data-testid="schedule-fact-patient">{target}</dd>
          <dt>Owner</dt>
          <dd data-testid="schedule-fact-owner">{owner ? `${owner.name} (${owner.email})` : "—"}</dd>
        </dl>
        <ScheduleRunControls id={schedule.id} isActive={schedule.is_active} deliveryMethod={schedule.delivery_method} />
      </div>

      {!schedule.is_active && (
        <div className="alert alert-warn" role="status" data-testid="schedule-paused-reason">
          Paused. {schedule.paused_reason ?? ""}
        </div>
      )}

      <div className="grid-3">
        <div className="card stat">
          <div className="small muted">Next run ({schedule.timezone})</div>
          <strong data-testid="schedule-next-run">{schedule.next_run_local ?? "—"}</strong>
        </div>
        <div className="card stat">
          <div className="small muted">Last status</div>
          <strong data-testid="schedule-last-status">{schedule.last_status ?? "never run"}</strong>
        </div>
        <div className="card stat">
          <div className="small muted">Delivery</div>
          <strong data-testid="schedule-delivery">{schedule.delivery_method}</strong>
          {schedule.delivery_target && <div className="small muted">{schedule.delivery_target}</div>}
        </div>
      </div>

      {schedule.webhook_secret && (
        <div className="card">
          <h2>Webhook signature</h2>
          <p className="small muted">
            Verify <code>X-CareExport-Signature</code> (HMAC-SHA256 over <code>timestamp.body</code>, header <code>X-CareExport-Timestamp</code>) with this secret:
          </p>
          <code data-testid="schedule-webhook-secret">{schedule.webhook_secret}</code>
        </div>
      )}

      <h2>Run history</h2>
      <ScheduleRunsTable runs={schedule.runs} timeZone={schedule.timezone} />

      <h2>Edit</h2>
      <div className="card">
        <ScheduleForm
          {...options}
          kinds={[schedule.kind]}
          initial={{
            id: schedule.id,
            kind: schedule.kind,
            export_type: schedule.export_type,
            patient_id: schedule.patient_id,
            patient_label: schedule.patient_id ? (names.get(schedule.patient_id) ?? null) : null,
            dataset_tier: (schedule.dataset_export as { tier?: string } | null)?.tier ?? null,
            schedule_type: schedule.schedule_type,
            time: config.time,
            day_of_week: config.day_of_week ?? 1,
            day_of_month: config.day_of_month ?? 1,
            timezone: config.timezone ?? schedule.timezone,
            period: parameters.period ?? "previous_month",
            format: parameters.format ?? schedule.format,
            delivery_method: schedule.delivery_method,
            delivery_target: schedule.delivery_target ?? "",
            name: schedule.name ?? "",
            parameters: (schedule.parameters ?? {}) as Record<string, unknown>,
          }}
        />
      </div>
    </>
  );
}
