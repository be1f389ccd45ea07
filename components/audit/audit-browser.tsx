"use client";

// The audit browser: filters live in the URL (so a view can be shared), the server filters,
// sorts and pages (GET /api/v1/audit), and times are shown in the viewer's own time zone.
import { createColumnHelper, type SortingState } from "@tanstack/react-table";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";

import { AuditChainBanner } from "@/components/audit/audit-chain-banner";
import { AuditPatientFilter } from "@/components/audit/audit-patient-filter";
import { AuditRecordDrawer, type TAuditRecord } from "@/components/audit/audit-record-drawer";
import { DataTable } from "@/components/ui/data-table";

export type TAuditUserOption = { id: string; name: string; email: string };

type TPage = { total: number; total_is_exact?: boolean; page: number; page_size: number; records: TAuditRecord[] };

const FILTER_KEYS = ["user", "action", "outcome", "q", "from", "to", "patient_id", "job_id"] as const;
const SORTABLE = new Set(["created_at", "seq", "action", "outcome", "user", "patient_id", "job_id"]);

/** A local calendar day (YYYY-MM-DD) in the browser's zone -> the instant it starts. */
function localDayStart(day: string, addDays = 0) {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];

  return new Date(y, m - 1, d + addDays);
}

/** The API query for the current URL: local dates become instants in the viewer's zone. */
function apiQuery(params: URLSearchParams, withPaging: boolean) {
  const out = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    for (const value of params.getAll(key)) {
      if (!value) continue;
      if (key === "from" && /^\d{4}-\d{2}-\d{2}$/.test(value)) out.append("from", localDayStart(value).toISOString());
      else if (key === "to" && /^\d{4}-\d{2}-\d{2}$/.test(value)) out.append("to", new Date(localDayStart(value, 1).getTime() - 1).toISOString());
      else out.append(key, value);
    }
  }
  if (withPaging) {
    for (const key of ["sort", "order", "page", "page_size"]) {
      const value = params.get(key);
      if (value) out.set(key, value);
    }
  }

  return out;
}

const column = createColumnHelper<TAuditRecord>();

