"use client";

// The Metrics tab on screen: every metric of the catalog as a table (period, organization,
// breakdown, value) with a small bar chart of its values, filtered by organization and period
// (GET /api/v1/metrics). Small cells arrive without a value and are shown as "suppressed".
import { createColumnHelper } from "@tanstack/react-table";
import { useEffect, useState } from "react";

import { errorMessageOf } from "@/components/exports/use-job-events";
import { DataTable } from "@/components/ui/data-table";

type TCell = { period: string; organization_id: string; organization_name: string | null; dimension: string; suppressed: boolean; value?: number };
type TSeriesPoint = { period: string; value: number | null; cells: number; suppressed_cells: number };
type TMetric = { id: string; version: number; description: string; computed_as: string; unit: string; grain: string; is_snapshot: boolean; values: TCell[]; series: TSeriesPoint[] };
type TMetricsBody = { as_of: string; period_end: string; small_cell_threshold: number; organizations: { id: string; name: string }[]; metrics: TMetric[] };
type TFilters = { organization: string; periodStart: string; periodEnd: string };
type TRow = TCell & { key: string };

const cell = createColumnHelper<TRow>();
/** The chart shows this many values at most; the table below it has them all. */
const CHART_LIMIT = 24;
const PAGE_SIZE = 20;

const organizationLabel = (row: TCell) => row.organization_name ?? (row.organization_id ? "Unnamed organization" : "No organization recorded");
const formatValue = (row: TCell, unit: string) => (row.suppressed ? "suppressed" : `${row.value!.toLocaleString()}${unit === "percent" ? "%" : ""}`);

function columnsFor(metric: TMetric, enableSorting: boolean) {
  const hasDimension = metric.values.some((row) => row.dimension !== "");

  return [
    cell.accessor("period", { header: metric.grain === "month" ? "Month starting" : metric.grain === "week" ? "Week starting" : metric.is_snapshot ? "As of" : "Day", enableSorting }),
    cell.accessor((row) => organizationLabel(row), { id: "organization", header: "Organization", enableSorting }),
    ...(hasDimension ? [cell.accessor("dimension", { header: "Breakdown", enableSorting, cell: (info) => info.getValue() || "—" })] : []),
    cell.accessor((row) => (row.suppressed ? -1 : row.value!), {
      id: "value",
      enableSorting,
      header: `Value (${metric.unit})`,
      meta: { className: "num", cellTestId: "metric-value" },
      cell: (info) => (info.row.original.suppressed ? <span className="badge" title="A count of 1-10 patients is not shown">suppressed</span> : formatValue(info.row.original, metric.unit)),
    }),
  ];
}

/** Newest period first, then organization and breakdown: the latest figures open the table. */
const newestFirst = (a: TCell, b: TCell) => b.period.localeCompare(a.period) || organizationLabel(a).localeCompare(organizationLabel(b)) || a.dimension.localeCompare(b.dimension);

/** One metric: its description, chart and table; a long table is paged (the API sends every value). */
function MetricSection({ metric }: { metric: TMetric }) {
  const [page, setPage] = useState(1);
  const sorted = [...metric.values].sort(newestFirst);
  const pageCount = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
  const isPaged = pageCount > 1;
  const shown = sorted.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((row) => ({ ...row, key: `${row.period}|${row.organization_id}|${row.dimension}` }));
  const suppressedCount = metric.values.filter((row) => row.suppressed).length;

  return (
    <section className="stack" data-testid="metric" data-metric-id={metric.id}>
      <h3>
        <code>{metric.id}</code>
      </h3>
      <p className="small muted">
        {metric.description} Unit: {metric.unit}. {metric.values.length.toLocaleString()} value{metric.values.length === 1 ? "" : "s"}
        {suppressedCount ? `, ${suppressedCount.toLocaleString()} suppressed` : ""}. <span title={metric.computed_as}>Version {metric.version}.</span>
      </p>
      {metric.series.length > 0 && <SeriesChart metric={metric} />}
      {metric.values.length > 0 && <MetricChart metric={{ ...metric, values: sorted }} />}
      <DataTable
        testId={`metric-table-${metric.id}`}
        rowTestId="metric-row"
        rowAttributes={(row) => ({ "data-organization-id": row.organization_id, "data-period": row.period, "data-suppressed": String(row.suppressed) })}
        // Paged tables keep the newest-first order: sorting one page alone would mislead.
        columns={columnsFor(metric, !isPaged)}
        data={shown}
        getRowId={(row) => row.key}
        empty="No values for this organization and period."
        caption={`${metric.id}: ${metric.description}`}
        {...(isPaged ? { pagination: { page, pageCount, onPageChange: setPage } } : {})}
      />
    </section>
  );
}

