"use client";

// The batch report control of the patients page: one report type for a whole caseload (admins:
// the practice or an organization) or for patients ticked in the list, queued through the same
// API integrations use (POST /api/v1/export/batch) and followed live, patient by patient.
import { useState } from "react";

import { ReportJobStatus } from "@/components/exports/report-job-status";
import { errorMessageOf, formatBytes } from "@/components/exports/use-job-events";

type TBatchType = "progress_report" | "treatment_summary" | "full_record" | "insurance_report";
type TScope = "caseload" | "patients" | "organization" | "practice";

const TYPE_LABELS: Record<TBatchType, string> = {
  progress_report: "Progress report",
  treatment_summary: "Treatment summary",
  full_record: "Full record",
  insurance_report: "Insurance report",
};

const FORMATS = [
  ["pdf", "PDF"],
  ["docx", "Word (DOCX)"],
  ["json", "JSON"],
  ["csv", "CSV"],
  ["fhir", "HL7 FHIR"],
] as const;

export type TBatchReportPanelProps = {
  isAdmin: boolean;
  /** The patients listed on the page, to tick. */
  patients: { id: string; name: string }[];
  organizations: { id: string; name: string }[];
  defaultPeriod: { start: string; end: string };
};

export function BatchReportPanel({ isAdmin, patients, organizations, defaultPeriod }: TBatchReportPanelProps) {
  const [exportType, setExportType] = useState<TBatchType>("progress_report");
  const [format, setFormat] = useState("pdf");
  const [combined, setCombined] = useState(false);
  const [scope, setScope] = useState<TScope>(isAdmin ? "practice" : "caseload");
  const [organizationId, setOrganizationId] = useState(organizations[0]?.id ?? "");
  const [chosen, setChosen] = useState<string[]>([]);
  const [start, setStart] = useState(defaultPeriod.start);
  const [end, setEnd] = useState(defaultPeriod.end);
  const [purpose, setPurpose] = useState<"insurance" | "transfer" | "records">("records");
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [job, setJob] = useState<{ id: string; patients: number } | null>(null);

  const hasPeriod = exportType === "progress_report" || exportType === "insurance_report";
  const scopes: [TScope, string][] = isAdmin
    ? [["practice", "Every patient of the practice"], ...(organizations.length ? [["organization", "One organization"] as [TScope, string]] : []), ["patients", "Patients ticked below"]]
    : [["caseload", "My whole caseload"], ["patients", "Patients ticked below"]];

  function body() {
    return {
      export_type: exportType,
      scope,
      ...(scope === "patients" ? { patient_ids: chosen } : {}),
      ...(scope === "organization" ? { organization_id: organizationId } : {}),
      format,
      ...(format === "pdf" && combined ? { combined: true } : {}),
      ...(hasPeriod ? { start_date: start, end_date: end } : {}),
      ...(exportType === "treatment_summary" ? { purpose } : {}),
    };
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    setJob(null);
    try {
      const response = await fetch("/api/v1/export/batch", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body()) });
      if (!response.ok) {
        setError(await errorMessageOf(response));
        return;
      }
      const queued = (await response.json()) as { job_id: string; patient_count: number };
      setJob({ id: queued.job_id, patients: queued.patient_count });
    } catch {
      setError("The request could not be sent. Check your connection and retry.");
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <details className="card" data-testid="batch-report">
      <summary>
        <strong>Batch report</strong> <span className="muted small">one report type for many patients: one ZIP of per-patient files, or one combined PDF</span>
      </summary>
      <form className="stack" onSubmit={submit} style={{ marginTop: 12 }}>
        <div className="grid-2">
          <label className="field">
            Report
            <select value={exportType} onChange={(e) => setExportType(e.target.value as TBatchType)} data-testid="batch-type">
              {(Object.keys(TYPE_LABELS) as TBatchType[]).map((type) => (
                <option key={type} value={type}>
                  {TYPE_LABELS[type]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value)} data-testid="batch-format">
              {FORMATS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>
        {format === "pdf" && (
          <label className="checkbox">
            <input type="checkbox" checked={combined} onChange={(e) => setCombined(e.target.checked)} data-testid="batch-combined" /> One combined PDF (instead of a ZIP of one file per patient)
          </label>
        )}
        {hasPeriod && (
          <div className="grid-2">
            <label className="field">
              From
              <input type="date" value={start} onChange={(e) => setStart(e.target.value)} data-testid="batch-start" required />
            </label>
            <label className="field">
              To
              <input type="date" value={end} onChange={(e) => setEnd(e.target.value)} data-testid="batch-end" required />
            </label>
          </div>
        )}
        {exportType === "treatment_summary" && (
          <label className="field">
            Purpose
            <select value={purpose} onChange={(e) => setPurpose(e.target.value as typeof purpose)} data-testid="batch-purpose">
              <option value="insurance">Insurance (minimum necessary)</option>
              <option value="transfer">Transfer of care</option>
              <option value="records">Records</option>
            </select>
          </label>
        )}

        <fieldset className="stack" data-testid="batch-scope">
          <legend>Patients</legend>
          {scopes.map(([value, label]) => (
            <label key={value} className="checkbox">
              <input type="radio" name="batch-scope" value={value} checked={scope === value} onChange={() => setScope(value)} data-testid={`batch-scope-${value}`} /> {label}
            </label>
          ))}
          {scope === "organization" && (
            <label className="field">
              Organization
              <select value={organizationId} onChange={(e) => setOrganizationId(e.target.value)} data-testid="batch-organization">
                {organizations.map((organization) => (
                  <option key={organization.id} value={organization.id}>
                    {organization.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {scope === "patients" && (
            <div className="stack" data-testid="batch-patients">
              {patients.length === 0 && <p className="muted small">No patients on this page.</p>}
              {patients.map((patient) => (
                <label key={patient.id} className="checkbox">
                  <input
                    type="checkbox"
                    checked={chosen.includes(patient.id)}
                    onChange={(e) => setChosen((current) => (e.target.checked ? [...current, patient.id] : current.filter((id) => id !== patient.id)))}
                    data-testid="batch-patient"
                  />{" "}
                  {patient.name}
                </label>
              ))}
              <p className="muted small">The patients listed on this page; search or page the list above to find others.</p>
            </div>
          )}
        </fieldset>

        {error && (
          <div className="alert alert-danger" role="alert" data-testid="batch-error">
            {error}
          </div>
        )}
        <div className="row">
          <button className="btn btn-primary" type="submit" disabled={submitting || (scope === "patients" && chosen.length === 0)} data-testid="batch-submit">
            {submitting ? "Queuing…" : "Export batch"}
          </button>
        </div>
      </form>
      {job && <BatchJobStatus jobId={job.id} patients={job.patients} />}
    </details>
  );
}

type TBatchProgress = { percent?: number; stage?: string; patients?: { done: number; total: number; included: number; skipped: number; failed: number } };

function BatchJobStatus({ jobId, patients }: { jobId: string; patients: number }) {
  return (
    <ReportJobStatus
      jobId={jobId}
      testId="batch"
      progressLabel="Batch progress"
      detail={(event) => {
        const tally = (event?.progress as TBatchProgress | null | undefined)?.patients;
        return (
          <span className="small" data-testid="batch-job-patients">
            {tally ? `${tally.done} of ${tally.total} patients` : `${patients} patients`}
            {tally && (tally.skipped || tally.failed) ? ` (${tally.skipped} skipped: no longer accessible; ${tally.failed} could not be rendered)` : ""}
          </span>
        );
      }}
      completed={(event) => (
        <span className="small muted">
          {event?.mime_type === "application/zip" ? "ZIP with a manifest.json listing every patient" : "PDF"} · {formatBytes(event?.file_size)}
        </span>
      )}
    />
  );
}
