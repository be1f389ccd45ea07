"use client";

import "@/components/zod-without-eval";

import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";

import { messageForPeople } from "@/lib/errors/message-for-people";
import { describeRule, nextRunAfter, parseScheduleRuleInput, RELATIVE_PERIODS } from "@/lib/schedules/time";

export type TScheduleFormOption = { id: string; label: string };

export type TScheduleFormInitial = {
  id: string;
  kind: "report" | "dataset";
  export_type: string;
  patient_id: string | null;
  patient_label?: string | null;
  dataset_tier: string | null;
  schedule_type: string;
  time: string;
  day_of_week: number;
  day_of_month: number;
  timezone: string;
  period: string;
  format: string;
  delivery_method: string;
  delivery_target: string;
  name: string;
  /** The stored parameters; the form edits period and format and keeps the rest (sections, options). */
  parameters: Record<string, unknown>;
};

type TProps = {
  /** Which kinds the signed-in role may schedule (the API asks the policy again). */
  kinds: ("report" | "dataset")[];
  patients: TScheduleFormOption[];
  allowPracticeWide: boolean;
  datasetTiers: string[];
  defaultTimezone: string;
  /** The IANA zones the server accepts, for the searchable picker. */
  timeZones: string[];
  /** Why email delivery is not offered (no SMTP server), or null. */
  emailUnavailable: string | null;
  /** Admins may name several email recipients. */
  canEmailSeveral: boolean;
  /** Editing an existing schedule: what it exports is fixed, the rule / parameters / delivery are not. */
  initial?: TScheduleFormInitial;
};

const REPORT_TYPES = [
  ["progress_report", "Progress report"],
  ["treatment_summary", "Treatment summary"],
  ["full_record", "Full record"],
  ["insurance_report", "Insurance report"],
] as const;
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const PERIOD_LABELS: Record<string, string> = {
  previous_day: "Previous day",
  previous_7_days: "Previous 7 days",
  previous_30_days: "Previous 30 days",
  previous_week: "Previous week (Mon–Sun)",
  previous_month: "Previous month",
  month_to_date: "Month to date",
};

type TIssue = { path: string; message: string };

/** Fields whose reason is shown beside them. */
const FIELD_HINTS = ["patient_id", "delivery_target"];