const SERIES_WIDTH = 240;
const SERIES_HEIGHT = 48;

/**
 * The metric's series: one point per period (counts: the total of the shown cells; percents:
 * their mean), drawn as a line; a period with only suppressed cells is a gap. Snapshot metrics get
 * their past points from the daily snapshots.
 */
function SeriesChart({ metric }: { metric: TMetric }) {
  const points = metric.series;
  const max = metric.unit === "percent" ? 100 : Math.max(1, ...points.map((point) => point.value ?? 0));
  const x = (index: number) => (points.length === 1 ? SERIES_WIDTH / 2 : (index * SERIES_WIDTH) / (points.length - 1));
  const y = (value: number) => SERIES_HEIGHT - 2 - ((SERIES_HEIGHT - 4) * value) / max;
  // Runs of shown points, split at gaps.
  const runs: string[] = [];
  let run: string[] = [];
  points.forEach((point, index) => {
    if (point.value === null) {
      if (run.length) runs.push(run.join(" "));
      run = [];
    } else run.push(`${x(index).toFixed(1)},${y(point.value).toFixed(1)}`);
  });
  if (run.length) runs.push(run.join(" "));
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const summary = `${metric.unit === "percent" ? "Mean" : "Total"} per period, ${first.period} to ${last.period}: latest ${last.value === null ? "suppressed" : `${last.value.toLocaleString()}${metric.unit === "percent" ? "%" : ""}`}`;

  return (
    <figure className="metric-series" data-testid="metric-series" data-points={points.length}>
      <svg width={SERIES_WIDTH} height={SERIES_HEIGHT} viewBox={`-3 0 ${SERIES_WIDTH + 6} ${SERIES_HEIGHT}`} role="img" aria-label={summary}>
        <line x1={0} y1={SERIES_HEIGHT - 1} x2={SERIES_WIDTH} y2={SERIES_HEIGHT - 1} stroke="currentColor" strokeOpacity={0.2} />
        {runs.map((line, index) => (line.includes(" ") ? <polyline key={index} points={line} fill="none" stroke="currentColor" strokeWidth={1.5} /> : null))}
        {points.map((point, index) =>
          point.value === null ? null : (
            <circle key={point.period} cx={x(index)} cy={y(point.value)} r={2} fill="currentColor">
              <title>{`${point.period}: ${point.value}${point.suppressed_cells ? ` (${point.suppressed_cells} suppressed cell(s) left out)` : ""}`}</title>
            </circle>
          ),
        )}
      </svg>
      <figcaption className="small muted">{summary}</figcaption>
    </figure>
  );
}

/** Horizontal CSS bars, one per value (suppressed ones drawn empty and labelled). */
function MetricChart({ metric }: { metric: TMetric }) {
  const values = metric.values.slice(0, CHART_LIMIT);
  const max = metric.unit === "percent" ? 100 : Math.max(1, ...values.map((row) => row.value ?? 0));
  const hasDimension = values.some((row) => row.dimension !== "");
  const isSingleOrganization = new Set(values.map((row) => row.organization_id)).size === 1;

  return (
    <figure className="metric-chart" aria-label={`Chart of ${metric.id}`} data-testid="metric-chart">
      {values.map((row, index) => {
        const label = [isSingleOrganization ? null : organizationLabel(row), hasDimension ? row.dimension || "—" : null, metric.is_snapshot && new Set(values.map((value) => value.period)).size === 1 ? null : row.period].filter(Boolean).join(" · ") || organizationLabel(row);

        return (
          <div className="metric-bar" key={`${row.period}|${row.organization_id}|${row.dimension}|${index}`}>
            <span className="metric-bar-label small" title={label}>
              {label}
            </span>
            <span className={`metric-bar-track${row.suppressed ? " is-suppressed" : ""}`}>
              {!row.suppressed && <span style={{ width: `${Math.max(0, Math.min(100, (100 * row.value!) / max))}%` }} />}
            </span>
            <span className="metric-bar-value small">{formatValue(row, metric.unit)}</span>
          </div>
        );
      })}
      {metric.values.length > CHART_LIMIT && <figcaption className="small muted">The newest {CHART_LIMIT} of {metric.values.length} values; the table has them all.</figcaption>}
    </figure>
  );
}

