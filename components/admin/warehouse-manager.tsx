"use client";

import { createColumnHelper } from "@tanstack/react-table";
import { useState } from "react";

import { messageForPeople } from "@/lib/errors/message-for-people";
import { sendJson } from "@/components/admin/send-json";
import { useAdminList } from "@/components/admin/use-admin-list";
import { DataTable } from "@/components/ui/data-table";

type TColumn = { name: string; status: "exported" | "refused" | "excluded"; policy?: string; source?: "admin" | "default"; reason?: string };
type TView = { dataset: string; view: string; columns: TColumn[] };
type TWarehouse = { id: string; name: string; host: string; database: string; available: boolean; error: string | null; column_policies: Record<string, Record<string, string>>; views: TView[] };

const column = createColumnHelper<TColumn>();

/** A view's columns with their status and the policy an admin may set for each. */
function viewColumns(policies: string[], chosen: Record<string, string>, onPolicy: (column: string, policy: string) => void) {
  return [
    column.accessor("name", { header: "Column", cell: (info) => <code>{info.getValue()}</code> }),
    column.accessor("status", {
      header: "Status",
      cell: (info) => (
        <>
          <span className={`badge ${info.getValue() === "exported" ? "badge-ok" : "badge-warn"}`}>{info.getValue()}</span>
          {info.row.original.reason && <div className="muted small">{info.row.original.reason}</div>}
        </>
      ),
    }),
    column.display({
      id: "policy",
      header: "Policy",
      cell: ({ row: { original } }) => (
        <select value={chosen[original.name] ?? ""} onChange={(event) => onPolicy(original.name, event.target.value)} aria-label={`Policy of ${original.name}`} data-testid="warehouse-column-policy">
          <option value="">(guard default{original.status === "refused" ? ": refused" : ": keep"})</option>
          {policies.map((policy) => (
            <option key={policy} value={policy}>
              {policy}
            </option>
          ))}
          <option value="exclude">exclude (never export)</option>
        </select>
      ),
    }),
  ];
}

const errorText = (result: { error: string; issues: { path: string; message: string }[] }) =>
  messageForPeople(result.error, result.issues);

/**
 * Registers warehouse connections and sets the masking policy of their views' columns. The
 * server never sends the URL back: only host and database are shown.
 */
export function WarehouseManager({ policies }: { policies: string[] }) {
  const { items: warehouses, message, setMessage, reload: load } = useAdminList<TWarehouse>("/api/v1/admin/warehouses", "warehouses");
  const [busy, setBusy] = useState(false);

  async function onRegister(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setBusy(true);
    const result = await sendJson<TWarehouse>("POST", "/api/v1/admin/warehouses", { name: String(form.get("name") ?? ""), url: String(form.get("url") ?? "") });
    setBusy(false);
    if (!result.ok) {
      setMessage({ kind: "danger", text: errorText(result) });
      return;
    }
    formElement.reset();
    setMessage({ kind: "ok", text: `Connected to ${result.data.host}/${result.data.database}: ${result.data.views.length} _anon view(s) found.` });
    await load();
  }

  async function onPolicy(warehouse: TWarehouse, view: string, column: string, policy: string) {
    const next = structuredClone(warehouse.column_policies ?? {});
    next[view] ??= {};
    if (policy) next[view]![column] = policy;
    else delete next[view]![column];
    if (!Object.keys(next[view]!).length) delete next[view];
    const result = await sendJson<TWarehouse>("PATCH", `/api/v1/admin/warehouses/${warehouse.id}`, { column_policies: next });
    setMessage(result.ok ? { kind: "ok", text: `Saved the policy of ${view}.${column}.` } : { kind: "danger", text: errorText(result) });
    await load();
  }

  async function onRemove(warehouse: TWarehouse) {
    if (!window.confirm(`Remove the warehouse connection "${warehouse.name}"? Its datasets leave the catalog.`)) return;
    const result = await sendJson("DELETE", `/api/v1/admin/warehouses/${warehouse.id}`);
    setMessage(result.ok ? { kind: "ok", text: `Removed "${warehouse.name}".` } : { kind: "danger", text: result.error });
    await load();
  }

  return (
    <>
      {message && (
        <div className={`alert alert-${message.kind}`} role="status" data-testid="warehouse-message">
          {message.text}
        </div>
      )}
      <form className="card row" onSubmit={onRegister} data-testid="warehouse-register-form" style={{ alignItems: "flex-end" }}>
        <label className="field">
          Name
          <input name="name" required maxLength={32} pattern="[a-z][a-z0-9_]*" placeholder="analytics" data-testid="warehouse-name" />
        </label>
        <label className="field" style={{ flex: 1 }}>
          PostgreSQL URL (read-only user recommended)
          <input name="url" type="password" required autoComplete="off" placeholder="postgresql://reader:password@host:5432/warehouse" data-testid="warehouse-url" />
        </label>
        <button className="btn btn-primary" type="submit" disabled={busy} data-testid="warehouse-register">
          {busy ? "Testing…" : "Test and register"}
        </button>
      </form>
      {warehouses === null && <p className="muted">Loading…</p>}
      {warehouses?.length === 0 && <p className="muted">No warehouse is registered.</p>}
      {(warehouses ?? []).map((warehouse) => (
        <section className="card stack" key={warehouse.id} data-testid="warehouse-card">
          <div className="row" style={{ justifyContent: "space-between" }}>
            <div>
              <strong>{warehouse.name}</strong>{" "}
              <span className="muted">
                {warehouse.host}/{warehouse.database}
              </span>{" "}
              <span className={`badge ${warehouse.available ? "badge-ok" : "badge-warn"}`}>{warehouse.available ? "reachable" : "unavailable"}</span>
              {warehouse.error && <div className="muted small">{warehouse.error}</div>}
            </div>
            <button className="btn btn-sm btn-danger" type="button" onClick={() => onRemove(warehouse)} data-testid="warehouse-remove">
              Remove
            </button>
          </div>
          {warehouse.views.map((view) => (
            <div key={view.view}>
              <div className="small" style={{ padding: "8px 0" }}>
                <code>{view.view}</code> → dataset <code>{view.dataset}</code>
              </div>
              <DataTable
                testId="warehouse-view"
                columns={viewColumns(policies, warehouse.column_policies?.[view.view] ?? {}, (column, policy) => onPolicy(warehouse, view.view, column, policy))}
                data={view.columns}
                getRowId={(column) => column.name}
                empty="This view has no columns."
              />
            </div>
          ))}
        </section>
      ))}
    </>
  );
}
