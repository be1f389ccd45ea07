"use client";

// The audit browser's patient filter (admins): find a patient by name or MRN, then the trail
// shows only records about them, with their access report one click away.
import { useEffect, useState } from "react";

type TMatch = { id: string; name: string; mrn: string | null; birth_date: string | null };

export function AuditPatientFilter({ patientId, patientLabel, onChange }: { patientId: string | null; patientLabel: string | null; onChange: (patientId: string | null) => void }) {
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState<TMatch[]>([]);
  const trimmed = query.trim();

  useEffect(() => {
    if (trimmed.length < 2) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      // The patient list (not a patient's page): searching does not count as opening anyone's record.
      fetch(`/api/v1/patients?page_size=8&q=${encodeURIComponent(trimmed)}`, { signal: controller.signal, cache: "no-store" })
        .then(async (response) => setMatches(response.ok ? ((await response.json()) as { patients: TMatch[] }).patients : []))
        .catch(() => undefined);
    }, 250);

    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [trimmed]);

  if (patientId) {
    return (
      <div className="field" data-testid="audit-patient-selected">
        Patient
        <div className="row">
          <span className="badge badge-info">{patientLabel ?? patientId}</span>
          <button className="btn btn-sm" type="button" onClick={() => onChange(null)} data-testid="audit-patient-clear">
            Any patient
          </button>
        </div>
        <div className="row small">
          Access report:
          <a href={`/api/v1/audit/patients/${encodeURIComponent(patientId)}/access-report?format=pdf`} download data-testid="audit-access-report-pdf">
            PDF
          </a>
          <a href={`/api/v1/audit/patients/${encodeURIComponent(patientId)}/access-report?format=csv`} download data-testid="audit-access-report-csv">
            CSV
          </a>
        </div>
      </div>
    );
  }

  return (
    <label className="field" style={{ position: "relative" }}>
      Patient
      <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} placeholder="Name or MRN" aria-label="Find a patient by name or MRN" data-testid="audit-patient-search" autoComplete="off" />
      {trimmed.length >= 2 && matches.length > 0 && (
        <ul className="picker-list" role="listbox" aria-label="Matching patients" data-testid="audit-patient-matches">
          {matches.map((patient) => (
            <li key={patient.id}>
              <button
                type="button"
                role="option"
                aria-selected={false}
                onClick={() => {
                  setQuery("");
                  setMatches([]);
                  onChange(patient.id);
                }}
              >
                {patient.name}
                <span className="small muted">
                  {" "}
                  {patient.mrn ?? ""}
                  {patient.birth_date ? ` · born ${patient.birth_date}` : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </label>
  );
}
