"use client";

import Link from "next/link";

import type { TAuditRecordDto } from "@/lib/audit/find-audit-logs";

export type TAuditRecord = TAuditRecordDto;

/** The full record, metadata included, beside the grid. */
export function AuditRecordDrawer({
  record,
  users,
  formatTime,
  onClose,
}: {
  record: TAuditRecord;
  users: { id: string; name: string; email: string }[];
  formatTime: (iso: string) => string;
  onClose: () => void;
}) {
  const user = record.user_id ? users.find((candidate) => candidate.id === record.user_id) : undefined;
  const facts: [string, React.ReactNode][] = [
    ["Sequence", record.seq],
    ["Time", `${formatTime(record.created_at)} (${record.created_at})`],
    ["Action", <code key="a">{record.action}</code>],
    ["Outcome", record.outcome],
    ["User", user ? `${user.name} (${user.email})` : (record.user_email ?? record.user_id ?? "—")],
    ["Actor label", record.actor_label ?? "—"],
    [
      "Patient",
      record.patient_id ? (
        <Link key="p" href={`/patients/${encodeURIComponent(record.patient_id)}`} data-testid="audit-drawer-patient">
          {record.patient_name ? `${record.patient_name}${record.patient_mrn ? ` (MRN ${record.patient_mrn})` : ""}` : record.patient_id}
        </Link>
      ) : (
        "—"
      ),
    ],
    ["Export job", record.export_job_id ?? "—"],
    ["Dataset", record.dataset ?? "—"],
    ["Template", record.template_id ?? "—"],
    ["Schedule", record.schedule_id ?? "—"],
    ["IP address", record.ip_address ?? "—"],
    ["User agent", record.user_agent ?? "—"],
    ["Request id", record.request_id ?? "—"],
    ["Hash", <code key="h" className="small" style={{ wordBreak: "break-all" }}>{record.hash}</code>],
  ];

  return (
    <aside
      className="drawer"
      role="dialog"
      aria-label={`Audit record ${record.seq}`}
      data-testid="audit-drawer"
      onKeyDown={(event) => {
        // Escape closes it, as a keyboard user expects of a dialog.
        if (event.key === "Escape") onClose();
      }}
    >
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 style={{ margin: 0 }}>Record #{record.seq}</h2>
        {/* Focus moves into the drawer when it opens, so the keyboard continues there. */}
        <button className="btn btn-sm" type="button" onClick={onClose} data-testid="audit-drawer-close" autoFocus>
          Close
        </button>
      </div>
      <dl className="facts" style={{ marginTop: 14 }}>
        {facts.map(([label, value]) => (
          <div key={label} style={{ display: "contents" }}>
            <dt>{label}</dt>
            <dd data-testid={`audit-drawer-${label.toLowerCase().replace(/\s+/g, "-")}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <h3 style={{ marginTop: 16 }}>Metadata</h3>
      <pre className="code" data-testid="audit-drawer-metadata">
        {record.metadata === null ? "(none)" : JSON.stringify(record.metadata, null, 2)}
      </pre>
    </aside>
  );
}
