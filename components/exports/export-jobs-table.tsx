"use client";

// The caller's export jobs (admins: everyone's), refreshed while any is still running, with
// download and delete. Status changes appear without a reload.
import { useEffect, useState } from "react";

import { errorMessageOf, formatBytes, isFinalStatus } from "./use-job-events";

type TJobRow = {
  job_id?: string;
  id?: string;
  patient_name?: string | null;
  export_type?: string;
  format?: string;
  status: string;
  progress?: { percent?: number } | null;
  created_at?: string;
  completed_at?: string | null;
  file_size?: number | null;
  /** The signed link's expiry (a detail: a new link is signed on every load). */
  expires_at?: string | null;
  /** When the file itself is deleted: what "Expires" means to people. */
  file_expires_at?: string | null;
  error?: string | null;
  requested_by?: { name: string; email: string } | null;
};

const REFRESH_MS = 2_000;

const when = (value: string | null | undefined) => (value ? new Date(value).toLocaleString() : "—");
const label = (value: string | undefined) => (value ?? "").replace(/_/g, " ");

function statusBadge(status: string) {
  const s = status.toLowerCase();
  const tone = s === "completed" ? "badge-ok" : s === "failed" ? "badge-danger" : s === "expired" ? "" : "badge-info";

  return <span className={`badge ${tone}`}>{s}</span>;
}

export function ExportJobsTable({ showOwner = false }: { showOwner?: boolean }) {
  const [jobs, setJobs] = useState<TJobRow[] | null>(null);
  const [statusFilter, setStatusFilter] = useState("");
  const [error, setError] = useState<string | null>(null);

  // Bumped to refetch: by the refresh timer while jobs run, and after a delete.
  const [refreshTick, setRefreshTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    fetch(`/api/v1/export/jobs?limit=100${statusFilter ? `&status=${statusFilter}` : ""}`, { cache: "no-store" })
      .then(async (response) => {
        if (cancelled) return;
        if (!response.ok) {
          setError(await errorMessageOf(response));
          return;
        }
        const body = (await response.json()) as { jobs?: TJobRow[] };
        if (cancelled) return;
        setJobs(body.jobs ?? []);
        setError(null);
      })
      .catch(() => !cancelled && setError("The server could not be reached."));

    return () => {
      cancelled = true;
    };
  }, [statusFilter, refreshTick]);

  const anyRunning = (jobs ?? []).some((job) => !isFinalStatus(job.status));
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => setRefreshTick((tick) => tick + 1), REFRESH_MS);

    return () => clearInterval(timer);
  }, [anyRunning]);

  async function remove(id: string) {
    if (!window.confirm("Delete this export and its file? This cannot be undone.")) return;
    const response = await fetch(`/api/v1/export/jobs/${encodeURIComponent(id)}`, { method: "DELETE" });
    if (!response.ok) setError(await errorMessageOf(response));
    setRefreshTick((tick) => tick + 1);
  }

  return (
    <div className="stack">
      <div className="row">
        <label className="field">
          Status
          <select value={statusFilter} onChange={(e) => setStatusFilter(e.target.value)} data-testid="jobs-status-filter">
            <option value="">All</option>
            {["pending", "processing", "completed", "failed", "expired"].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <div className="alert alert-danger">{error}</div>}
      <div className="table-wrap">
        <table className="table" data-testid="jobs-table">
          <thead>
            <tr>
              <th>Created</th>
              {showOwner && <th>Requested by</th>}
              <th>Patient</th>
              <th>Export</th>
              <th>Format</th>
              <th>Status</th>
              <th>Size</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {jobs === null && (
              <tr>
                <td colSpan={9} className="empty">
                  Loading…
                </td>
              </tr>
            )}
            {jobs?.length === 0 && (
              <tr>
                <td colSpan={9} className="empty">
                  No exports yet. Start one from a patient&apos;s page.
                </td>
              </tr>
            )}
            {jobs?.map((job) => {
              const id = job.job_id ?? job.id ?? "";
              const status = job.status.toLowerCase();

              return (
                <tr key={id} data-testid="job-row" data-status={status}>
                  <td>{when(job.created_at)}</td>
                  {showOwner && (
                    <td data-testid="job-owner" title={job.requested_by?.email}>
                      {job.requested_by?.name ?? "—"}
                    </td>
                  )}
                  <td>{job.patient_name ?? "—"}</td>
                  <td>{label(job.export_type)}</td>
                  <td>{(job.format ?? "").toUpperCase()}</td>
                  <td>
                    {statusBadge(status)}
                    {!isFinalStatus(status) && job.progress?.percent !== undefined && <span className="small muted"> {Math.round(job.progress.percent)}%</span>}
                    {status === "failed" && job.error && <div className="small muted">{job.error}</div>}
                  </td>
                  <td>{formatBytes(job.file_size)}</td>
                  <td data-testid="job-expires" title={job.file_expires_at && job.expires_at && job.expires_at !== job.file_expires_at ? `File kept until ${when(job.file_expires_at)}; a download link lasts until ${when(job.expires_at)}` : undefined}>{when(job.file_expires_at ?? job.expires_at)}</td>
                  <td className="row" style={{ flexWrap: "nowrap" }}>
                    {status === "completed" && (
                      <a className="btn btn-sm" href={`/api/v1/export/download/${encodeURIComponent(id)}`} data-testid="job-download" download>
                        Download
                      </a>
                    )}
                    <button className="btn btn-sm btn-danger" type="button" onClick={() => void remove(id)} data-testid="job-delete">
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
