"use client";

import { useState } from "react";

import { sendJson } from "@/components/admin/send-json";
import { useAdminList } from "@/components/admin/use-admin-list";
import { messageForPeople } from "@/lib/errors/message-for-people";

type TSync = { id: string; status: string; trigger: string; method: string | null; resource_count: number | null; error: string | null; created_at: string; completed_at: string | null };
type TSource = {
  id: string;
  name: string;
  base_url: string;
  auth: { type: string; client_id?: string | null };
  mode: string;
  resource_types: string[];
  schedule: string;
  next_sync_at: string | null;
  is_active: boolean;
  last_sync: TSync | null;
  watermark: string | null;
};

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** The auth part of a registration, from the form: the token or key is sent once and never shown again. */
function authOf(form: FormData): Record<string, unknown> {
  const type = String(form.get("auth_type") ?? "none");
  if (type === "bearer") return { type, token: String(form.get("token") ?? "") };
  if (type === "smart") {
    let privateKey: unknown = String(form.get("private_key") ?? "");
    try {
      privateKey = JSON.parse(privateKey as string);
    } catch {
      // Sent as text: the server answers that it must be a private JWK.
    }
    return { type, client_id: String(form.get("client_id") ?? ""), private_key: privateKey };
  }

  return { type: "none" };
}

/**
 * Registers the FHIR servers CareExport pulls from, with their schedule, and shows each one's
 * last sync and watermark (the next run's _since). Sync now queues a run like the schedule does.
 */
