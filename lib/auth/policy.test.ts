import { describe, expect, it } from "vitest";

import { bulkViewFor, decide, excludesOptedOutPatients, type TActor, type TPolicyRequest, type TRole } from "@/lib/auth/policy";

const actor = (role: TRole, piiAccess = false): TActor => ({ id: `${role}-1`, email: "x@y.z", name: "X", role, piiAccess });
const OWN = "THERAPIST-1";
const OWN_ANALYST = "ANALYST-1";

type TCase = { request: TPolicyRequest; therapist: string; analyst: string; analystPii?: string; admin: string };

// The whole role table of DESIGN.md, one row per action and resource fact:
// "allow", "403" (role-level refusal) or "404" (instance-level, indistinguishable from missing).
const TABLE: TCase[] = [
  { request: { action: "patient.list" }, therapist: "allow", analyst: "403", admin: "allow" },
  { request: { action: "patient.read", isAssigned: true }, therapist: "allow", analyst: "403", admin: "allow" },
  { request: { action: "patient.read", isAssigned: false }, therapist: "404", analyst: "403", admin: "allow" },
  { request: { action: "report.export", isAssigned: true }, therapist: "allow", analyst: "403", admin: "allow" },
  { request: { action: "report.export", isAssigned: false }, therapist: "404", analyst: "403", admin: "allow" },
  { request: { action: "report.export-practice-wide" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "dataset.catalog" }, therapist: "403", analyst: "allow", admin: "allow" },
  { request: { action: "dataset.export", tier: "anon" }, therapist: "403", analyst: "allow", admin: "allow" },
  { request: { action: "dataset.export", tier: "metrics" }, therapist: "403", analyst: "allow", admin: "allow" },
  { request: { action: "dataset.export", tier: "pii" }, therapist: "403", analyst: "403", analystPii: "allow", admin: "allow" },
  { request: { action: "job.read", ownerId: OWN, file: { kind: "report", isAssigned: true } }, therapist: "allow", analyst: "404", admin: "allow" },
  // A job's view names its patient: unassigned since, the therapist's own job is "not found" too.
  { request: { action: "job.read", ownerId: OWN, file: { kind: "report", isAssigned: false } }, therapist: "404", analyst: "404", admin: "allow" },
  { request: { action: "job.read", ownerId: OWN_ANALYST, file: { kind: "dataset", tier: "anon" } }, therapist: "404", analyst: "allow", admin: "allow" },
  { request: { action: "job.read", ownerId: "someone-else", file: { kind: "report", isAssigned: true } }, therapist: "404", analyst: "404", admin: "allow" },
  { request: { action: "job.delete", ownerId: "someone-else" }, therapist: "404", analyst: "404", admin: "allow" },
  // Downloads re-ask, with today's facts, what the export asked: still assigned, still an analyst, still granted.
  { request: { action: "job.download", ownerId: OWN, via: "session", file: { kind: "report", isAssigned: true } }, therapist: "allow", analyst: "404", admin: "allow" },
  { request: { action: "job.download", ownerId: OWN, via: "session", file: { kind: "report", isAssigned: false } }, therapist: "404", analyst: "404", admin: "allow" },
  { request: { action: "job.download", ownerId: OWN, via: "signed-link", file: { kind: "report", isAssigned: true } }, therapist: "allow", analyst: "404", admin: "allow" },
  { request: { action: "job.download", ownerId: OWN, via: "signed-link", file: { kind: "report", isAssigned: false } }, therapist: "404", analyst: "404", admin: "allow" },
  { request: { action: "job.download", ownerId: "someone-else", via: "token", file: { kind: "report", isAssigned: true } }, therapist: "404", analyst: "404", admin: "allow" },
  { request: { action: "job.download", ownerId: OWN_ANALYST, via: "token", file: { kind: "report", isAssigned: false } }, therapist: "404", analyst: "403", admin: "allow" },
  { request: { action: "job.download", ownerId: OWN_ANALYST, via: "session", file: { kind: "dataset", tier: "anon" } }, therapist: "404", analyst: "allow", admin: "allow" },
  { request: { action: "job.download", ownerId: OWN_ANALYST, via: "token", file: { kind: "dataset", tier: "pii" } }, therapist: "404", analyst: "403", analystPii: "allow", admin: "allow" },
  { request: { action: "job.download", ownerId: OWN, via: "session", file: { kind: "dataset", tier: "anon" } }, therapist: "403", analyst: "404", admin: "allow" },
  { request: { action: "job.download", ownerId: "someone-else", via: "session", file: { kind: "dataset", tier: "metrics" } }, therapist: "404", analyst: "404", admin: "allow" },
  // A signed link is no sign-in: never for a dataset, not even an admin's own.
  { request: { action: "job.download", ownerId: OWN_ANALYST, via: "signed-link", file: { kind: "dataset", tier: "anon" } }, therapist: "403", analyst: "403", admin: "403" },
  { request: { action: "job.download", ownerId: OWN_ANALYST, via: "signed-link", file: { kind: "dataset", tier: "pii" } }, therapist: "403", analyst: "403", admin: "403" },
  { request: { action: "schedule.read", ownerId: OWN }, therapist: "allow", analyst: "404", admin: "allow" },
  { request: { action: "schedule.manage", ownerId: "someone-else" }, therapist: "404", analyst: "404", admin: "allow" },
  { request: { action: "template.use" }, therapist: "allow", analyst: "403", admin: "allow" },
  { request: { action: "template.manage" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "user.manage" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "token.manage", ownerId: OWN }, therapist: "allow", analyst: "404", admin: "allow" },
  { request: { action: "token.manage", ownerId: "someone-else" }, therapist: "404", analyst: "404", admin: "allow" },
  { request: { action: "token.create", ownerId: OWN, via: "session" }, therapist: "allow", analyst: "404", admin: "allow" },
  { request: { action: "token.create", ownerId: "someone-else", via: "session" }, therapist: "404", analyst: "404", admin: "allow" },
  // A token never mints tokens, not even an admin's: a child token would outlive its parent's revocation.
  { request: { action: "token.create", ownerId: OWN, via: "token" }, therapist: "403", analyst: "403", admin: "403" },
  { request: { action: "audit.read" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "settings.manage" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "warehouse.manage" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "metric.manage" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "fhir.import" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "fhir-source.manage" }, therapist: "403", analyst: "403", admin: "allow" },
  // The heartbeat holds times and counts, and only the caller's own schedules: every role may read it.
  { request: { action: "heartbeat.read" }, therapist: "allow", analyst: "allow", admin: "allow" },
  { request: { action: "patient.consent-manage" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "schedule.webhook-file", isIdentified: false }, therapist: "allow", analyst: "allow", admin: "allow" },
  { request: { action: "schedule.webhook-file", isIdentified: true }, therapist: "403", analyst: "403", admin: "allow" },
  // FHIR REST: analysts only where a de-identified view exists; a SMART token only within its scopes, whatever its role.
  { request: { action: "fhir.access", resourceType: "Patient", interaction: "read", scopes: null, hasMaskedView: true }, therapist: "allow", analyst: "allow", admin: "allow" },
  { request: { action: "fhir.access", resourceType: "Goal", interaction: "search", scopes: null, hasMaskedView: false }, therapist: "allow", analyst: "403", admin: "allow" },
  { request: { action: "fhir.access", resourceType: "Patient", interaction: "read", scopes: ["system/Observation.read"], hasMaskedView: true }, therapist: "403", analyst: "403", admin: "403" },
  { request: { action: "fhir.access", resourceType: "Patient", interaction: "search", scopes: ["system/Patient.r"], hasMaskedView: true }, therapist: "403", analyst: "403", admin: "403" },
  { request: { action: "fhir.access", resourceType: "Patient", interaction: "search", scopes: ["system/*.rs"], hasMaskedView: true }, therapist: "allow", analyst: "allow", admin: "allow" },
  { request: { action: "fhir-client.manage" }, therapist: "403", analyst: "403", admin: "allow" },
  // Bulk Data $export: therapists their own caseload's Group only; analysts where a de-identified view exists (or identified, with the grant's reason); a token within its scopes.
  { request: { action: "fhir.bulk-export", level: "system", isOwnCaseload: false, scopes: null, types: ["Patient"], typesWithoutMaskedView: [], view: "deidentified" }, therapist: "403", analyst: "allow", admin: "allow" },
  { request: { action: "fhir.bulk-export", level: "group", isOwnCaseload: true, scopes: null, types: ["Patient"], typesWithoutMaskedView: [], view: "identified" }, therapist: "allow", analyst: "allow", admin: "allow" },
  { request: { action: "fhir.bulk-export", level: "group", isOwnCaseload: false, scopes: null, types: ["Patient"], typesWithoutMaskedView: [], view: "identified" }, therapist: "404", analyst: "allow", admin: "allow" },
  { request: { action: "fhir.bulk-export", level: "patient", isOwnCaseload: false, scopes: null, types: ["Goal"], typesWithoutMaskedView: ["Goal"], view: "deidentified" }, therapist: "403", analyst: "403", admin: "allow" },
  { request: { action: "fhir.bulk-export", level: "system", isOwnCaseload: false, scopes: ["system/Observation.rs"], types: ["Observation", "Patient"], typesWithoutMaskedView: [], view: "identified" }, therapist: "403", analyst: "403", admin: "403" },
  { request: { action: "fhir.bulk-export", level: "system", isOwnCaseload: false, scopes: ["system/*.read"], types: ["Observation", "Patient"], typesWithoutMaskedView: [], view: "identified" }, therapist: "403", analyst: "allow", admin: "allow" },
];

