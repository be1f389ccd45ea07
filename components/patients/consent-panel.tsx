"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { sendJson } from "@/components/admin/send-json";
import { messageForPeople } from "@/lib/errors/message-for-people";

export type TConsentEntry = { id: string; optOut: boolean; status: string; source: string; decidedAt: string; reason: string | null; recordedBy: string | null };

/** Admins: the patient's data-sharing opt-out, set or cleared with a reason (audited), and its history. */
export function ConsentPanel({ patientId, optOut, history }: { patientId: string; optOut: boolean; history: TConsentEntry[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const reason = String(new FormData(form).get("reason") ?? "");
    setIsBusy(true);
    const result = await sendJson("PUT", `/api/v1/admin/patients/${encodeURIComponent(patientId)}/consent`, { opt_out: !optOut, reason });
    setIsBusy(false);
    if (!result.ok) {
      setError(messageForPeople(result.error, result.issues));
      return;
    }
    setError(null);
    form.reset();
    router.refresh();
  }

  return (
    <section className="card" data-testid="consent-panel">
      <h2>Data sharing</h2>
      <p data-testid="consent-status">
        {optOut ? (
          <strong>Opted out: left out of de-identified datasets, metrics, FHIR and Bulk Data, and of identified exports except for treatment or operations.</strong>
        ) : (
          "Shared: included in de-identified exports."
        )}
      </p>
      {error && (
        <div className="alert alert-danger" role="alert" data-testid="consent-error">
          {error}
        </div>
      )}
      <form className="stack" onSubmit={onSubmit}>
        <label className="field">
          Reason (kept in the audit trail)
          <input name="reason" required minLength={5} maxLength={500} data-testid="consent-reason" />
        </label>
        <div>
          <button className={optOut ? "btn" : "btn btn-danger"} type="submit" disabled={isBusy} data-testid="consent-toggle">
            {optOut ? "Clear the opt-out" : "Opt out of data sharing"}
          </button>
        </div>
      </form>
      {history.length > 0 && (
        <table className="table" data-testid="consent-history">
          <thead>
            <tr>
              <th>Decided</th>
              <th>Decision</th>
              <th>Source</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {history.map((entry) => (
              <tr key={entry.id}>
                <td>{entry.decidedAt.slice(0, 10)}</td>
                <td>
                  {entry.optOut ? "opt-out" : "sharing"}
                  {entry.status !== "active" ? ` (${entry.status})` : ""}
                </td>
                <td>{entry.source === "portal" ? `portal${entry.recordedBy ? ` · ${entry.recordedBy}` : ""}` : "FHIR import"}</td>
                <td>{entry.reason ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
