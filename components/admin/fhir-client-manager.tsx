"use client";

import { useState } from "react";

import { messageForPeople } from "@/lib/errors/message-for-people";
import { sendJson } from "@/components/admin/send-json";
import { useAdminList } from "@/components/admin/use-admin-list";

type TClient = { id: string; client_id: string; name: string; role: string; pii_reason: string | null; jwks_url: string | null; jwks: unknown; scopes: string[]; is_disabled: boolean; created_at: string };

const errorText = (result: { error: string; issues: { path: string; message: string }[] }) =>
  messageForPeople(result.error, result.issues);

/** Registers SMART Backend Services clients (inline JWKS or a JWKS URL), disables and removes them. */
export function FhirClientManager() {
  const { items: clients, message, setMessage, reload: load } = useAdminList<TClient>("/api/v1/admin/fhir-clients", "clients");
  const [busy, setBusy] = useState(false);

  async function onRegister(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const jwksText = String(form.get("jwks") ?? "").trim();
    let jwks: unknown;
    if (jwksText) {
      try {
        jwks = JSON.parse(jwksText);
      } catch {
        setMessage({ kind: "danger", text: "jwks: is not valid JSON" });
        return;
      }
    }
    const jwksUrl = String(form.get("jwks_url") ?? "").trim();
    const piiReason = String(form.get("pii_reason") ?? "").trim();
    setBusy(true);
    const result = await sendJson<TClient>("POST", "/api/v1/admin/fhir-clients", {
      name: String(form.get("name") ?? ""),
      role: String(form.get("role") ?? "analyst"),
      scopes: String(form.get("scopes") ?? "").split(/[\s,]+/).filter(Boolean),
      ...(jwks !== undefined ? { jwks } : {}),
      ...(jwksUrl ? { jwks_url: jwksUrl } : {}),
      ...(piiReason ? { pii_reason: piiReason } : {}),
    });
    setBusy(false);
    if (!result.ok) {
      setMessage({ kind: "danger", text: errorText(result) });
      return;
    }
    formElement.reset();
    setMessage({ kind: "ok", text: `Registered "${result.data.name}". Its client_id is ${result.data.client_id}` });
    await load();
  }

  async function onToggle(client: TClient) {
    const result = await sendJson<TClient>("PATCH", `/api/v1/admin/fhir-clients/${client.id}`, { is_disabled: !client.is_disabled });
    setMessage(result.ok ? { kind: "ok", text: `${client.is_disabled ? "Enabled" : "Disabled"} "${client.name}".` } : { kind: "danger", text: errorText(result) });
    await load();
  }

  async function onRemove(client: TClient) {
    if (!window.confirm(`Remove the FHIR client "${client.name}"? Its tokens stop working at once.`)) return;
    const result = await sendJson("DELETE", `/api/v1/admin/fhir-clients/${client.id}`);
    setMessage(result.ok ? { kind: "ok", text: `Removed "${client.name}".` } : { kind: "danger", text: result.error });
    await load();
  }

  return (
    <>
      {message && (
        <div className={`alert alert-${message.kind}`} role="status" data-testid="fhir-client-message">
          {message.text}
        </div>
      )}
      <form className="card stack" onSubmit={onRegister} data-testid="fhir-client-form">
        <div className="row">
          <label className="field">
            Name
            <input name="name" required maxLength={100} placeholder="Warehouse nightly job" data-testid="fhir-client-name" />
          </label>
          <label className="field">
            Acts as
            <select name="role" defaultValue="analyst" data-testid="fhir-client-role">
              <option value="analyst">analyst (de-identified)</option>
              <option value="admin">admin (identified)</option>
            </select>
          </label>
          <label className="field" style={{ flex: 1 }}>
            Scopes (space-separated)
            <input name="scopes" required defaultValue="system/*.read" data-testid="fhir-client-scopes" />
          </label>
        </div>
        <label className="field">
          JWKS URL (fetched under the outbound rules; or paste the JWKS below)
          <input name="jwks_url" type="url" placeholder="https://warehouse.example.org/.well-known/jwks.json" data-testid="fhir-client-jwks-url" />
        </label>
        <label className="field">
          Public JWKS (JSON)
          <textarea name="jwks" rows={4} placeholder='{"keys":[{"kty":"EC","crv":"P-384", ...}]}' data-testid="fhir-client-jwks" />
        </label>
        <label className="field">
          Reason for the identified tier (analyst clients only; leave empty for none)
          <input name="pii_reason" maxLength={500} data-testid="fhir-client-pii-reason" />
        </label>
        <div>
          <button className="btn btn-primary" type="submit" disabled={busy} data-testid="fhir-client-register">
            {busy ? "Registering…" : "Register client"}
          </button>
        </div>
      </form>
      {clients === null && <p className="muted">Loading…</p>}
      {clients?.length === 0 && <p className="muted">No FHIR client is registered.</p>}
      {clients && clients.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="fhir-client-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>client_id</th>
                <th>Role</th>
                <th>Scopes</th>
                <th>Keys</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {clients.map((client) => (
                <tr key={client.id} data-testid="fhir-client-row">
                  <td>{client.name}</td>
                  <td>
                    <code data-testid="fhir-client-id">{client.client_id}</code>
                  </td>
                  <td>{client.role}</td>
                  <td className="small">{client.scopes.join(" ")}</td>
                  <td className="small">{client.jwks_url ?? "inline JWKS"}</td>
                  <td>
                    <span className={`badge ${client.is_disabled ? "badge-warn" : "badge-ok"}`}>{client.is_disabled ? "disabled" : "active"}</span>
                  </td>
                  <td className="row">
                    <button className="btn btn-sm" type="button" onClick={() => onToggle(client)}>
                      {client.is_disabled ? "Enable" : "Disable"}
                    </button>
                    <button className="btn btn-sm btn-danger" type="button" onClick={() => onRemove(client)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
