"use client";

import { useCallback, useEffect, useState } from "react";

import { messageForPeople } from "@/lib/errors/message-for-people";
import { sendJson } from "@/components/admin/send-json";

type TToken = { id: string; name: string; prefix: string; created_at: string; expires_at: string; last_used_at: string | null; status: "active" | "expired" | "revoked" };

/** Lists, creates and revokes one user's API tokens. A new token's secret is shown once. `maxDays`: the settings' longest lifetime. */
export function TokenManager({ userId, maxDays = 90 }: { userId: string; maxDays?: number }) {
  const [tokens, setTokens] = useState<TToken[] | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/v1/admin/users/${userId}/tokens`;

  const load = useCallback(async () => {
    const result = await sendJson<{ tokens: TToken[] }>("GET", base);
    if (result.ok) setTokens(result.data.tokens);
    else setError(result.error);
  }, [base]);

  useEffect(() => {
    let isActive = true;
    sendJson<{ tokens: TToken[] }>("GET", base).then((result) => {
      if (!isActive) return;
      if (result.ok) setTokens(result.data.tokens);
      else setError(result.error);
    });

    return () => {
      isActive = false;
    };
  }, [base]);

  async function onCreate(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = await sendJson<{ name: string; token: string }>("POST", base, { name: String(form.get("name") ?? ""), days: Number(form.get("days") ?? Math.min(90, maxDays)) });
    if (!result.ok) {
      setError(messageForPeople(result.error, result.issues));
      return;
    }
    setError(null);
    setCreated({ name: result.data.name, token: result.data.token });
    formElement.reset();
    await load();
  }

  async function onRevoke(id: string) {
    const result = await sendJson("DELETE", `/api/v1/admin/tokens/${id}`);
    if (!result.ok) setError(result.error);
    await load();
  }

  return (
    <>
      {error && (
        <div className="alert alert-danger" role="alert" data-testid="token-error">
          {error}
        </div>
      )}
      {created && (
        <div className="alert alert-ok" data-testid="token-created">
          <strong>Token “{created.name}” created.</strong> Copy it now: it will not be shown again.
          <pre className="code" data-testid="token-secret">
            {created.token}
          </pre>
          <button className="btn btn-sm" type="button" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      )}
      <form className="card row" onSubmit={onCreate} data-testid="token-create-form" style={{ alignItems: "flex-end" }}>
        <label className="field">
          Name
          <input name="name" required maxLength={100} placeholder="nightly export script" data-testid="token-name" />
        </label>
        <label className="field">
          Valid for (days)
          <input name="days" type="number" min={1} max={maxDays} defaultValue={Math.min(90, maxDays)} data-testid="token-days" />
        </label>
        <button className="btn btn-primary" type="submit" data-testid="token-create">
          Create token
        </button>
      </form>
      <div className="table-wrap">
        <table className="table" data-testid="token-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Created</th>
              <th>Expires</th>
              <th>Last used</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(tokens ?? []).map((token) => (
              <tr key={token.id} data-testid="token-row">
                <td>{token.name}</td>
                <td>
                  <code>{token.prefix}…</code>
                </td>
                <td>{token.created_at.slice(0, 10)}</td>
                <td>{token.expires_at.slice(0, 10)}</td>
                <td>{token.last_used_at ? token.last_used_at.slice(0, 16).replace("T", " ") : "never"}</td>
                <td>
                  <span className={`badge ${token.status === "active" ? "badge-ok" : "badge-warn"}`}>{token.status}</span>
                </td>
                <td style={{ textAlign: "right" }}>
                  {token.status === "active" && (
                    <button className="btn btn-sm btn-danger" type="button" onClick={() => onRevoke(token.id)} data-testid="token-revoke">
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {tokens?.length === 0 && <div className="empty">No API tokens yet.</div>}
      </div>
    </>
  );
}
