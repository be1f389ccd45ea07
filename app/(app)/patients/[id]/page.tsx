import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ExportPanel } from "@/components/exports/export-panel";
import { ConsentPanel } from "@/components/patients/consent-panel";
import { Forbidden } from "@/components/forbidden";
import { pageRequestMeta } from "@/lib/auth/page-access";
import { decide } from "@/lib/auth/policy";
import { requirePageActor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors/app-error";
import { consentHistory } from "@/lib/patients/consent";
import { getPatientDetail, type TPatientDetail } from "@/lib/patients/get-patient";
import { defaultReportPeriod, FULL_RECORD_SECTIONS, PROGRESS_REPORT_SECTIONS, TREATMENT_SUMMARY_SECTIONS } from "@/lib/reports/report-requests";

export const metadata: Metadata = { title: "Patient" };
export const dynamic = "force-dynamic";

const fmt = (value: number | null | undefined) => (value === null || value === undefined ? "—" : Number.isInteger(value) ? String(value) : value.toFixed(1));

export default async function PatientPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  const { id } = await params;
  let patient: TPatientDetail;
  try {
    patient = await getPatientDetail(actor, id, await pageRequestMeta());
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    if (error instanceof AppError && error.code === "FORBIDDEN") return <Forbidden what="patients" />;
    throw error;
  }
  // Therapists see the patient, not this control.
  const consent = decide(actor, { action: "patient.consent-manage" }).allowed ? await consentHistory(patient.id) : null;

  return (
    <>
      <div className="page-header">
        <div>
          <p className="small muted">
            <Link href="/patients">Patients</Link> /
          </p>
          <h1 data-testid="patient-name">{patient.name}</h1>
          <p className="muted">
            Born {patient.birth_date ?? "—"} · {patient.gender ?? "—"} · MRN {patient.mrn ?? "—"}
          </p>
        </div>
      </div>

      <div className="grid-2">
        <section className="card">
          <h2>Details</h2>
          <dl className="facts">
            <dt>Preferred name</dt>
            <dd>{patient.preferred_name ?? "—"}</dd>
            <dt>Phone</dt>
            <dd>{patient.phone ?? "—"}</dd>
            <dt>Email</dt>
            <dd>{patient.email ?? "—"}</dd>
            <dt>Address</dt>
            <dd>{patient.address || "—"}</dd>
            <dt>Insurance</dt>
            <dd>{patient.insurance.payer ? `${patient.insurance.payer} · member ${patient.insurance.member_id ?? "—"}` : "—"}</dd>
          </dl>
        </section>
        <section className="card">
          <h2>Diagnoses</h2>
          {patient.conditions.length === 0 ? (
            <p className="muted">None recorded.</p>
          ) : (
            <ul>
              {patient.conditions.map((condition) => (
                <li key={condition.id}>
                  <strong>{condition.code}</strong> {condition.display} <span className="muted small">{condition.status ?? ""}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section className="card">
        <h2>Goals</h2>
        {patient.goals.length === 0 ? (
          <p className="muted">No goals recorded.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Goal</th>
                <th>Measure</th>
                <th>Baseline</th>
                <th>Current</th>
                <th>Target</th>
                <th style={{ width: 160 }}>Progress</th>
              </tr>
            </thead>
            <tbody>
              {patient.goals.map((goal) => (
                <tr key={goal.id}>
                  <td>{goal.description}</td>
                  <td>{goal.measure ?? "—"}</td>
                  <td>{fmt(goal.baseline)}</td>
                  <td>{fmt(goal.current)}</td>
                  <td>{fmt(goal.target)}</td>
                  <td>
                    <div className="progress" aria-label={`${Math.round(goal.progress_percent ?? 0)}%`}>
                      <span style={{ width: `${Math.round(goal.progress_percent ?? 0)}%` }} />
                    </div>
                    <span className="small muted">{Math.round(goal.progress_percent ?? 0)}%</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div className="grid-2">
        <section className="card">
          <h2>Latest assessments</h2>
          {patient.latest_assessments.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Date</th>
                  <th>Instrument</th>
                  <th>Score</th>
                  <th>Severity</th>
                </tr>
              </thead>
              <tbody>
                {patient.latest_assessments.map((a) => (
                  <tr key={a.id}>
                    <td>{a.date.slice(0, 10)}</td>
                    <td>{a.instrument.toUpperCase()}</td>
                    <td>{fmt(a.score)}</td>
                    <td>{a.severity ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card">
          <h2>Sessions</h2>
          {patient.encounters.length === 0 ? (
            <p className="muted">No sessions yet.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Date</th>
                  <th>Service</th>
                  <th>Format</th>
                  <th>Clinician</th>
                </tr>
              </thead>
              <tbody>
                {patient.encounters.slice(0, 15).map((e) => (
                  <tr key={e.id}>
                    <td>{e.start.slice(0, 10)}</td>
                    <td>{e.cpt_code ?? "—"}</td>
                    <td>{e.delivery_format ?? "—"}</td>
                    <td>{e.practitioner ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {patient.encounters.length > 15 && <p className="small muted">Showing the latest 15 of {patient.encounters.length} sessions.</p>}
        </section>
      </div>

      {consent && (
        <ConsentPanel
          patientId={patient.id}
          optOut={consent.optOut}
          history={consent.consents.map((entry) => ({ id: entry.id, optOut: entry.optOut, status: entry.status, source: entry.source, decidedAt: entry.decidedAt.toISOString(), reason: entry.reason, recordedBy: entry.recordedBy?.name ?? null }))}
        />
      )}

      {actor.role !== "ANALYST" && (
        <ExportPanel
          patientId={patient.id}
          sections={{ progress_report: PROGRESS_REPORT_SECTIONS, treatment_summary: TREATMENT_SUMMARY_SECTIONS, full_record: FULL_RECORD_SECTIONS }}
          treatmentPlans={patient.treatment_plans.map((plan) => ({ id: plan.id, title: plan.title }))}
          sessions={patient.encounters.map((e) => ({ id: e.id, date: e.start.slice(0, 10), label: [e.cpt_code, e.delivery_format, e.practitioner].filter(Boolean).join(" · ") }))}
          defaultPeriod={defaultReportPeriod(patient.encounters[0]?.start ?? null)}
        />
      )}
    </>
  );
}
