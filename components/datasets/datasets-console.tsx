"use client";

// The analyst's datasets page: the catalog of the tiers they may download, the export form
// (datasets, profile, attestation, reason for identified data), live per-dataset progress
// over SSE, the download, and their past exports.
import { createColumnHelper, type RowSelectionState } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useState } from "react";

import { MetricsPanel } from "@/components/datasets/metrics-panel";
import { DataTable } from "@/components/ui/data-table";
import { errorMessageOf, formatBytes, isFinalStatus, unfinishedJobMessage, useJobEvents } from "@/components/exports/use-job-events";
import { PII_PURPOSES } from "@/lib/auth/policy";
import { describeTimeLeft } from "@/lib/jobs/time-left";

export type TCatalogColumn = { name: string; policy: string; description?: string | null };
export type TCatalogDataset = {
  name: string;
  tier: string;
  description: string;
  source?: string;
  row_count: number | null;
  /** Whether `since` filters this dataset's rows (others are exported whole). */
  since_applies?: boolean;
  columns: TCatalogColumn[];
  /** Warehouse views: columns held back by the identifying-name guard or an administrator. */
  refused_columns?: { name: string; reason: string }[];
};
type TUnavailableDataset = { name: string; reason: string };
export type TDatasetsConsoleProps = {
  tiers: { tier: string; label: string; description: string }[];
  profiles: { name: string; label: string }[];
  defaultProfile: string;
  attestationText: string;
  /** The shortest reason the API accepts for identified data. */
  reasonMinLength: number;
};

type TPastExport = { id: string; tier?: string; status: string; created_at?: string; file_size?: number | null; expires_at?: string | null; error?: string | null; datasets?: string[] };

const column = createColumnHelper<TCatalogDataset>();
const pastColumn = createColumnHelper<TPastExport>();
const columnColumn = createColumnHelper<TCatalogColumn>();

/** A dataset's columns with their de-identification policy. */
const catalogColumnColumns = [
  columnColumn.accessor("name", { header: "Column", cell: (info) => <code>{info.getValue()}</code> }),
  columnColumn.accessor("policy", { header: "Policy", cell: (info) => <span className="badge">{info.getValue()}</span> }),
  columnColumn.accessor((col) => col.description ?? "", { id: "description", header: "Meaning", enableSorting: false, meta: { className: "small" } }),
];

const statusTone = (status: string) => (status === "completed" ? "badge-ok" : status === "failed" ? "badge-danger" : "badge-info");

const pastColumns = [
  pastColumn.accessor((item) => item.created_at ?? "", { id: "created_at", header: "Started", cell: (info) => (info.getValue() ? new Date(info.getValue()).toLocaleString() : "—") }),
  pastColumn.accessor((item) => item.tier ?? "", { id: "tier", header: "Tier", cell: (info) => info.getValue() || "—" }),
  pastColumn.accessor("status", {
    header: "Status",
    cell: (info) => (
      <>
        <span className={`badge ${statusTone(info.getValue())}`}>{info.getValue()}</span>
        {info.row.original.error && <div className="small muted">{info.row.original.error}</div>}
      </>
    ),
  }),
  pastColumn.accessor((item) => item.file_size ?? -1, { id: "size", header: "Size", cell: (info) => formatBytes(info.row.original.file_size) }),
  pastColumn.accessor((item) => item.expires_at ?? "", { id: "expires", header: "Expires", cell: (info) => (info.getValue() ? new Date(info.getValue()).toLocaleString() : "—") }),
  pastColumn.display({
    id: "download",
    header: () => <span className="sr-only">Download</span>,
    cell: (info) =>
      info.row.original.status === "completed" && (
        <a className="btn btn-sm" href={`/api/v1/datasets/exports/${encodeURIComponent(info.row.original.id)}/download`} download>
          Download
        </a>
      ),
  }),
];

