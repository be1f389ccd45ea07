"use client";

// The Export panel of a patient's page: pick a report, its format, template, sections, period
// and redaction; the job is queued through the same API the integrations use and followed live.
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";

import { ReportJobStatus } from "./report-job-status";
import { errorMessageOf, formatBytes } from "./use-job-events";

type TExportType = "progress_report" | "treatment_summary" | "full_record" | "insurance_report" | "session_notes";

export type TExportPanelProps = {
  patientId: string;
  sections: Record<"progress_report" | "treatment_summary" | "full_record", readonly string[]>;
  treatmentPlans: { id: string; title: string }[];
  sessions: { id: string; date: string; label: string }[];
  defaultPeriod: { start: string; end: string };
};

const TYPE_LABELS: Record<TExportType, string> = {
  progress_report: "Progress report",
  treatment_summary: "Treatment summary",
  full_record: "Full record",
  insurance_report: "Insurance report",
  session_notes: "Session notes",
};

const FORMATS = [
  ["pdf", "PDF"],
  ["docx", "Word (DOCX)"],
  ["json", "JSON"],
  ["csv", "CSV"],
  ["fhir", "HL7 FHIR"],
] as const;

const ENDPOINTS: Record<TExportType, string> = {
  progress_report: "progress-report",
  treatment_summary: "treatment-summary",
  full_record: "full-record",
  insurance_report: "insurance-report",
  session_notes: "session-notes",
};

const humanize = (name: string) => name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

type TTemplateOption = { id: string; name: string; is_system?: boolean; version?: number };

