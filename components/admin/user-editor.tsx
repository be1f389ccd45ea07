"use client";

import { createColumnHelper } from "@tanstack/react-table";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { messageForPeople } from "@/lib/errors/message-for-people";
import { sendJson, type TApiResult } from "@/components/admin/send-json";
import { DataTable } from "@/components/ui/data-table";
import type { TUserDto } from "@/lib/users/list-users";

type TUserDetail = TUserDto & { assignments: { patient_id: string; name: string; mrn: string | null }[] };

function describe(result: TApiResult<unknown>) {
  if (result.ok) return null;

  return messageForPeople(result.error, result.issues);
}

type TPatientChoice = { id: string; label: string };
type TAssignment = TUserDetail["assignments"][number];

const assignmentColumn = createColumnHelper<TAssignment>();

/** A therapist's assigned patients, each with its Unassign button. */
function assignmentColumns(onUnassign: (patientId: string) => void) {
  return [
    assignmentColumn.accessor("name", { header: "Patient" }),
    assignmentColumn.accessor((row) => row.mrn ?? "", { id: "mrn", header: "MRN", meta: { className: "muted" }, cell: (info) => info.getValue() || "—" }),
    assignmentColumn.display({
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: (info) => (
        <button className="btn btn-sm btn-danger" type="button" onClick={() => onUnassign(info.row.original.patient_id)}>
          Unassign
        </button>
      ),
    }),
  ];
}

/**
 * Patients matching a search (name, MRN or FHIR id), asked of the patients API as the admin types:
 * a practice has thousands, too many to list in one picker.
 */
function usePatientSearch(query: string, therapistId: string, isEnabled: boolean, assignedCount: number) {
  const [matches, setMatches] = useState<TPatientChoice[] | null>(null);
  useEffect(() => {
    if (!isEnabled) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        // Already assigned patients are left out by the server, so the 20 offered are all assignable.
        const response = await fetch(`/api/v1/patients?page_size=20&not_assigned_to=${encodeURIComponent(therapistId)}&q=${encodeURIComponent(query.trim())}`, { signal: controller.signal, cache: "no-store" });
        if (!response.ok) return setMatches([]);
        const body = (await response.json()) as { patients: { id: string; name: string; mrn: string | null; birth_date: string | null }[] };
        setMatches(body.patients.map((patient) => ({ id: patient.id, label: `${patient.name}${patient.mrn ? ` (${patient.mrn})` : ""}${patient.birth_date ? `, born ${patient.birth_date}` : ""}` })));
      } catch {
        // Aborted by the next keystroke.
      }
    }, 250);

    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // assignedCount: asked again after each (un)assignment.
  }, [query, therapistId, isEnabled, assignedCount]);

  return matches;
}

/** Role, grant, disable, password reset and patient assignments for one user; each save is audited server-side. */
const ROLE_LABEL: Record<string, string> = { therapist: "Therapist", analyst: "Analyst", admin: "Administrator" };

type TProfileChanges = { name: string; role: string; credentials: string | null; npi: string | null; pii_access: boolean };

