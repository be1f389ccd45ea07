"use client";

// The metrics catalog for admins: every metric with its version, and a form to define one or
// change it (each save is a new version), retire it, or read its history. The form offers only
// the sources and columns the server accepts; the server checks the whole definition again and
// its refusals are shown field by field.
import { useCallback, useEffect, useState } from "react";

import { sendJson } from "@/components/admin/send-json";
import { messageForPeople } from "@/lib/errors/message-for-people";

type TColumn = { name: string; type: string; description: string; filterable: boolean };
type TSource = { name: string; description: string; columns: TColumn[]; organization_from: string[]; has_location: boolean };
type TFilter = { column: string; op: "equals" | "in" | "range" | "not_null"; value?: unknown; values?: unknown[]; min?: unknown; max?: unknown };
type TExpression = { type: "count" | "count_distinct" | "sum" | "ratio"; column?: string; numerator?: string; denominator?: string };
type TMetric = {
  id: string;
  version: number;
  status: "active" | "retired";
  description: string;
  unit: string;
  grain: string;
  entity_keys: string[];
  dimension_column: string | null;
  organization_from: string | null;
  source: string | null;
  time_column: string | null;
  expression: TExpression;
  filters: TFilter[];
  suppress_small_counts: boolean;
  computed_as: string;
  changed_at: string;
};
type TFilterRow = { column: string; op: TFilter["op"]; value: string; min: string; max: string };
type TDraft = Omit<TMetric, "version" | "status" | "computed_as" | "changed_at" | "filters"> & { filters: TFilterRow[] };

const EMPTY: TDraft = { id: "", description: "", unit: "count", grain: "day", entity_keys: ["organization"], dimension_column: null, organization_from: null, source: "patients", time_column: null, expression: { type: "count" }, filters: [], suppress_small_counts: true };

const text = (value: unknown) => (value === undefined || value === null ? "" : typeof value === "object" ? `${(value as { days_before_as_of: number }).days_before_as_of}d` : String(value));

function toDraft(metric: TMetric): TDraft {
  const { version: _version, status: _status, computed_as: _computed, changed_at: _changed, filters, ...rest } = metric;
  return { ...rest, filters: filters.map((filter) => ({ column: filter.column, op: filter.op, value: filter.op === "in" ? (filter.values ?? []).map(text).join(", ") : text(filter.value), min: text(filter.min), max: text(filter.max) })) };
}

/** A typed value from the form's text, by the column's type ("30d" in a date range: 30 days before the as-of date). */
function typed(raw: string, type: string, isBound = false): unknown {
  const value = raw.trim();
  if (isBound && /^\d+d$/.test(value)) return { days_before_as_of: Number(value.slice(0, -1)) };
  if (type === "number" && value !== "" && !Number.isNaN(Number(value))) return Number(value);
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";

  return value;
}

function toBody(draft: TDraft, source: TSource | undefined) {
  const isRatio = draft.expression.type === "ratio";
  const typeOf = (column: string) => source?.columns.find((candidate) => candidate.name === column)?.type ?? "string";
  const filters = draft.filters.map((row): TFilter => {
    if (row.op === "not_null") return { column: row.column, op: "not_null" };
    if (row.op === "in") return { column: row.column, op: "in", values: row.value.split(",").map((part) => typed(part, typeOf(row.column))) };
    if (row.op === "range") return { column: row.column, op: "range", ...(row.min.trim() ? { min: typed(row.min, typeOf(row.column), true) } : {}), ...(row.max.trim() ? { max: typed(row.max, typeOf(row.column), true) } : {}) };
    return { column: row.column, op: "equals", value: typed(row.value, typeOf(row.column)) };
  });
  const expression = isRatio ? { type: "ratio", numerator: draft.expression.numerator ?? "", denominator: draft.expression.denominator ?? "" } : draft.expression.type === "count" ? { type: "count" } : { type: draft.expression.type, column: draft.expression.column ?? "" };

  return {
    description: draft.description,
    unit: draft.unit,
    grain: draft.grain,
    entity_keys: draft.entity_keys,
    dimension_column: isRatio || !draft.entity_keys.includes("dimension") ? null : draft.dimension_column,
    organization_from: isRatio ? null : draft.organization_from,
    source: isRatio ? null : draft.source,
    time_column: isRatio ? null : draft.time_column,
    expression,
    filters: isRatio ? [] : filters,
    suppress_small_counts: draft.suppress_small_counts,
  };
}