export function ExportPanel({ patientId, sections, treatmentPlans, sessions, defaultPeriod }: TExportPanelProps) {
  const [exportType, setExportType] = useState<TExportType>("progress_report");
  const [format, setFormat] = useState<string>("pdf");
  const [templates, setTemplates] = useState<TTemplateOption[]>([]);
  const [templateId, setTemplateId] = useState("");
  const [start, setStart] = useState(defaultPeriod.start);
  const [end, setEnd] = useState(defaultPeriod.end);
  const [useDateRange, setUseDateRange] = useState(false);
  const [purpose, setPurpose] = useState<"insurance" | "transfer" | "records">("insurance");
  const [planId, setPlanId] = useState("");
  const [chosenSections, setChosenSections] = useState<Record<string, boolean>>({});
  const [selectedSessions, setSelectedSessions] = useState<string[]>(sessions.slice(0, 1).map((s) => s.id));
  const [batch, setBatch] = useState<"single" | "zip">("single");
  const [options, setOptions] = useState({ include_transcript: false, include_ai_notes: false, include_action_items: false, scrub_third_party: false });
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  // The PDF preview shown in the page (an object URL of the rendered bytes), and what it was made from.
  const [preview, setPreview] = useState<{ url: string; label: string } | null>(null);
  const [isPreviewing, setIsPreviewing] = useState(false);

  // An object URL holds the PDF in memory until it is revoked.
  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview.url);
  }, [preview]);

  const sectionNames = useMemo(() => (exportType in sections ? sections[exportType as keyof typeof sections] : []), [exportType, sections]);
  const isDocument = format === "pdf" || format === "docx";

  useEffect(() => {
    if (!isDocument) return;
    let cancelled = false;
    fetch(`/api/v1/export/templates?export_type=${exportType}&format=${format}`)
      .then((response) => (response.ok ? response.json() : { templates: [] }))
      .then((body: { templates?: TTemplateOption[] }) => {
        if (!cancelled) setTemplates(body.templates ?? []);
      })
      .catch(() => !cancelled && setTemplates([]));

    return () => {
      cancelled = true;
    };
  }, [exportType, format, isDocument]);

  const sectionValue = (name: string) => chosenSections[`${exportType}.${name}`] ?? true;

  function buildBody() {
    const include_sections = Object.fromEntries(sectionNames.map((name) => [name, sectionValue(name)]));
    const common = { format, ...(templateId ? { template_id: templateId } : {}), options };
    switch (exportType) {
      case "progress_report":
        return { ...common, patient_id: patientId, start_date: start, end_date: end, include_sections };
      case "insurance_report":
        return { ...common, patient_id: patientId, start_date: start, end_date: end };
      case "treatment_summary":
        return { ...common, patient_id: patientId, purpose, include_sections, ...(planId ? { treatment_plan_id: planId } : {}) };
      case "full_record":
        return { ...common, patient_id: patientId, include_sections, ...(useDateRange ? { date_range: { start, end } } : {}) };
      case "session_notes":
        return { ...common, session_ids: selectedSessions, batch };
    }
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    setJobId(null);
    try {
      const response = await fetch(`/api/v1/export/${ENDPOINTS[exportType]}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(buildBody()) });
      if (!response.ok) {
        setError(await errorMessageOf(response));
        return;
      }
      const body = (await response.json()) as { job_id: string };
      setJobId(body.job_id);
    } catch {
      setError("The server could not be reached. Check your connection and try again.");
    } finally {
      setSubmitting(false);
    }
  }

  async function showPreview() {
    setIsPreviewing(true);
    setError(null);
    try {
      const response = await fetch(`/api/v1/export/preview/${ENDPOINTS[exportType]}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(buildBody()) });
      if (!response.ok) {
        setError(await errorMessageOf(response));
        return;
      }
      const blob = await response.blob();
      setPreview({ url: URL.createObjectURL(blob), label: `${TYPE_LABELS[exportType]}${showPeriod ? `, ${start} to ${end}` : ""}` });
    } catch {
      setError("The server could not be reached. Check your connection and try again.");
    } finally {
      setIsPreviewing(false);
    }
  }

  const canPreview = exportType !== "session_notes" || (selectedSessions.length > 0 && batch === "single");
  const showPeriod = exportType === "progress_report" || exportType === "insurance_report" || (exportType === "full_record" && useDateRange);

  return (
    <section className="card" data-testid="export-panel">
      <h2>Export</h2>
      <form className="stack" onSubmit={submit}>
        <div className="grid-2">
          <label className="field">
            Report
            <select value={exportType} onChange={(e) => {
                setExportType(e.target.value as TExportType);
                setTemplateId("");
              }} data-testid="export-type">
              {(Object.keys(TYPE_LABELS) as TExportType[]).map((type) => (
                <option key={type} value={type}>
                  {TYPE_LABELS[type]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Format
            <select value={format} onChange={(e) => {
                setFormat(e.target.value);
                setTemplateId("");
              }} data-testid="export-format">
              {FORMATS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </div>

        {isDocument && (
          <label className="field">
            Template
            <select value={templateId} onChange={(e) => setTemplateId(e.target.value)} data-testid="export-template">
              <option value="">Standard template</option>
              {/* The standard (system) template is the first option already: one name for one thing. */}
              {templates.filter((template) => !template.is_system).map((template) => (
                <option key={template.id} value={template.id}>
                  {template.name}
                  {template.version ? ` (v${template.version})` : ""}
                </option>
              ))}
            </select>
          </label>
        )}

        {exportType === "full_record" && (
          <label className="checkbox">
            <input type="checkbox" checked={useDateRange} onChange={(e) => setUseDateRange(e.target.checked)} /> Limit to a date range
          </label>
        )}
        {showPeriod && (
          <div className="grid-2">
            <label className="field">
              From
              <input type="date" value={start} onChange={(e) => setStart(e.target.value)} data-testid="export-start" required />
            </label>
            <label className="field">
              To
              <input type="date" value={end} onChange={(e) => setEnd(e.target.value)} data-testid="export-end" required />
            </label>
          </div>
        )}

        {exportType === "treatment_summary" && (
          <div className="grid-2">
            <label className="field">
              Purpose
              <select value={purpose} onChange={(e) => setPurpose(e.target.value as typeof purpose)} data-testid="export-purpose">
                <option value="insurance">Insurance (minimum necessary)</option>
                <option value="transfer">Transfer of care</option>
                <option value="records">Records</option>
              </select>
            </label>
            <label className="field">
              Treatment plan
              <select value={planId} onChange={(e) => setPlanId(e.target.value)}>
                <option value="">Current plan</option>
                {treatmentPlans.map((plan) => (
                  <option key={plan.id} value={plan.id}>
                    {plan.title}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}

        {exportType === "session_notes" && (
          <fieldset className="stack" style={{ border: "none", padding: 0, margin: 0 }}>
            <legend className="small muted">Sessions</legend>
            {sessions.length === 0 && <p className="muted">No sessions recorded.</p>}
            <div style={{ maxHeight: 160, overflow: "auto" }}>
              {sessions.map((session) => (
                <label key={session.id} className="checkbox">
                  <input
                    type="checkbox"
                    checked={selectedSessions.includes(session.id)}
                    onChange={(e) => setSelectedSessions((current) => (e.target.checked ? [...current, session.id] : current.filter((id) => id !== session.id)))}
                  />
                  {session.date} · {session.label}
                </label>
              ))}
            </div>
            <label className="checkbox">
              <input type="checkbox" checked={batch === "zip"} onChange={(e) => setBatch(e.target.checked ? "zip" : "single")} /> One document per session (ZIP)
            </label>
          </fieldset>
        )}

        {sectionNames.length > 0 && (
          <fieldset className="stack" style={{ border: "none", padding: 0, margin: 0 }}>
            <legend className="small muted">Sections</legend>
            <div className="grid-2" style={{ gap: 4 }}>
              {sectionNames.map((name) => (
                <label key={name} className="checkbox">
                  <input type="checkbox" checked={sectionValue(name)} onChange={(e) => setChosenSections((current) => ({ ...current, [`${exportType}.${name}`]: e.target.checked }))} data-testid={`section-${name}`} />
                  {humanize(name)}
                </label>
              ))}
            </div>
          </fieldset>
        )}

        <fieldset className="stack" style={{ border: "none", padding: 0, margin: 0 }}>
          <legend className="small muted">Redaction</legend>
          <div className="grid-2" style={{ gap: 4 }}>
            {(
              [
                ["include_transcript", "Include session transcripts"],
                ["include_ai_notes", "Include AI-generated notes"],
                ["include_action_items", "Include action items"],
                ["scrub_third_party", "Scrub third-party names, phones and emails from notes (best effort: names given after a label or a relationship word)"],
              ] as const
            ).map(([key, label]) => (
              <label key={key} className="checkbox">
                <input type="checkbox" checked={options[key]} onChange={(e) => setOptions((current) => ({ ...current, [key]: e.target.checked }))} data-testid={`option-${key}`} />
                {label}
              </label>
            ))}
          </div>
        </fieldset>

        {error && (
          <div className="alert alert-danger" role="alert" data-testid="export-error">
            {error}
          </div>
        )}
        <div className="row">
          <button className="btn btn-primary" type="submit" disabled={submitting || (exportType === "session_notes" && selectedSessions.length === 0)} data-testid="export-submit">
            {submitting ? "Queuing…" : "Create export"}
          </button>
          <button className="btn" type="button" disabled={isPreviewing || !canPreview} onClick={() => void showPreview()} data-testid="export-preview" title={canPreview ? "See the report as it will print, before exporting it" : "Preview one session at a time"}>
            {isPreviewing ? "Rendering preview…" : "Preview"}
          </button>
          <Link href="/exports" className="small">
            All my exports
          </Link>
        </div>
      </form>
      {preview && (
        <div className="stack" style={{ marginTop: 14 }} data-testid="export-preview-panel">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <span className="small muted">Preview (PDF, not saved): {preview.label}</span>
            <button className="btn btn-sm" type="button" onClick={() => setPreview(null)} data-testid="export-preview-close">
              Close preview
            </button>
          </div>
          <iframe src={preview.url} title="Report preview" className="pdf-frame" data-testid="export-preview-frame" />
        </div>
      )}
      {jobId && <ExportJobStatus jobId={jobId} />}
    </section>
  );
}

function ExportJobStatus({ jobId }: { jobId: string }) {
  return (
    <ReportJobStatus
      jobId={jobId}
      testId="export"
      progressLabel="Export progress"
      completed={(event) => (
        <>
          {event?.mime_type === "application/pdf" && (
            <a className="btn" href={`/api/v1/export/download/${encodeURIComponent(jobId)}?disposition=inline`} target="_blank" rel="noopener" data-testid="export-open">
              Open
            </a>
          )}
          <span className="small muted">{formatBytes(event?.file_size)}</span>
        </>
      )}
    />
  );
}