export function UserEditor({ user, isSelf, otherTherapists = [] }: { user: TUserDetail; isSelf: boolean; otherTherapists?: { id: string; name: string; email: string }[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ kind: "ok" | "danger"; text: string } | null>(null);
  const [patientId, setPatientId] = useState("");
  const [patientQuery, setPatientQuery] = useState("");
  const matches = usePatientSearch(patientQuery, user.id, user.role === "therapist", user.assignments.length);
  // The server leaves assigned patients out; this also hides one assigned a moment ago, before the list is asked again.
  const choices = (matches ?? []).filter((patient) => !user.assignments.some((assignment) => assignment.patient_id === patient.id));

  async function run(action: () => Promise<TApiResult<unknown>>, success: string) {
    const result = await action();
    const error = describe(result);
    setMessage(error ? { kind: "danger", text: error } : { kind: "ok", text: success });
    if (!error) router.refresh();
  }

  // A role change that ends a therapist's assignments waits here for the admin to confirm it.
  const [pendingChanges, setPendingChanges] = useState<TProfileChanges | null>(null);
  const [caseloadTarget, setCaseloadTarget] = useState("");

  async function save(changes: TProfileChanges) {
    setPendingChanges(null);
    await run(() => sendJson("PATCH", `/api/v1/admin/users/${user.id}`, changes), "Saved.");
  }

  async function onSave(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const changes: TProfileChanges = {
      name: String(form.get("name") ?? ""),
      role: String(form.get("role") ?? user.role),
      credentials: String(form.get("credentials") ?? "") || null,
      npi: String(form.get("npi") ?? "") || null,
      pii_access: form.get("pii_access") === "on",
    };
    if (user.role === "therapist" && changes.role !== "therapist") {
      setPendingChanges(changes);
      return;
    }
    await save(changes);
  }

  async function onMoveCaseload(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const target = otherTherapists.find((therapist) => therapist.id === caseloadTarget);
    if (!target) return;
    const count = user.assignments.length;
    if (!window.confirm(`Move all ${count} patient${count === 1 ? "" : "s"} of ${user.name} to ${target.name}? ${user.name} loses access to them.`)) return;
    await run(() => sendJson("POST", `/api/v1/admin/users/${user.id}/caseload`, { to_user_id: target.id }), `Moved ${count} patient${count === 1 ? "" : "s"} to ${target.name}.`);
    setCaseloadTarget("");
  }

  async function onResetPassword(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const password = String(new FormData(formElement).get("password") ?? "");
    await run(() => sendJson("POST", `/api/v1/admin/users/${user.id}/password`, { password }), "Password reset. Tell the user through a separate channel.");
    formElement.reset();
  }

  return (
    <>
      {message && (
        <div className={`alert alert-${message.kind}`} role="status" data-testid="user-editor-message">
          {message.text}
        </div>
      )}
      {pendingChanges && (
        <div className="alert alert-warn stack" role="alertdialog" aria-labelledby="role-change-title" aria-describedby="role-change-text" data-testid="role-change-confirm">
          <strong id="role-change-title">
            Change {user.name}&apos;s role to {ROLE_LABEL[pendingChanges.role] ?? pendingChanges.role}?
          </strong>
          <span id="role-change-text" data-testid="role-change-text">
            {user.assignments.length === 0
              ? "They have no patient assignments. They are signed out everywhere and their API tokens are revoked."
              : `Their ${user.assignments.length} patient assignment${user.assignments.length === 1 ? "" : "s"} will end (each is recorded in the audit trail); making them a therapist again does not bring ${user.assignments.length === 1 ? "it" : "them"} back. They are signed out everywhere and their API tokens are revoked.`}
            {user.assignments.length > 0 && otherTherapists.length > 0 && " To hand the patients to another therapist first, cancel and use Move caseload below."}
          </span>
          <div className="row">
            <button className="btn btn-danger" type="button" onClick={() => void save(pendingChanges)} data-testid="role-change-confirm-button">
              Change role{user.assignments.length ? ` and end ${user.assignments.length} assignment${user.assignments.length === 1 ? "" : "s"}` : ""}
            </button>
            <button className="btn" type="button" onClick={() => setPendingChanges(null)} data-testid="role-change-cancel">
              Cancel
            </button>
          </div>
        </div>
      )}
      <div className="grid-2">
        <form className="card stack" onSubmit={onSave} data-testid="user-edit-form">
          <h2>Profile and access</h2>
          <label className="field">
            Name
            <input name="name" defaultValue={user.name} required />
          </label>
          <label className="field">
            Role
            <select name="role" defaultValue={user.role} disabled={isSelf} data-testid="user-role">
              <option value="therapist">Therapist</option>
              <option value="analyst">Analyst</option>
              <option value="admin">Administrator</option>
            </select>
          </label>
          <label className="field">
            Credentials
            <input name="credentials" defaultValue={user.credentials ?? ""} />
          </label>
          <label className="field">
            NPI
            <input name="npi" defaultValue={user.npi ?? ""} inputMode="numeric" />
          </label>
          <label className="checkbox">
            <input name="pii_access" type="checkbox" defaultChecked={user.pii_access} data-testid="user-pii-access" /> Identified (PII) dataset tier (analysts only)
          </label>
          <div className="row">
            <button className="btn btn-primary" type="submit" data-testid="user-save">
              Save
            </button>
            {!isSelf && (
              <button
                className={`btn ${user.is_disabled ? "" : "btn-danger"}`}
                type="button"
                data-testid="user-toggle-disabled"
                onClick={() => run(() => sendJson("PATCH", `/api/v1/admin/users/${user.id}`, { is_disabled: !user.is_disabled }), user.is_disabled ? "Account enabled." : "Account disabled.")}
              >
                {user.is_disabled ? "Enable account" : "Disable account"}
              </button>
            )}
          </div>
        </form>
        <form className="card stack" onSubmit={onResetPassword} data-testid="user-password-form">
          <h2>Reset password</h2>
          <p className="muted small">Sets a new password, lifts a lockout and signs the user out of every web session at their next request. API tokens stay valid: revoke them below if the account may be compromised.</p>
          <label className="field">
            New password (12+ characters, not easy to guess)
            <input name="password" type="password" minLength={12} required autoComplete="new-password" data-testid="user-new-password" />
          </label>
          <div>
            <button className="btn" type="submit" data-testid="user-reset-password">
              Reset password
            </button>
          </div>
        </form>
      </div>
      {user.role === "therapist" && (
        <div className="card" data-testid="user-assignments">
          <h2>Assigned patients ({user.assignments.length})</h2>
          <form
            className="row"
            onSubmit={async (event) => {
              event.preventDefault();
              if (!patientId) return;
              await run(() => sendJson("PUT", `/api/v1/admin/users/${user.id}/assignments`, { patient_id: patientId, assigned: true }), "Patient assigned.");
              setPatientId("");
            }}
          >
            <input
              type="search"
              value={patientQuery}
              onChange={(event) => {
                setPatientQuery(event.target.value);
                setPatientId("");
              }}
              placeholder="Search name or MRN"
              aria-label="Search patients to assign"
              data-testid="assign-patient-search"
            />
            <select value={patientId} onChange={(event) => setPatientId(event.target.value)} data-testid="assign-patient-select" aria-label="Patient to assign">
              <option value="">{matches === null ? "Searching…" : choices.length ? `Choose a patient (${choices.length} shown)…` : "No unassigned patient matches"}</option>
              {choices.map((patient) => (
                <option key={patient.id} value={patient.id}>
                  {patient.label}
                </option>
              ))}
            </select>
            <button className="btn" type="submit" disabled={!patientId} data-testid="assign-patient-submit">
              Assign
            </button>
          </form>
          <div style={{ marginTop: 12 }}>
            <DataTable
              testId="assignments-table"
              rowTestId="assignment-row"
              columns={assignmentColumns((patientId) => run(() => sendJson("PUT", `/api/v1/admin/users/${user.id}/assignments`, { patient_id: patientId, assigned: false }), "Patient unassigned."))}
              data={user.assignments}
              getRowId={(assignment) => assignment.patient_id}
              initialSorting={[{ id: "name", desc: false }]}
              empty="No patients assigned."
            />
          </div>

          {user.assignments.length > 0 && otherTherapists.length > 0 && (
            <form className="row" onSubmit={onMoveCaseload} style={{ marginTop: 12 }} data-testid="move-caseload-form">
              <label className="field">
                Move the whole caseload to
                <select value={caseloadTarget} onChange={(event) => setCaseloadTarget(event.target.value)} data-testid="move-caseload-target">
                  <option value="">Choose a therapist…</option>
                  {otherTherapists.map((therapist) => (
                    <option key={therapist.id} value={therapist.id}>
                      {therapist.name} ({therapist.email})
                    </option>
                  ))}
                </select>
              </label>
              <button className="btn" type="submit" disabled={!caseloadTarget} data-testid="move-caseload-submit" style={{ alignSelf: "flex-end" }}>
                Move {user.assignments.length} patient{user.assignments.length === 1 ? "" : "s"}
              </button>
            </form>
          )}
        </div>
      )}
    </>
  );
}