export function ScheduleForm({ kinds, patients, allowPracticeWide, datasetTiers, defaultTimezone, timeZones, emailUnavailable, canEmailSeveral, initial }: TProps) {
  const router = useRouter();
  const isEdit = Boolean(initial);
  const [kind, setKind] = useState<"report" | "dataset">(initial?.kind ?? kinds[0] ?? "report");
  const [exportType, setExportType] = useState(initial?.export_type ?? "progress_report");
  const [patientId, setPatientId] = useState(initial ? (initial.patient_id ?? "") : (patients[0]?.id ?? ""));
  // Editing: the schedule's patient is offered even when the list does not hold it.
  const patientOptions = initial?.patient_id && !patients.some((patient) => patient.id === initial.patient_id) ? [{ id: initial.patient_id, label: initial.patient_label ?? "Current patient" }, ...patients] : patients;
  const [tier, setTier] = useState(initial?.dataset_tier ?? datasetTiers[0] ?? "anon");
  const [scheduleType, setScheduleType] = useState(initial?.schedule_type ?? "monthly");
  const [time, setTime] = useState(initial?.time ?? "08:00");
  const [dayOfWeek, setDayOfWeek] = useState(initial?.day_of_week ?? 1);
  const [dayOfMonth, setDayOfMonth] = useState(initial?.day_of_month ?? 1);
  const [timezone, setTimezone] = useState(initial?.timezone ?? defaultTimezone);
  const [period, setPeriod] = useState(initial?.period ?? "previous_month");
  const [format, setFormat] = useState(initial?.format ?? "pdf");
  const [deliveryMethod, setDeliveryMethod] = useState(initial?.delivery_method ?? "storage");
  const [deliveryTarget, setDeliveryTarget] = useState(initial?.delivery_target ?? "");
  const [name, setName] = useState(initial?.name ?? "");
  const [issues, setIssues] = useState<TIssue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const scheduleConfig = useMemo(
    () => ({
      time,
      timezone,
      ...(scheduleType === "weekly" ? { day_of_week: dayOfWeek } : {}),
      ...(scheduleType === "monthly" ? { day_of_month: dayOfMonth } : {}),
    }),
    [time, timezone, scheduleType, dayOfWeek, dayOfMonth],
  );

  // The same parser and wording the server uses, so the preview is what will be stored.
  const preview = useMemo(() => {
    const parsed = parseScheduleRuleInput({ schedule_type: scheduleType, schedule_config: scheduleConfig }, defaultTimezone);
    if (!parsed.success) return { ok: false as const, text: parsed.issues.map((issue) => issue.message).join("; ") };

    return { ok: true as const, text: describeRule(parsed.rule, nextRunAfter(parsed.rule, new Date())) };
  }, [scheduleType, scheduleConfig, defaultTimezone]);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setIsBusy(true);
    setIssues([]);
    setError(null);
    const parameters = kind === "report" ? { ...(initial?.parameters ?? {}), format, period } : {};
    const common = { name: name.trim() || undefined, schedule_type: scheduleType, schedule_config: scheduleConfig, delivery_method: deliveryMethod, delivery_target: deliveryTarget.trim() || null };
    const subjectChanges =
      kind === "report" && initial ? { ...(exportType !== initial.export_type ? { export_type: exportType } : {}), ...((patientId || null) !== initial.patient_id ? { patient_id: patientId === "" ? null : patientId } : {}) } : {};
    const body = isEdit
      ? { ...common, ...(kind === "report" ? { parameters, ...subjectChanges } : {}) }
      : kind === "report"
        ? { ...common, export_type: exportType, patient_id: patientId === "" ? null : patientId, parameters }
        : { ...common, dataset_export: { tier } };
    const response = await fetch(isEdit ? `/api/v1/export/scheduled/${initial!.id}` : "/api/v1/export/scheduled", {
      method: isEdit ? "PATCH" : "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const result = (await response.json().catch(() => ({}))) as { id?: string; error?: string; issues?: TIssue[] };
    setIsBusy(false);
    if (!response.ok) {
      const all = result.issues ?? [];
      // Reasons shown beside their field are not said again at the top.
      const elsewhere = all.filter((issue) => !FIELD_HINTS.some((path) => issue.path === path || issue.path.startsWith(`${path}.`)));
      setError(messageForPeople(all.length && !elsewhere.length ? null : result.error, elsewhere) || (all.length ? "Check the fields marked below." : "The schedule could not be saved."));
      setIssues(all);
      return;
    }
    router.push(`/schedules/${result.id ?? initial?.id}`);
    router.refresh();
  }

  const issueFor = (path: string) => issues.find((issue) => issue.path === path || issue.path.startsWith(`${path}.`))?.message;

  return (
    <form className="stack" onSubmit={onSubmit} aria-label={isEdit ? "Edit schedule" : "New schedule"} data-testid="schedule-form">
      {error && (
        <div className="alert alert-danger" role="alert" data-testid="schedule-form-error">
          {error}
        </div>
      )}
      <label className="field">
        Name (optional, no patient names)
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={120} data-testid="schedule-name" />
      </label>

      {!isEdit && kinds.length > 1 && (
        <label className="field">
          What to export
          <select value={kind} onChange={(e) => setKind(e.target.value as "report" | "dataset")} data-testid="schedule-kind">
            {kinds.includes("report") && <option value="report">A patient report</option>}
            {kinds.includes("dataset") && <option value="dataset">A dataset export</option>}
          </select>
        </label>
      )}

      {kind === "report" && (
        <div className="grid-2">
          <label className="field">
            Report
            <select value={exportType} onChange={(e) => setExportType(e.target.value)} data-testid="schedule-export-type">
              {REPORT_TYPES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Patient
            <select value={patientId} onChange={(e) => setPatientId(e.target.value)} data-testid="schedule-patient">
              {allowPracticeWide && <option value="">Practice-wide</option>}
              {patientOptions.map((patient) => (
                <option key={patient.id} value={patient.id}>
                  {patient.label}
                </option>
              ))}
            </select>
            {issueFor("patient_id") && <span className="small muted">{issueFor("patient_id")}</span>}
          </label>
        </div>
      )}

      {!isEdit && kind === "dataset" && (
        <label className="field">
          Dataset tier
          <select value={tier} onChange={(e) => setTier(e.target.value)} data-testid="schedule-tier">
            {datasetTiers.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      )}

      <div className="grid-3">
        <label className="field">
          Repeats
          <select value={scheduleType} onChange={(e) => setScheduleType(e.target.value)} data-testid="schedule-type">
            <option value="daily">Daily</option>
            <option value="weekly">Weekly</option>
            <option value="monthly">Monthly</option>
          </select>
        </label>
        {scheduleType === "weekly" && (
          <label className="field">
            On
            <select value={dayOfWeek} onChange={(e) => setDayOfWeek(Number(e.target.value))} data-testid="schedule-day-of-week">
              {WEEKDAYS.map((label, index) => (
                <option key={label} value={index}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        )}
        {scheduleType === "monthly" && (
          <label className="field">
            Day of month (29–31 = last day in shorter months)
            <input type="number" min={1} max={31} value={dayOfMonth} onChange={(e) => setDayOfMonth(Number(e.target.value))} data-testid="schedule-day-of-month" />
          </label>
        )}
        <label className="field">
          Time (24 h)
          <input value={time} onChange={(e) => setTime(e.target.value)} placeholder="08:00" pattern="\d{2}:\d{2}" data-testid="schedule-time" />
        </label>
        <label className="field">
          Time zone (type to search)
          <input
            value={timezone}
            onChange={(e) => setTimezone(e.target.value)}
            list="schedule-time-zones"
            placeholder="Europe/Berlin"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={!timeZones.includes(timezone)}
            data-testid="schedule-timezone"
          />
          <datalist id="schedule-time-zones">
            {timeZones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          {!timeZones.includes(timezone) && timezone !== "" && (
            <span className="small muted" data-testid="schedule-timezone-hint">
              Choose a time zone from the list, such as America/New_York or Europe/Berlin.
            </span>
          )}
        </label>
      </div>

      <div className={preview.ok ? "alert alert-info" : "alert alert-warn"} data-testid="schedule-preview" aria-live="polite">
        {preview.text}
      </div>

      {kind === "report" && (
        <div className="grid-2">
          <label className="field">
            Period covered by each run
            <select value={period} onChange={(e) => setPeriod(e.target.value)} data-testid="schedule-period">
              {RELATIVE_PERIODS.map((value) => (
                <option key={value} value={value}>
                  {PERIOD_LABELS[value] ?? value}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value)} data-testid="schedule-format">
              {["pdf", "docx", "json", "csv", "fhir"].map((value) => (
                <option key={value} value={value}>
                  {value.toUpperCase()}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}

      <div className="grid-2">
        <label className="field">
          Delivery
          <select value={deliveryMethod} onChange={(e) => setDeliveryMethod(e.target.value)} data-testid="schedule-delivery-method">
            <option value="storage">Delivery folder on the server</option>
            <option value="email" disabled={emailUnavailable !== null && initial?.delivery_method !== "email"}>
              Email with a download link{emailUnavailable ? " (not available)" : ""}
            </option>
            <option value="webhook">Webhook (signed POST)</option>
          </select>
        </label>
        <label className="field">
          {deliveryMethod === "storage"
            ? "Sub-folder (optional)"
            : deliveryMethod === "email"
              ? canEmailSeveral
                ? "Email addresses, separated by commas (default: yours)"
                : "Email address (yours)"
              : "Webhook URL (https)"}
          <input value={deliveryTarget} onChange={(e) => setDeliveryTarget(e.target.value)} data-testid="schedule-delivery-target" />
          {issueFor("delivery_target") && <span className="small muted">{issueFor("delivery_target")}</span>}
        </label>
      </div>
      {emailUnavailable && (
        <p className="small muted" data-testid="schedule-email-unavailable">
          {emailUnavailable}
        </p>
      )}

      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={isBusy || !preview.ok} data-testid="schedule-submit">
          {isBusy ? "Saving…" : isEdit ? "Save changes" : "Create schedule"}
        </button>
      </div>
    </form>
  );
}