const noSubscription = () => () => undefined;
const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function AuditBrowser({ users, actions }: { users: TAuditUserOption[]; actions: readonly string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [data, setData] = useState<TPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The query whose answer (or error) is shown: loading while the URL asks for another.
  const [answeredQuery, setAnsweredQuery] = useState<string | null>(null);
  const [selected, setSelected] = useState<TAuditRecord | null>(null);
  // The viewer's zone, known only in the browser (the server renders without it).
  const timeZone = useSyncExternalStore(noSubscription, browserTimeZone, () => null);
  const [text, setText] = useState(searchParams.get("q") ?? "");

  const queryString = searchParams.toString();
  const sort = searchParams.get("sort") ?? "created_at";
  const order = searchParams.get("order") ?? "desc";
  const page = Number(searchParams.get("page") ?? "1") || 1;
  const pageSize = Number(searchParams.get("page_size") ?? "50") || 50;
  const selectedActions = searchParams.getAll("action");

  const isLoading = answeredQuery !== queryString;

  useEffect(() => {
    const controller = new AbortController();
    fetch(`/api/v1/audit?${apiQuery(new URLSearchParams(queryString), true)}`, { signal: controller.signal, cache: "no-store" })
      .then(async (response) => {
        const body = await response.json();
        if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
        setData(body as TPage);
        setError(null);
      })
      .catch((cause: Error) => {
        if (cause.name !== "AbortError") setError(cause.message);
      })
      .finally(() => {
        if (!controller.signal.aborted) setAnsweredQuery(queryString);
      });

    return () => controller.abort();
  }, [queryString]);

  /** Changes some URL parameters; any filter change goes back to page 1. */
  const update = useCallback(
    (changes: Record<string, string | string[] | null>, { keepPage = false } = {}) => {
      const next = new URLSearchParams(queryString);
      for (const [key, value] of Object.entries(changes)) {
        next.delete(key);
        for (const item of Array.isArray(value) ? value : value ? [value] : []) next.append(key, item);
      }
      if (!keepPage) next.delete("page");
      router.replace(`${pathname}?${next.toString()}`, { scroll: false });
    },
    [pathname, queryString, router],
  );

  const formatTime = useMemo(() => new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium", timeZone: timeZone ?? undefined }), [timeZone]);

  const columns = useMemo(
    () => [
      column.accessor("created_at", { id: "created_at", header: "Time", cell: (info) => <span className="nowrap">{timeZone ? formatTime.format(new Date(info.getValue())) : info.getValue()}</span> }),
      column.accessor("seq", { id: "seq", header: "#", meta: { isCollapsible: true } }),
      column.accessor("action", { id: "action", header: "Action", cell: (info) => <code>{info.getValue()}</code> }),
      column.accessor("outcome", {
        id: "outcome",
        header: "Outcome",
        cell: (info) => <span className={`badge ${info.getValue() === "success" ? "badge-ok" : info.getValue() === "denied" ? "badge-warn" : "badge-danger"}`}>{info.getValue()}</span>,
      }),
      column.accessor((row) => row.user_name ?? row.actor_label ?? "", { id: "user", header: "User", cell: (info) => info.row.original.user_email ?? info.row.original.actor_label ?? "—" }),
      column.accessor("patient_id", {
        id: "patient_id",
        header: "Patient",
        cell: (info) => {
          const record = info.row.original;
          if (!record.patient_id) return "—";

          return <span title={record.patient_mrn ? `MRN ${record.patient_mrn} · ${record.patient_id}` : record.patient_id}>{record.patient_name ?? record.patient_id}</span>;
        },
      }),
      column.accessor("export_job_id", { id: "job_id", header: "Job", meta: { isCollapsible: true }, cell: (info) => info.getValue() ?? "—" }),
      column.accessor("ip_address", { id: "ip_address", header: "IP", enableSorting: false, meta: { isCollapsible: true }, cell: (info) => info.getValue() ?? "—" }),
    ],
    [formatTime, timeZone],
  );

  const sorting: SortingState = [{ id: sort, desc: order === "desc" }];
  const pageCount = data ? Math.max(1, Math.ceil(data.total / data.page_size)) : 1;

  const exportHref = `/api/v1/audit/export?${apiQuery(new URLSearchParams(queryString), false)}`;

  return (
    <>
      <AuditChainBanner />
      <div className="card">
        <div className="row" data-testid="audit-filters">
          <label className="field">
            From
            <input type="date" data-testid="audit-filter-from" value={searchParams.get("from") ?? ""} onChange={(event) => update({ from: event.target.value || null })} />
          </label>
          <label className="field">
            To
            <input type="date" data-testid="audit-filter-to" value={searchParams.get("to") ?? ""} onChange={(event) => update({ to: event.target.value || null })} />
          </label>
          <label className="field">
            User
            <select data-testid="audit-filter-user" value={searchParams.get("user") ?? ""} onChange={(event) => update({ user: event.target.value || null })}>
              <option value="">Anyone</option>
              {users.map((user) => (
                <option key={user.id} value={user.id}>
                  {user.name} ({user.email})
                </option>
              ))}
            </select>
          </label>
          <AuditPatientFilter
            patientId={searchParams.get("patient_id")}
            patientLabel={data?.records.find((record) => record.patient_id === searchParams.get("patient_id"))?.patient_name ?? null}
            onChange={(patientId) => update({ patient_id: patientId })}
          />
          <label className="field">
            Outcome
            <select data-testid="audit-filter-outcome" value={searchParams.get("outcome") ?? ""} onChange={(event) => update({ outcome: event.target.value || null })}>
              <option value="">Any</option>
              <option value="success">success</option>
              <option value="denied">denied</option>
              <option value="failure">failure</option>
            </select>
          </label>
          <label className="field">
            Actions
            <select
              multiple
              size={4}
              data-testid="audit-filter-action"
              value={selectedActions}
              onChange={(event) => update({ action: Array.from(event.target.selectedOptions, (option) => option.value) })}
            >
              {actions.map((action) => (
                <option key={action} value={action}>
                  {action}
                </option>
              ))}
            </select>
          </label>
          <form
            className="row"
            style={{ alignItems: "flex-end" }}
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              update({ q: text.trim() || null });
            }}
          >
            <label className="field">
              Search
              <input data-testid="audit-filter-q" placeholder="actor, action or details" value={text} onChange={(event) => setText(event.target.value)} />
            </label>
            <button className="btn btn-sm" type="submit" data-testid="audit-filter-apply">
              Search
            </button>
          </form>
        </div>
        <div className="row" style={{ marginTop: 10 }}>
          <button
            className="btn btn-sm"
            type="button"
            data-testid="audit-filter-clear"
            onClick={() => {
              setText("");
              router.replace(pathname, { scroll: false });
            }}
          >
            Clear filters
          </button>
          <a className="btn btn-sm btn-primary" href={exportHref} download data-testid="audit-export-csv">
            Export CSV
          </a>
          <span className="muted small" data-testid="audit-total">
            {data ? (data.total_is_exact === false ? `${(data.total - 1).toLocaleString()}+ records` : `${data.total.toLocaleString()} records`) : ""}
            {timeZone ? ` · times in ${timeZone}` : ""}
          </span>
        </div>
      </div>

      {error && (
        <div className="alert alert-danger" role="alert" data-testid="audit-error">
          {error}
        </div>
      )}
      <DataTable
        testId="audit-table"
        rowTestId="audit-row"
        columns={columns}
        data={data?.records ?? []}
        getRowId={(record) => String(record.seq)}
        rowAttributes={(record) => ({ "data-seq": record.seq, "data-action": record.action })}
        sorting={sorting}
        onSortingChange={(next) => {
          const first = next[0];
          if (first && SORTABLE.has(first.id)) update({ sort: first.id, order: first.desc ? "desc" : "asc" });
        }}
        onRowOpen={setSelected}
        rowLabel={(record) => `Record ${record.seq}: ${record.action}, ${record.outcome}`}
        isLoading={isLoading}
        empty="No audit record matches these filters."
        pagination={{
          page,
          pageCount,
          onPageChange: (next) => update({ page: String(next) }, { keepPage: true }),
          pageSize,
          pageSizes: [25, 50, 100, 200],
          onPageSizeChange: (size) => update({ page_size: String(size) }),
        }}
      />
      {selected && <AuditRecordDrawer record={selected} users={users} formatTime={(iso) => formatTime.format(new Date(iso))} onClose={() => setSelected(null)} />}
    </>
  );
}
