"use client";

// The caller's export jobs (admins: everyone's), refreshed while any is still running, with
// download and delete. Status changes appear without a reload.
import { createColumnHelper } from "@tanstack/react-table";
import { useEffect, useState } from "react";

import { DataTable } from "@/components/ui/data-table";

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
  mime_type?: string | null;
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

  const columns = exportJobColumns(showOwner, (id) => void remove(id));

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
      <DataTable
        testId="jobs-table"
        rowTestId="job-row"
        columns={columns}
        data={jobs ?? []}
        getRowId={jobId}
        rowAttributes={(job) => ({ "data-status": job.status.toLowerCase() })}
        initialSorting={[{ id: "created_at", desc: true }]}
        isLoading={jobs === null}
        empty={showOwner ? "No exports yet." : "No exports yet. Start one from a patient's page."}
      />
    </div>
  );
}

const jobId = (job: TJobRow) => job.job_id ?? job.id ?? "";
const column = createColumnHelper<TJobRow>();

function exportJobColumns(showOwner: boolean, onDelete: (id: string) => void) {
  return [
    column.accessor((job) => job.created_at ?? "", { id: "created_at", header: "Created", cell: (info) => <span className="nowrap">{when(info.getValue())}</span> }),
    ...(showOwner
      ? [
          column.accessor((job) => job.requested_by?.name ?? "", {
            id: "requested_by",
            header: "Requested by",
            meta: { cellTestId: "job-owner" },
            cell: (info) => <span title={info.row.original.requested_by?.email}>{info.row.original.requested_by?.name ?? "—"}</span>,
          }),
        ]
      : []),
    column.accessor((job) => job.patient_name ?? "", { id: "patient", header: "Patient", cell: (info) => info.getValue() || "—" }),
    column.accessor((job) => label(job.export_type), { id: "export_type", header: "Export" }),
    column.accessor((job) => (job.format ?? "").toUpperCase(), { id: "format", header: "Format" }),
    column.accessor((job) => job.status.toLowerCase(), {
      id: "status",
      header: "Status",
      cell: (info) => {
        const job = info.row.original;
        const status = info.getValue();

        return (
          <>
            {statusBadge(status)}
            {!isFinalStatus(status) && job.progress?.percent !== undefined && <span className="small muted"> {Math.round(job.progress.percent)}%</span>}
            {status === "failed" && job.error && <div className="small muted">{job.error}</div>}
          </>
        );
      },
    }),
    column.accessor((job) => job.file_size ?? -1, { id: "size", header: "Size", cell: (info) => formatBytes(info.row.original.file_size) }),
    column.accessor((job) => job.file_expires_at ?? job.expires_at ?? "", {
      id: "expires",
      header: "Expires",
      meta: { cellTestId: "job-expires" },
      cell: (info) => {
        const job = info.row.original;
        const linkDetail = job.file_expires_at && job.expires_at && job.expires_at !== job.file_expires_at ? `File kept until ${when(job.file_expires_at)}; a download link lasts until ${when(job.expires_at)}` : undefined;

        return (
          <span className="nowrap" title={linkDetail}>
            {when(info.getValue())}
          </span>
        );
      },
    }),
    column.display({
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: (info) => {
        const job = info.row.original;
        const id = jobId(job);

        return (
          <div className="row" style={{ flexWrap: "nowrap" }}>
            {job.status.toLowerCase() === "completed" && (
              <a className="btn btn-sm" href={`/api/v1/export/download/${encodeURIComponent(id)}`} data-testid="job-download" download>
                Download
              </a>
            )}
            {job.status.toLowerCase() === "completed" && job.mime_type === "application/pdf" && (
              <a className="btn btn-sm" href={`/api/v1/export/download/${encodeURIComponent(id)}?disposition=inline`} target="_blank" rel="noopener" data-testid="job-open">
                Open
              </a>
            )}
            <button className="btn btn-sm btn-danger" type="button" onClick={() => onDelete(id)} data-testid="job-delete">
              Delete
            </button>
          </div>
        );
      },
    }),
  ];
}