export function MetricsPanel() {
  const [filters, setFilters] = useState<TFilters>({ organization: "", periodStart: "", periodEnd: "" });
  // The answer to the last query asked; while it is for another query, the new one is loading.
  const [result, setResult] = useState<{ query: string; body: TMetricsBody | null; error: string | null } | null>(null);
  const [organizations, setOrganizations] = useState<{ id: string; name: string }[]>([]);
  const params = new URLSearchParams();
  if (filters.organization) params.set("organization", filters.organization);
  if (filters.periodStart) params.set("period_start", filters.periodStart);
  if (filters.periodEnd) params.set("period_end", filters.periodEnd);
  const query = params.toString();
  const isLoading = result?.query !== query;
  const body = isLoading ? null : result.body;
  const error = isLoading ? null : result.error;

  useEffect(() => {
    let cancelled = false;
    fetch(`/api/v1/metrics${query ? `?${query}` : ""}`, { cache: "no-store" })
      .then(async (response) => {
        if (!response.ok) throw new Error(await errorMessageOf(response));

        return response.json() as Promise<TMetricsBody>;
      })
      .then((next) => {
        if (cancelled) return;
        setResult({ query, body: next, error: null });
        setOrganizations(next.organizations);
      })
      .catch((caught: Error) => {
        if (cancelled) return;
        setResult({ query, body: null, error: caught instanceof TypeError ? "The server could not be reached. Check your connection and try again." : caught.message });
      });

    return () => {
      cancelled = true;
    };
  }, [query]);

  const isPeriodBackwards = filters.periodStart !== "" && filters.periodEnd !== "" && filters.periodStart > filters.periodEnd;

  return (
    <section className="card stack" data-testid="metrics-panel" aria-busy={isLoading}>
      <h2>Metrics</h2>
      <div className="grid-2">
        <label className="field">
          Organization
          <select value={filters.organization} onChange={(e) => setFilters((current) => ({ ...current, organization: e.target.value }))} data-testid="metrics-organization">
            <option value="">All organizations</option>
            {organizations.map((organization) => (
              <option key={organization.id} value={organization.id}>
                {organization.name}
              </option>
            ))}
          </select>
        </label>
        <div className="row">
          <label className="field">
            From (optional)
            <input type="date" value={filters.periodStart} max={filters.periodEnd || undefined} onChange={(e) => setFilters((current) => ({ ...current, periodStart: e.target.value }))} data-testid="metrics-period-start" />
          </label>
          <label className="field">
            As of (default today)
            <input type="date" value={filters.periodEnd} min={filters.periodStart || undefined} onChange={(e) => setFilters((current) => ({ ...current, periodEnd: e.target.value }))} data-testid="metrics-period-end" />
          </label>
        </div>
      </div>
      <p className="small muted">
        Counts of 1 to {(body?.small_cell_threshold ?? 11) - 1} patients are not shown: such a cell says &ldquo;suppressed&rdquo;. Counts per day and month start on or after &ldquo;From&rdquo;; counts of patients and
        providers are as of the &ldquo;As of&rdquo; day.
      </p>
      {isPeriodBackwards && (
        <div className="alert alert-warn" role="status">
          The period starts after it ends: choose a &ldquo;From&rdquo; day on or before the &ldquo;As of&rdquo; day.
        </div>
      )}
      {isLoading && (
        <p className="muted" role="status" data-testid="metrics-loading">
          Loading metrics…
        </p>
      )}
      {error && !isPeriodBackwards && (
        <div className="alert alert-danger" role="alert" data-testid="metrics-error">
          The metrics could not be loaded: {error}
        </div>
      )}
      {body?.metrics.map((metric) => <MetricSection key={`${query}|${metric.id}`} metric={metric} />)}
    </section>
  );
}