const outcome = (decision: ReturnType<typeof decide>) => (decision.allowed ? "allow" : String(decision.status));

describe("policy", () => {
  it("covers every action of the policy", () => {
    const covered = new Set(TABLE.map((row) => row.request.action));
    const all: TPolicyRequest["action"][] = [
      "patient.list", "patient.read", "report.export", "report.export-practice-wide", "dataset.catalog", "dataset.export", "job.read", "job.download", "job.delete",
      "schedule.read", "schedule.manage", "template.use", "template.manage", "user.manage", "token.manage", "token.create", "audit.read", "settings.manage", "warehouse.manage", "metric.manage", "fhir.import",
      "patient.consent-manage", "schedule.webhook-file", "fhir.access", "fhir.bulk-export", "fhir-client.manage", "fhir-source.manage", "heartbeat.read",
    ];
    expect([...covered].sort()).toEqual([...all].sort());
  });

  for (const row of TABLE) {
    const label = JSON.stringify(row.request);
    it(`${label}: therapist ${row.therapist}, analyst ${row.analyst}, admin ${row.admin}`, () => {
      expect(outcome(decide(actor("THERAPIST"), row.request))).toBe(row.therapist);
      expect(outcome(decide(actor("ANALYST"), row.request))).toBe(row.analyst);
      expect(outcome(decide(actor("ANALYST", true), row.request))).toBe(row.analystPii ?? row.analyst);
      expect(outcome(decide(actor("ADMIN"), row.request))).toBe(row.admin);
    });
  }

  it("a piiAccess grant on a therapist gives nothing extra", () => {
    expect(outcome(decide(actor("THERAPIST", true), { action: "dataset.export", tier: "pii" }))).toBe("403");
  });

  it("bulk exports are identified for admins and therapists; for analysts only with the pii grant and a stated reason", () => {
    expect(bulkViewFor(actor("ADMIN"), null)).toBe("identified");
    expect(bulkViewFor(actor("THERAPIST"), null)).toBe("identified");
    expect(bulkViewFor(actor("ANALYST"), "a reason")).toBe("deidentified");
    expect(bulkViewFor(actor("ANALYST", true), null)).toBe("deidentified");
    expect(bulkViewFor(actor("ANALYST", true), "Care coordination under BAA")).toBe("identified");
  });

  it("opted-out patients are left out of every de-identified output, and of identified ones except for treatment or operations", () => {
    expect(excludesOptedOutPatients({ view: "deidentified" })).toBe(true);
    expect(excludesOptedOutPatients({ view: "identified", purpose: "treatment" })).toBe(false);
    expect(excludesOptedOutPatients({ view: "identified", purpose: "operations" })).toBe(false);
    for (const purpose of ["research", "public_health", "quality_improvement", "other", null] as const) expect(excludesOptedOutPatients({ view: "identified", purpose })).toBe(true);
  });
});
