"use client";

import { useState } from "react";

import { messageForPeople } from "@/lib/errors/message-for-people";
import { sendJson } from "@/components/admin/send-json";
import type { TSettings } from "@/lib/settings/settings";

const NUMBER_FIELDS: { key: keyof TSettings; label: string; min: number; max: number; help: string }[] = [
  { key: "file_expiry_days", label: "File expiry (days)", min: 1, max: 90, help: "Finished export files are deleted after this." },
  { key: "link_lifetime_hours", label: "Download link lifetime (hours)", min: 1, max: 168, help: "Signed links stop working after this." },
  { key: "dataset_exports_per_hour", label: "Dataset exports per hour (non-admins)", min: 1, max: 100, help: "Rate limit for bulk dataset exports and people's FHIR $export kick-offs." },
  { key: "fhir_bulk_client_exports_per_hour", label: "FHIR $export kick-offs per hour (per SMART client)", min: 1, max: 100000, help: "Rate limit for each registered machine client's Bulk Data exports." },
  { key: "audit_retention_years", label: "Audit retention (years)", min: 6, max: 50, help: "At least 6, HIPAA's documentation period. The purge (npm run cli -- audit:purge) removes older records only." },
  { key: "k_anonymity_min_k", label: "Minimum k-anonymity of patient_anon (0: report only)", min: 0, max: 1000, help: "A de-identified export holding patient_anon whose smallest group of patients sharing age, gender and ZIP-3 (as released) is below this is refused." },
  { key: "api_token_max_days", label: "Longest API token lifetime (days)", min: 1, max: 366, help: "New API tokens (console, API and CLI) expire within this; existing ones keep their expiry." },
];

/** Saves only what changed; the server audits each change as a from → to diff. */
export function SettingsForm({ initial }: { initial: TSettings }) {
  const [current, setCurrent] = useState(initial);
  const [message, setMessage] = useState<{ kind: "ok" | "danger"; text: string } | null>(null);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Partial<TSettings> = {};
    for (const field of NUMBER_FIELDS) next[field.key] = Number(form.get(field.key)) as never;
    next.anonymization_default_profile = String(form.get("anonymization_default_profile")) as TSettings["anonymization_default_profile"];
    next.anonymization_minimum_profile = String(form.get("anonymization_minimum_profile")) as TSettings["anonymization_minimum_profile"];
    next.email_attachments_allowed = form.get("email_attachments_allowed") === "on";
    const changes = Object.fromEntries(Object.entries(next).filter(([key, value]) => current[key as keyof TSettings] !== value));
    if (Object.keys(changes).length === 0) {
      setMessage({ kind: "ok", text: "Nothing changed." });
      return;
    }
    const result = await sendJson<TSettings>("PATCH", "/api/v1/admin/settings", changes);
    if (!result.ok) {
      setMessage({ kind: "danger", text: messageForPeople(result.error, result.issues) });
      return;
    }
    setCurrent(result.data);
    setMessage({ kind: "ok", text: `Saved ${Object.keys(changes).length} change(s).` });
  }

  return (
    <form className="card stack" onSubmit={onSubmit} data-testid="settings-form">
      {message && (
        <div className={`alert alert-${message.kind}`} role="status" data-testid="settings-message">
          {message.text}
        </div>
      )}
      <div className="grid-2">
        {NUMBER_FIELDS.map((field) => (
          <label className="field" key={field.key}>
            {field.label}
            <input name={field.key} type="number" min={field.min} max={field.max} required defaultValue={String(current[field.key])} data-testid={`setting-${field.key}`} />
            <span className="muted small">{field.help}</span>
          </label>
        ))}
        <label className="field">
          Default anonymization profile
          <select name="anonymization_default_profile" defaultValue={current.anonymization_default_profile} data-testid="setting-anonymization_default_profile">
            <option value="safe-harbor">safe-harbor</option>
            <option value="standard">standard</option>
          </select>
        </label>
        <label className="field">
          Least strict profile allowed
          <select name="anonymization_minimum_profile" defaultValue={current.anonymization_minimum_profile} data-testid="setting-anonymization_minimum_profile">
            <option value="safe-harbor">safe-harbor (only Safe Harbor)</option>
            <option value="standard">standard (Safe Harbor or standard)</option>
          </select>
        </label>
      </div>
      <label className="checkbox">
        <input name="email_attachments_allowed" type="checkbox" defaultChecked={current.email_attachments_allowed} data-testid="setting-email_attachments_allowed" /> Scheduled emails may attach the file (otherwise a link only)
      </label>
      <div>
        <button className="btn btn-primary" type="submit" data-testid="settings-save">
          Save settings
        </button>
      </div>
    </form>
  );
}