/** What a "dated from" day does to the selection: it filters only datasets whose rows have a date. */
function sinceHint(datasets: TCatalogDataset[]) {
  const dated = datasets.filter((dataset) => dataset.since_applies).map((dataset) => dataset.name);
  const whole = datasets.filter((dataset) => !dataset.since_applies).map((dataset) => dataset.name);
  if (!dated.length) return "None of the selected datasets has a date to filter on: every row is exported.";
  const list = (names: string[]) => (names.length > 4 ? `${names.slice(0, 4).join(", ")} and ${names.length - 4} more` : names.join(", "));

  return `Keeps rows dated on or after this day in ${list(dated)}${whole.length ? `; ${list(whole)} ${whole.length === 1 ? "is" : "are"} exported whole` : ""}.`;
}

export function DatasetsConsole({ tiers, profiles, defaultProfile, attestationText, reasonMinLength }: TDatasetsConsoleProps) {
  const [tier, setTier] = useState(tiers[0]?.tier ?? "anon");
  const [catalog, setCatalog] = useState<TCatalogDataset[] | null>(null);
  const [unavailable, setUnavailable] = useState<TUnavailableDataset[]>([]);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [expanded, setExpanded] = useState<string | null>(null);
  const [profile, setProfile] = useState(defaultProfile);
  const [since, setSince] = useState("");
  const [ageBandYears, setAgeBandYears] = useState("");
  const [reason, setReason] = useState("");
  const [purpose, setPurpose] = useState("");
  const [attested, setAttested] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // The export started from each tab: a tab shows its own export's progress, never another's.
  const [exportIds, setExportIds] = useState<Record<string, string>>({});
  const exportId = exportIds[tier] ?? null;
  const setExportId = (id: string | null) => setExportIds(({ [tier]: _dropped, ...others }) => (id ? { ...others, [tier]: id } : others));
  const [past, setPast] = useState<TPastExport[]>([]);

  useEffect(() => {
    let cancelled = false;
    fetch(`/api/v1/datasets?tier=${tier}`, { cache: "no-store" })
      .then(async (response) => {
        if (!response.ok) throw new Error(await errorMessageOf(response));

        return response.json() as Promise<{ datasets: TCatalogDataset[]; unavailable_datasets?: (TUnavailableDataset & { tier: string })[] }>;
      })
      .then((body) => {
        if (cancelled) return;
        const datasets = body.datasets.filter((dataset) => dataset.tier === tier);
        setCatalog(datasets);
        setUnavailable((body.unavailable_datasets ?? []).filter((dataset) => dataset.tier === tier));
        setSelection(Object.fromEntries(datasets.map((dataset) => [dataset.name, true])));
      })
      .catch((caught: Error) => !cancelled && setError(caught.message));

    return () => {
      cancelled = true;
    };
  }, [tier]);

  // Bumped to ask for the past exports again (after a start, and when one finishes).
  const [pastTick, setPastTick] = useState(0);
  const loadPast = useCallback(() => setPastTick((tick) => tick + 1), []);
  useEffect(() => {
    let cancelled = false;
    fetch("/api/v1/datasets/exports", { cache: "no-store" })
      .then(async (response) => {
        if (response.ok && !cancelled) setPast(((await response.json()) as { exports: TPastExport[] }).exports ?? []);
      })
      .catch(() => undefined);

    return () => {
      cancelled = true;
    };
  }, [pastTick]);

  const columns = useMemo(
    () => [
      column.display({
        id: "select",
        header: ({ table }) => <input type="checkbox" aria-label="Select all" checked={table.getIsAllRowsSelected()} onChange={table.getToggleAllRowsSelectedHandler()} />,
        cell: ({ row }) => <input type="checkbox" aria-label={`Select ${row.original.name}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} data-testid={`dataset-select-${row.original.name}`} />,
      }),
      column.accessor("name", { header: "Dataset", cell: (info) => <code>{info.getValue()}</code> }),
      column.accessor("description", { header: "Description", enableSorting: false }),
      column.accessor("row_count", { header: "Rows", cell: (info) => (info.getValue() === null ? "—" : info.getValue()!.toLocaleString()) }),
      column.accessor((row) => row.columns.length, {
        id: "columns",
        header: "Columns",
        cell: (info) => (
          <button type="button" className="btn btn-sm" onClick={() => setExpanded((current) => (current === info.row.original.name ? null : info.row.original.name))}>
            {info.getValue()} columns
          </button>
        ),
      }),
    ],
    [],
  );

  const selected = Object.keys(selection).filter((name) => selection[name]);
  const needsReason = tier === "pii";

  async function start(event: React.FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    setExportId(null);
    try {
      const body = {
        tier,
        datasets: selected,
        ...(tier !== "metrics" && tier !== "pii" ? { profile } : {}),
        ...(since ? { since } : {}),
        ...(tier === "anon" && ageBandYears ? { age_band_years: Number(ageBandYears) } : {}),
        attestation: attested,
        ...(needsReason ? { reason } : {}),
        ...(needsReason && purpose ? { purpose } : {}),
      };
      const response = await fetch("/api/v1/datasets/exports", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!response.ok) {
        // The server's message already says when to try again (item 13: said once).
        setError(await errorMessageOf(response));
        return;
      }
      const created = (await response.json()) as { id: string };
      setExportId(created.id);
      void loadPast();
    } catch {
      setError("The server could not be reached. Check your connection and try again.");
    } finally {
      setSubmitting(false);
    }
  }

  const expandedDataset = catalog?.find((dataset) => dataset.name === expanded) ?? null;

  return (
    <div className="stack">
      <div className="row" role="tablist" aria-label="Tier">
        {tiers.map((option) => (
          <button key={option.tier} type="button" role="tab" aria-selected={tier === option.tier} className={`btn ${tier === option.tier ? "btn-primary" : ""}`} onClick={() => {
              if (option.tier === tier) return;
              setCatalog(null);
              setTier(option.tier);
            }} data-testid={`tier-${option.tier}`}>
            {option.label}
          </button>
        ))}
      </div>
      <p className="muted">{tiers.find((option) => option.tier === tier)?.description}</p>
      {tier === "metrics" && <MetricsPanel />}

      <DataTable
        testId="datasets-table"
        rowTestId="dataset-row"
        columns={columns}
        data={catalog ?? []}
        getRowId={(row) => row.name}
        rowSelection={selection}
        onRowSelectionChange={setSelection}
        isLoading={catalog === null}
        empty="No dataset in this tier."
      />
      {unavailable.length > 0 && (
        <div className="alert alert-warn" role="status" data-testid="datasets-unavailable">
          Not available right now: {unavailable.map((dataset) => `${dataset.name} (${dataset.reason})`).join("; ")}.
        </div>
      )}

      {expandedDataset && (
        <section className="card" data-testid="dataset-columns">
          <h3>
            Columns of <code>{expandedDataset.name}</code>
          </h3>
          <DataTable testId="dataset-columns-table" columns={catalogColumnColumns} data={expandedDataset.columns} getRowId={(col) => col.name} empty="No columns." />
          {expandedDataset.refused_columns?.length ? (
            <>
              <h4>Not exported</h4>
              <ul className="small" data-testid="dataset-refused-columns">
                {expandedDataset.refused_columns.map((col) => (
                  <li key={col.name}>
                    <code>{col.name}</code> — {col.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      )}

      <form className="card stack" onSubmit={start} data-testid="dataset-export-form">
        <h2>Export {selected.length} dataset{selected.length === 1 ? "" : "s"}</h2>
        <div className="grid-2">
          {tier === "anon" && (
            <label className="field">
              De-identification profile
              <select value={profile} onChange={(e) => setProfile(e.target.value)} data-testid="dataset-profile">
                {profiles.map((option) => (
                  <option key={option.name} value={option.name}>
                    {option.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          {tier === "anon" && (
            <label className="field">
              Ages
              <select value={ageBandYears} onChange={(e) => setAgeBandYears(e.target.value)} data-testid="dataset-age-bands">
                <option value="">Whole years (90 and over as 90+)</option>
                <option value="5">5-year bands</option>
                <option value="10">10-year bands</option>
              </select>
            </label>
          )}
          <label className="field">
            Dated from (optional)
            <input type="date" value={since} onChange={(e) => setSince(e.target.value)} data-testid="dataset-since" />
            <span className="small muted" data-testid="dataset-since-hint">
              {sinceHint((catalog ?? []).filter((dataset) => selected.includes(dataset.name)))}
            </span>
          </label>
        </div>
        {needsReason && (
          <label className="field">
            Reason for identified data (recorded in the audit trail)
            <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required minLength={reasonMinLength} data-testid="dataset-reason" />
          </label>
        )}
        {needsReason && (
          <label className="field">
            Purpose (patients who opted out of data sharing are included only for treatment or operations)
            <select value={purpose} onChange={(e) => setPurpose(e.target.value)} data-testid="dataset-purpose">
              <option value="">Not stated (opted-out patients left out)</option>
              {PII_PURPOSES.map((value) => (
                <option key={value} value={value}>
                  {value.replace(/_/g, " ")}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="checkbox">
          <input type="checkbox" checked={attested} onChange={(e) => setAttested(e.target.checked)} data-testid="dataset-attestation" />
          <span className="small">{attestationText}</span>
        </label>
        {error && (
          <div className="alert alert-danger" role="alert" data-testid="dataset-error">
            {error}
          </div>
        )}
        <div className="row">
          <button className="btn btn-primary" type="submit" disabled={submitting || !attested || selected.length === 0} data-testid="dataset-start">
            {submitting ? "Starting…" : "Start export"}
          </button>
        </div>
        {exportId && <DatasetExportProgress key={exportId} id={exportId} onFinished={loadPast} />}
      </form>

      <section className="card">
        <h2>Your past exports</h2>
        <DataTable testId="dataset-past" columns={pastColumns} data={past} getRowId={(item) => item.id} initialSorting={[{ id: "created_at", desc: true }]} empty="None yet." />
      </section>
    </div>
  );
}

function DatasetExportProgress({ id, onFinished }: { id: string; onFinished: () => void }) {
  const event = useJobEvents(`/api/v1/datasets/exports/${encodeURIComponent(id)}/events`);
  const status = (event?.status ?? "pending").toLowerCase();
  const datasets = Object.entries(event?.progress?.datasets ?? {});

  useEffect(() => {
    if (isFinalStatus(status)) onFinished();
  }, [status, onFinished]);

  return (
    <div className="stack" data-testid="dataset-progress" data-status={status}>
      <div className="row">
        <span className={`badge ${status === "completed" ? "badge-ok" : status === "failed" ? "badge-danger" : "badge-info"}`} data-testid="dataset-status">
          {status}
        </span>
        {event?.progress?.stage && !isFinalStatus(status) && <span className="small muted">{event.progress.stage}…</span>}
        {event?.secondsLeft != null && !isFinalStatus(status) && (
          <span className="small muted" data-testid="dataset-time-left">
            {describeTimeLeft(event.secondsLeft)}
          </span>
        )}
      </div>
      {datasets.map(([name, progress]) => {
        const percent = progress.total ? Math.min(100, Math.round((progress.rows / progress.total) * 100)) : progress.done ? 100 : 0;

        return (
          <div key={name} data-testid="dataset-progress-row">
            <div className="row small" style={{ justifyContent: "space-between" }}>
              <code>{name}</code>
              <span className="muted">
                {progress.rows.toLocaleString()} / {progress.total.toLocaleString()} rows
              </span>
            </div>
            <div className="progress">
              <span style={{ width: `${percent}%` }} />
            </div>
          </div>
        );
      })}
      {event?.connectionProblem && !isFinalStatus(status) && (
        <div className="alert alert-warn" role="status" data-testid="dataset-connection">
          {event.connectionProblem}
        </div>
      )}
      {unfinishedJobMessage(status, event?.error) && (
        <div className="alert alert-danger" role="alert" data-testid="dataset-failure">
          {unfinishedJobMessage(status, event?.error)}
        </div>
      )}
      {status === "completed" && (
        <div className="row">
          <a className="btn btn-primary" href={`/api/v1/datasets/exports/${encodeURIComponent(id)}/download`} data-testid="dataset-download" download>
            Download ZIP
          </a>
          <span className="small muted">{formatBytes(event?.file_size)}</span>
        </div>
      )}
    </div>
  );
}