export function FhirSourceManager({ timeZone }: { timeZone: string }) {
  const { items: sources, message, setMessage, reload: load } = useAdminList<TSource>("/api/v1/admin/fhir-sources", "sources");
  const [authType, setAuthType] = useState("bearer");
  const [busy, setBusy] = useState(false);

  async function onRegister(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const scheduleType = String(form.get("schedule_type") ?? "");
    setBusy(true);
    const result = await sendJson<TSource>("POST", "/api/v1/admin/fhir-sources", {
      name: String(form.get("name") ?? ""),
      base_url: String(form.get("base_url") ?? ""),
      auth: authOf(form),
      mode: String(form.get("mode") ?? "auto"),
      ...(scheduleType ? { schedule_type: scheduleType, schedule_config: { time: String(form.get("time") ?? ""), timezone: String(form.get("timezone") || timeZone) } } : {}),
    });
    setBusy(false);
    if (!result.ok) {
      setMessage({ kind: "danger", text: messageForPeople(result.error, result.issues) });
      return;
    }
    formElement.reset();
    setMessage({ kind: "ok", text: `Registered "${result.data.name}" (${result.data.schedule}).` });
    await load();
  }

  async function onSync(source: TSource) {
    const result = await sendJson<TSync>("POST", `/api/v1/admin/fhir-sources/${source.id}/sync`);
    setMessage(result.ok ? { kind: "ok", text: `Sync of "${source.name}" queued; it shows here when it ends.` } : { kind: "danger", text: result.error });
    await load();
  }

  async function onRemove(source: TSource) {
    if (!window.confirm(`Remove the FHIR source "${source.name}"? Data already imported stays.`)) return;
    const result = await sendJson("DELETE", `/api/v1/admin/fhir-sources/${source.id}`);
    setMessage(result.ok ? { kind: "ok", text: `Removed "${source.name}".` } : { kind: "danger", text: result.error });
    await load();
  }

  return (
    <>
      {message && (
        <div className={`alert alert-${message.kind}`} role="status" data-testid="fhir-source-message">
          {message.text}
        </div>
      )}
      <form className="card stack" onSubmit={onRegister} data-testid="fhir-source-form">
        <div className="row" style={{ alignItems: "flex-end", flexWrap: "wrap" }}>
          <label className="field">
            Name
            <input name="name" required maxLength={48} pattern="[a-z][a-z0-9_\-]*" placeholder="hospital-ehr" data-testid="fhir-source-name" />
          </label>
          <label className="field" style={{ flex: 1, minWidth: 260 }}>
            FHIR base URL
            <input name="base_url" type="url" required placeholder="https://fhir.example.org/r4" data-testid="fhir-source-url" />
          </label>
          <label className="field">
            Pull by
            <select name="mode" defaultValue="auto" data-testid="fhir-source-mode">
              <option value="auto">Bulk $export, else searches</option>
              <option value="bulk">Bulk $export only</option>
              <option value="search">Searches by _lastUpdated</option>
            </select>
          </label>
        </div>
        <div className="row" style={{ alignItems: "flex-end", flexWrap: "wrap" }}>
          <label className="field">
            Sign-in
            <select name="auth_type" value={authType} onChange={(event) => setAuthType(event.target.value)} data-testid="fhir-source-auth">
              <option value="none">None</option>
              <option value="bearer">Bearer token</option>
              <option value="smart">SMART Backend Services</option>
            </select>
          </label>
          {authType === "bearer" && (
            <label className="field" style={{ flex: 1 }}>
              Token (stored encrypted, never shown again)
              <input name="token" type="password" required autoComplete="off" data-testid="fhir-source-token" />
            </label>
          )}
          {authType === "smart" && (
            <>
              <label className="field">
                Client id at the source
                <input name="client_id" required data-testid="fhir-source-client-id" />
              </label>
              <label className="field" style={{ flex: 1 }}>
                Private key (JWK, RS384 or ES384; stored encrypted)
                <textarea name="private_key" required rows={3} autoComplete="off" data-testid="fhir-source-private-key" />
              </label>
            </>
          )}
        </div>
        <div className="row" style={{ alignItems: "flex-end", flexWrap: "wrap" }}>
          <label className="field">
            Schedule
            <select name="schedule_type" defaultValue="" data-testid="fhir-source-schedule">
              <option value="">On request only</option>
              <option value="daily">Daily</option>
            </select>
          </label>
          <label className="field">
            At
            <input name="time" type="time" defaultValue="02:00" data-testid="fhir-source-time" />
          </label>
          <label className="field">
            Time zone
            <input name="timezone" placeholder={timeZone} />
          </label>
          <button className="btn btn-primary" type="submit" disabled={busy} data-testid="fhir-source-register">
            {busy ? "Checking…" : "Register"}
          </button>
        </div>
      </form>
      {sources === null && <p className="muted">Loading…</p>}
      {sources?.length === 0 && <p className="muted">No FHIR source is registered.</p>}
      {(sources ?? []).map((source) => (
        <section className="card stack" key={source.id} data-testid="fhir-source-card">
          <div className="row" style={{ justifyContent: "space-between", flexWrap: "wrap" }}>
            <div>
              <strong>{source.name}</strong> <span className="muted">{source.base_url}</span>{" "}
              <span className="badge">{source.auth.type === "smart" ? "SMART" : source.auth.type === "bearer" ? "Bearer token" : "no sign-in"}</span>
              <div className="muted small">
                {source.schedule}
                {source.next_sync_at ? `; next ${when(source.next_sync_at)}` : ""}. Watermark (next _since): {source.watermark ? when(source.watermark) : "none yet: the next run takes everything"}.
              </div>
              <div className="small" data-testid="fhir-source-last-sync">
                Last sync:{" "}
                {source.last_sync ? (
                  <>
                    <span className={`badge ${source.last_sync.status === "succeeded" ? "badge-ok" : source.last_sync.status === "failed" ? "badge-warn" : ""}`}>{source.last_sync.status}</span> {when(source.last_sync.completed_at ?? source.last_sync.created_at)}
                    {source.last_sync.method ? ` by ${source.last_sync.method}` : ""}
                    {source.last_sync.resource_count !== null ? `, ${source.last_sync.resource_count} resources` : ""}
                    {source.last_sync.error && <div className="muted">{source.last_sync.error}</div>}
                  </>
                ) : (
                  "never"
                )}
              </div>
            </div>
            <div className="row">
              <button className="btn btn-sm" type="button" onClick={() => onSync(source)} data-testid="fhir-source-sync">
                Sync now
              </button>
              <button className="btn btn-sm" type="button" onClick={() => load()}>
                Refresh
              </button>
              <button className="btn btn-sm btn-danger" type="button" onClick={() => onRemove(source)} data-testid="fhir-source-remove">
                Remove
              </button>
            </div>
          </div>
        </section>
      ))}
    </>
  );
}
