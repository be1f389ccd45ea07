"use client";

// The one table of the portal (jobs, datasets, audit, users, schedules, warehouses, caseload) on
// TanStack Table v8. Sorting is in the browser for short lists; for long ones the server sorts,
// filters and pages, and the table only shows the state it is given (`sorting` + `onSortingChange`,
// `pagination`). Rows that open something are reachable by keyboard (Tab, then Enter or Space).
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  type OnChangeFn,
  type Row,
  type RowData,
  type RowSelectionState,
  type SortingState,
  useReactTable,
} from "@tanstack/react-table";
import { type KeyboardEvent, type ReactNode, useState } from "react";

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Class of the column's cells (e.g. "nowrap", "num"). */
    className?: string;
    /** data-testid of each of the column's cells. */
    cellTestId?: string;
    /** Hidden on narrow screens (the row's drawer or detail page shows it). */
    isCollapsible?: boolean;
  }
}

export type TDataTablePagination = {
  /** 1-based. */
  page: number;
  pageCount: number;
  onPageChange: (page: number) => void;
  pageSize?: number;
  pageSizes?: number[];
  onPageSizeChange?: (size: number) => void;
};

export type TDataTableProps<T> = {
  // TanStack's own advice for mixed value types: a column list is ColumnDef<T, any>[].
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<T, any>[];
  data: T[];
  getRowId: (row: T) => string;
  /** data-testid of the table, and the prefix of its controls' ids ("<id>-sort-<column>", "<id>-next"). */
  testId?: string;
  /** data-testid and other data-* attributes of each row. */
  rowTestId?: string;
  rowAttributes?: (row: T) => Record<string, string | number | undefined>;
  /** Server-side sorting: the current order, and what to do when someone asks for another. */
  sorting?: SortingState;
  onSortingChange?: (sorting: SortingState) => void;
  /** Browser-side sorting: where it starts. */
  initialSorting?: SortingState;
  /** Rows that can be ticked (a "select" display column renders the checkboxes). */
  rowSelection?: RowSelectionState;
  onRowSelectionChange?: OnChangeFn<RowSelectionState>;
  /** Makes each row open something (a drawer, a page): focusable, and Enter or Space opens it. */
  onRowOpen?: (row: T) => void;
  /** How a screen reader names a row that opens something. */
  rowLabel?: (row: T) => string;
  /** Shown in place of rows when there are none (and not loading). */
  empty?: ReactNode;
  isLoading?: boolean;
  pagination?: TDataTablePagination;
  caption?: string;
};

function rowKeyDown<T>(event: KeyboardEvent<HTMLTableRowElement>, row: Row<T>, onRowOpen: (row: T) => void) {
  // Only the row itself: Enter on a link or button inside it does what that control does.
  if (event.target !== event.currentTarget) return;
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    onRowOpen(row.original);
  }
}

export function DataTable<T>(props: TDataTableProps<T>) {
  const { data, getRowId, testId, rowTestId, rowAttributes, onRowOpen, rowLabel, empty, isLoading = false, pagination, caption } = props;
  const isServerSorted = props.onSortingChange !== undefined;
  const [localSorting, setLocalSorting] = useState<SortingState>(props.initialSorting ?? []);
  const sorting = isServerSorted ? (props.sorting ?? []) : localSorting;

  // TanStack Table v8 returns non-memoizable functions; React Compiler skipping this component is expected.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable<T>({
    data,
    columns: props.columns,
    getRowId: (row) => getRowId(row),
    getCoreRowModel: getCoreRowModel(),
    ...(isServerSorted ? { manualSorting: true } : { getSortedRowModel: getSortedRowModel() }),
    manualPagination: true,
    manualFiltering: true,
    enableSortingRemoval: false,
    state: { sorting, ...(props.rowSelection ? { rowSelection: props.rowSelection } : {}) },
    ...(props.onRowSelectionChange ? { enableRowSelection: true, onRowSelectionChange: props.onRowSelectionChange } : {}),
    onSortingChange: (updater) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      if (isServerSorted) props.onSortingChange!(next);
      else setLocalSorting(next);
    },
  });
  const rows = table.getRowModel().rows;
  const columnCount = table.getVisibleLeafColumns().length;

  return (
    <>
      <div className="table-wrap" aria-busy={isLoading}>
        <table className="table" data-testid={testId}>
          {caption && <caption className="sr-only">{caption}</caption>}
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const meta = header.column.columnDef.meta;
                  const label = header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext());

                  return (
                    <th key={header.id} className={meta?.isCollapsible ? "col-collapsible" : undefined} aria-sort={sorted ? (sorted === "desc" ? "descending" : "ascending") : undefined}>
                      {header.column.getCanSort() ? (
                        <button className="sort" type="button" data-testid={testId ? `${testId}-sort-${header.column.id}` : undefined} onClick={header.column.getToggleSortingHandler()}>
                          {label}
                          <span aria-hidden="true">{sorted === "asc" ? " ▲" : sorted === "desc" ? " ▼" : ""}</span>
                        </button>
                      ) : (
                        label
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.id}
                data-testid={rowTestId}
                {...Object.fromEntries(Object.entries(rowAttributes?.(row.original) ?? {}).filter(([, value]) => value !== undefined))}
                {...(onRowOpen
                  ? {
                      className: "row-openable",
                      tabIndex: 0,
                      "aria-label": rowLabel?.(row.original),
                      onClick: () => onRowOpen(row.original),
                      onKeyDown: (event: KeyboardEvent<HTMLTableRowElement>) => rowKeyDown(event, row, onRowOpen),
                    }
                  : {})}
              >
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta;
                  const className = [meta?.className, meta?.isCollapsible ? "col-collapsible" : null].filter(Boolean).join(" ") || undefined;

                  return (
                    <td key={cell.id} className={className} data-testid={meta?.cellTestId}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={columnCount} className="empty" data-testid={testId ? `${testId}-empty` : undefined}>
                  {isLoading ? "Loading…" : (empty ?? "Nothing to show.")}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {pagination && <DataTablePager testId={testId} {...pagination} />}
    </>
  );
}

function DataTablePager({ testId, page, pageCount, onPageChange, pageSize, pageSizes, onPageSizeChange }: TDataTablePagination & { testId?: string }) {
  const id = (suffix: string) => (testId ? `${testId}-${suffix}` : undefined);

  return (
    <div className="pager" data-testid={id("pager")}>
      {pageSizes && onPageSizeChange && (
        <label className="small muted">
          Per page{" "}
          <select data-testid={id("page-size")} value={String(pageSize ?? pageSizes[0])} onChange={(event) => onPageSizeChange(Number(event.target.value))}>
            {pageSizes.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      )}
      <span className="muted small" data-testid={id("page")}>
        Page {page} of {pageCount}
      </span>
      <button className="btn btn-sm" type="button" data-testid={id("prev")} disabled={page <= 1} onClick={() => onPageChange(page - 1)}>
        Previous
      </button>
      <button className="btn btn-sm" type="button" data-testid={id("next")} disabled={page >= pageCount} onClick={() => onPageChange(page + 1)}>
        Next
      </button>
    </div>
  );
}