export function MetricEditor() {
  const [metrics, setMetrics] = useState<TMetric[] | null>(null);
  const [sources, setSources] = useState<TSource[]>([]);
  const [draft, setDraft] = useState<TDraft | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [history, setHistory] = useState<{ id: string; versions: TMetric[] } | null>(null);
  const [message, setMessage] = useState<{ kind: "ok" | "danger"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const result = await sendJson<{ metrics: TMetric[]; sources: TSource[] }>("GET", "/api/v1/admin/metrics");
    if (!result.ok) return setMessage({ kind: "danger", text: result.error });
    setMetrics(result.data.metrics);
    setSources(result.data.sources);
  }, []);

  useEffect(() => {
    // The first load; later ones follow each change.
    void load(); // eslint-disable-line react-hooks/set-state-in-effect
  }, [load]);

  const source = sources.find((candidate) => candidate.name === draft?.source);
  const columnsOf = (types?: string[]) => (source?.columns ?? []).filter((column) => !types || types.includes(column.type));
  const update = (change: Partial<TDraft>) => setDraft((current) => (current ? { ...current, ...change } : current));
  const updateFilter = (index: number, change: Partial<TFilterRow>) => setDraft((current) => (current ? { ...current, filters: current.filters.map((row, at) => (at === index ? { ...row, ...change } : row)) } : current));
  const activeCounts = (metrics ?? []).filter((metric) => metric.status === "active" && metric.expression.type !== "ratio");

  async function onSave(event: React.FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    const body = toBody(draft, source);
    const result = editing ? await sendJson<TMetric>("PATCH", `/api/v1/admin/metrics/${encodeURIComponent(editing)}`, body) : await sendJson<TMetric>("POST", "/api/v1/admin/metrics", { id: draft.id, ...body });
    setBusy(false);
    if (!result.ok) return setMessage({ kind: "danger", text: messageForPeople(result.error, result.issues) });
    setMessage({ kind: "ok", text: `Saved ${result.data.id}: version ${result.data.version}.` });
    setDraft(null);
    setEditing(null);
    await load();
  }

  async function onRetire(metric: TMetric) {
    if (!window.confirm(`Retire the metric "${metric.id}"? It leaves the Metrics tab and exports; its history is kept.`)) return;
    const result = await sendJson<TMetric>("DELETE", `/api/v1/admin/metrics/${encodeURIComponent(metric.id)}`);
    setMessage(result.ok ? { kind: "ok", text: `Retired ${metric.id} (version ${result.data.version}).` } : { kind: "danger", text: result.error });
    await load();
  }

  async function onHistory(metric: TMetric) {
    const result = await sendJson<{ versions: TMetric[] }>("GET", `/api/v1/admin/metrics/${encodeURIComponent(metric.id)}`);
    if (result.ok) setHistory({ id: metric.id, versions: result.data.versions });
    else setMessage({ kind: "danger", text: result.error });
  }

  return (
    <>
      {message && (
        <div className={`alert alert-${message.kind}`} role="status" data-testid="metric-message">
          {message.text}
        </div>
      )}
      <div className="row">
        <button className="btn btn-primary" type="button" onClick={() => { setDraft({ ...EMPTY }); setEditing(null); }} data-testid="metric-new">
          Define a metric
        </button>
      </div>

      {draft && (
        <form className="card stack" onSubmit={onSave} data-testid="metric-form" aria-label={editing ? `Change ${editing}` : "Define a metric"}>
          <h2>{editing ? `Change ${editing} (saved as a new version)` : "Define a metric"}</h2>
          <div className="grid-2">
            <label className="field">
              Id
              <input value={draft.id} disabled={Boolean(editing)} required pattern="[a-z][a-z0-9_]+" onChange={(e) => update({ id: e.target.value })} data-testid="metric-id" />
            </label>
            <label className="field">
              Description
              <input value={draft.description} required onChange={(e) => update({ description: e.target.value })} data-testid="metric-description" />
            </label>
            <label className="field">
              Expression
              <select value={draft.expression.type} onChange={(e) => update({ expression: { type: e.target.value as TExpression["type"] } })} data-testid="metric-expression">
                <option value="count">count of rows</option>
                <option value="count_distinct">count distinct of a column</option>
                <option value="sum">sum of a column</option>
                <option value="ratio">ratio of two metrics</option>
              </select>
            </label>
            {draft.expression.type === "ratio" ? (
              <div className="row">
                {(["numerator", "denominator"] as const).map((part) => (
                  <label className="field" key={part}>
                    {part === "numerator" ? "Numerator" : "Denominator"}
                    <select value={draft.expression[part] ?? ""} onChange={(e) => update({ expression: { ...draft.expression, [part]: e.target.value } })} data-testid={`metric-${part}`}>
                      <option value="">(choose a metric)</option>
                      {activeCounts.map((metric) => (
                        <option key={metric.id} value={metric.id}>
                          {metric.id}
                        </option>
                      ))}
                    </select>
                  </label>
                ))}
              </div>
            ) : (
              <label className="field">
                Source
                <select value={draft.source ?? ""} onChange={(e) => update({ source: e.target.value, time_column: null, dimension_column: null, organization_from: null, filters: [], expression: { type: draft.expression.type } })} data-testid="metric-source">
                  {sources.map((candidate) => (
                    <option key={candidate.name} value={candidate.name} title={candidate.description}>
                      {candidate.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {(draft.expression.type === "count_distinct" || draft.expression.type === "sum") && (
              <label className="field">
                Column {draft.expression.type === "sum" ? "summed" : "counted once per value"}
                <select value={draft.expression.column ?? ""} onChange={(e) => update({ expression: { ...draft.expression, column: e.target.value } })} data-testid="metric-expression-column">
                  <option value="">(choose a column)</option>
                  {columnsOf(draft.expression.type === "sum" ? ["number"] : undefined).map((column) => (
                    <option key={column.name} value={column.name} title={column.description}>
                      {column.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label className="field">
              Unit
              <select value={draft.unit} onChange={(e) => update({ unit: e.target.value })} data-testid="metric-unit">
                <option value="count">count</option>
                <option value="percent">percent</option>
              </select>
            </label>
            <label className="field">
              Grain
              <select value={draft.grain} onChange={(e) => update({ grain: e.target.value })} data-testid="metric-grain">
                <option value="day">day</option>
                <option value="week">week (from Monday)</option>
                <option value="month">month</option>
              </select>
            </label>
            {draft.expression.type !== "ratio" && (
              <label className="field">
                Dated by
                <select value={draft.time_column ?? ""} onChange={(e) => update({ time_column: e.target.value || null })} data-testid="metric-time-column">
                  <option value="">nothing: the value as of each day (snapshotted daily)</option>
                  {columnsOf(["date"]).map((column) => (
                    <option key={column.name} value={column.name}>
                      {column.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <fieldset className="field">
              <legend>Per</legend>
              {["organization", "location", "dimension"].map((key) => (
                <label key={key} className="row small">
                  <input
                    type="checkbox"
                    checked={draft.entity_keys.includes(key)}
                    onChange={(e) => update({ entity_keys: e.target.checked ? [...draft.entity_keys, key] : draft.entity_keys.filter((entry) => entry !== key) })}
                    data-testid={`metric-key-${key}`}
                  />
                  {key}
                </label>
              ))}
            </fieldset>
            {draft.expression.type !== "ratio" && draft.entity_keys.includes("dimension") && (
              <label className="field">
                Dimension column
                <select value={draft.dimension_column ?? ""} onChange={(e) => update({ dimension_column: e.target.value || null })} data-testid="metric-dimension-column">
                  <option value="">(choose a column)</option>
                  {columnsOf(["string", "boolean", "number"]).map((column) => (
                    <option key={column.name} value={column.name}>
                      {column.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {draft.expression.type !== "ratio" && (source?.organization_from.length ?? 0) > 1 && (
              <label className="field">
                Organization of
                <select value={draft.organization_from ?? ""} onChange={(e) => update({ organization_from: e.target.value || null })} data-testid="metric-organization-from">
                  <option value="">(default: {source!.organization_from[0]})</option>
                  {source!.organization_from.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label className="row small">
              <input type="checkbox" checked={draft.suppress_small_counts} onChange={(e) => update({ suppress_small_counts: e.target.checked })} data-testid="metric-suppress" />
              The value counts patients: suppress 1 to 10
            </label>
          </div>

          {draft.expression.type !== "ratio" && (
            <fieldset className="stack" data-testid="metric-filters">
              <legend>Filters (all must hold)</legend>
              <p className="small muted">In: values separated by commas. Range on a date: YYYY-MM-DD, or 30d for 30 days before the as-of date.</p>
              {draft.filters.map((row, index) => (
                <div className="row" key={index} data-testid="metric-filter">
                  <select value={row.column} onChange={(e) => updateFilter(index, { column: e.target.value })} aria-label="Filter column" data-testid="metric-filter-column">
                    {columnsOf().filter((column) => column.filterable).map((column) => (
                      <option key={column.name} value={column.name}>
                        {column.name} ({column.type})
                      </option>
                    ))}
                  </select>
                  <select value={row.op} onChange={(e) => updateFilter(index, { op: e.target.value as TFilter["op"] })} aria-label="Filter operator" data-testid="metric-filter-op">
                    <option value="equals">equals</option>
                    <option value="in">in</option>
                    <option value="range">range</option>
                    <option value="not_null">is recorded</option>
                  </select>
                  {(row.op === "equals" || row.op === "in") && <input value={row.value} onChange={(e) => updateFilter(index, { value: e.target.value })} aria-label="Filter value" data-testid="metric-filter-value" />}
                  {row.op === "range" && (
                    <>
                      <input value={row.min} placeholder="from" onChange={(e) => updateFilter(index, { min: e.target.value })} aria-label="Range from" data-testid="metric-filter-min" />
                      <input value={row.max} placeholder="to" onChange={(e) => updateFilter(index, { max: e.target.value })} aria-label="Range to" data-testid="metric-filter-max" />
                    </>
                  )}
                  <button className="btn btn-sm" type="button" onClick={() => update({ filters: draft.filters.filter((_, at) => at !== index) })}>
                    Remove
                  </button>
                </div>
              ))}
              <div>
                <button className="btn btn-sm" type="button" onClick={() => update({ filters: [...draft.filters, { column: columnsOf().find((column) => column.filterable)?.name ?? "", op: "equals", value: "", min: "", max: "" }] })} data-testid="metric-filter-add">
                  Add a filter
                </button>
              </div>
            </fieldset>
          )}
          <div className="row">
            <button className="btn btn-primary" type="submit" disabled={busy} data-testid="metric-save">
              {busy ? "Saving…" : editing ? "Save as a new version" : "Define"}
            </button>
            <button className="btn" type="button" onClick={() => { setDraft(null); setEditing(null); }}>
              Cancel
            </button>
          </div>
        </form>
      )}

      {metrics === null && <p className="muted">Loading…</p>}
      <div className="card stack" data-testid="metric-list">
        {(metrics ?? []).map((metric) => (
          <div className="row" key={metric.id} data-testid="metric-entry" data-metric-id={metric.id} data-status={metric.status} style={{ justifyContent: "space-between", alignItems: "flex-start" }}>
            <div style={{ minWidth: 0, flex: 1 }}>
              <strong>
                <code>{metric.id}</code>
              </strong>{" "}
              <span className="badge badge-info" data-testid="metric-version">
                v{metric.version}
              </span>{" "}
              <span className={`badge ${metric.status === "active" ? "badge-ok" : "badge-warn"}`}>{metric.status}</span>
              <div className="small">{metric.description}</div>
              <div className="small muted" style={{ overflowWrap: "anywhere" }}>
                {metric.unit}; {metric.computed_as}
              </div>
            </div>
            <div className="row">
              <button className="btn btn-sm" type="button" onClick={() => { setDraft(toDraft(metric)); setEditing(metric.id); }} data-testid="metric-edit">
                {metric.status === "retired" ? "Reinstate" : "Change"}
              </button>
              <button className="btn btn-sm" type="button" onClick={() => onHistory(metric)} data-testid="metric-history">
                History
              </button>
              {metric.status === "active" && (
                <button className="btn btn-sm btn-danger" type="button" onClick={() => onRetire(metric)} data-testid="metric-retire">
                  Retire
                </button>
              )}
            </div>
          </div>
        ))}
      </div>

      {history && (
        <section className="card stack" data-testid="metric-history-panel">
          <h2>History of {history.id}</h2>
          <ol>
            {history.versions.map((version) => (
              <li key={version.version} data-testid="metric-history-version">
                v{version.version} · {version.status} · {new Date(version.changed_at).toLocaleString()} · <span className="small muted">{version.computed_as}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}
