// Every access decision in CareExport is made here: a pure function of (actor, action,
// resource facts). Pages, route handlers, jobs, the scheduler and the CLI all ask it.
// Callers look up the facts (is this patient assigned to the actor? who owns this job?)
// and the policy decides; it never touches the database itself.

export type TRole = "THERAPIST" | "ANALYST" | "ADMIN";

export type TActor = {
  id: string;
  email: string;
  name: string;
  role: TRole;
  piiAccess: boolean;
};

export type TDatasetTier = "anon" | "pii" | "metrics";

/** How a download arrives. A signed link carries no sign-in: whoever holds it is let in. */
export type TDownloadVia = "session" | "token" | "signed-link";

/** How a request was signed in: a web session (cookie) or an API token (Authorization: Bearer). */
export type TAuthMethod = "session" | "token";

/**
 * What a job's file holds, as the policy needs it to decide a download now (not at export time).
 * `isAssigned`: every patient the report is about is still assigned to the actor.
 */
export type TJobFileFacts = { kind: "report"; isAssigned: boolean } | { kind: "dataset"; tier: TDatasetTier };

export type TPolicyRequest =
  | { action: "patient.list" }
  | { action: "patient.read"; isAssigned: boolean }
  | { action: "report.export"; isAssigned: boolean }
  | { action: "report.export-practice-wide" }
  | { action: "dataset.catalog" }
  | { action: "dataset.export"; tier: TDatasetTier }
  /** `file`: today's facts about what the job is about; a report job names its patients. */
  | { action: "job.read"; ownerId: string; file: TJobFileFacts }
  | { action: "job.download"; ownerId: string; via: TDownloadVia; file: TJobFileFacts }
  | { action: "job.delete"; ownerId: string }
  | { action: "schedule.read"; ownerId: string }
  | { action: "schedule.manage"; ownerId: string }
  /**
   * A webhook that receives the export file itself (delivery_mode "file"), not a notice: the file
   * goes to whatever URL the schedule names. `isIdentified`: a patient report or the pii tier.
   */
  | { action: "schedule.webhook-file"; isIdentified: boolean }
  | { action: "template.use" }
  | { action: "template.manage" }
  | { action: "user.manage" }
  | { action: "token.manage"; ownerId: string }
  | { action: "token.create"; ownerId: string; via: TAuthMethod }
  | { action: "audit.read" }
  | { action: "settings.manage" }
  | { action: "warehouse.manage" }
  | { action: "metric.manage" }
  | { action: "fhir.import" }
  /** Register, change, remove and sync the FHIR servers CareExport pulls from. */
  | { action: "fhir-source.manage" }
  /** GET /api/v1/heartbeat: import and sync times, and the caller's own schedules' runs (no patient data). */
  | { action: "heartbeat.read" }
  /** Set or clear a patient's data-sharing opt-out (their consent, as the practice recorded it). */
  | { action: "patient.consent-manage" }
  /**
   * FHIR REST read or search of one resource type. `scopes`: what a SMART access token was
   * granted (null: a person's session or API token, limited by role alone). `hasMaskedView`:
   * the type has a de-identified view (a dataset table whose column policies it follows).
   */
  | { action: "fhir.access"; resourceType: string; interaction: "read" | "search"; scopes: readonly string[] | null; hasMaskedView: boolean }
  /**
   * A FHIR Bulk Data $export kick-off. `types`: every type the export will read (each must be in
   * the token's scopes); `typesWithoutMaskedView`: those of them with no de-identified view;
   * `isOwnCaseload`: a Group export of the actor's own caseload (therapists export nothing else).
   */
  | { action: "fhir.bulk-export"; level: "system" | "patient" | "group"; isOwnCaseload: boolean; scopes: readonly string[] | null; types: readonly string[]; typesWithoutMaskedView: readonly string[]; view: "identified" | "deidentified" }
  | { action: "fhir-client.manage" };

export type TPolicyAction = TPolicyRequest["action"];

export type TDecision =
  | { allowed: true }
  /**
   * `status` 404 when the resource is instance-scoped (a patient, job or schedule that is not
   * the actor's), so a caller cannot tell "not yours" from "does not exist"; 403 otherwise.
   */
  | { allowed: false; status: 403 | 404; reason: string };

const ALLOW: TDecision = { allowed: true };
const forbid = (reason: string): TDecision => ({ allowed: false, status: 403, reason });
const hide = (reason: string): TDecision => ({ allowed: false, status: 404, reason });

const isAdmin = (actor: TActor) => actor.role === "ADMIN";

/** Which FHIR view a role gets: analysts only ever the de-identified one (lib/anonymize). */
export function fhirViewFor(actor: TActor): "identified" | "deidentified" {
  return actor.role === "ANALYST" ? "deidentified" : "identified";
}

/**
 * Which view a Bulk Data export gets: admins identified; therapists identified (their own
 * caseload only); analysts de-identified, unless a SMART client holds the pii grant with its
 * stated reason (`piiReason`, given at registration and audited with each export).
 */
export function bulkViewFor(actor: TActor, piiReason: string | null): "identified" | "deidentified" {
  if (actor.role !== "ANALYST") return "identified";

  return actor.piiAccess && piiReason ? "identified" : "deidentified";
}

/**
 * Whether SMART scopes cover one interaction with one type: system/<Type|*>.read (v1: read and
 * search), or the v2 permissions .r (read) and .s (search) in any combination (.rs, .cruds...).
 */
export function scopesAllow(scopes: readonly string[], resourceType: string, interaction: "read" | "search") {
  return scopes.some((scope) => {
    const match = /^system\/([A-Za-z]+|\*)\.(read|[cruds]+)$/.exec(scope);
    if (!match || (match[1] !== "*" && match[1] !== resourceType)) return false;
    return match[2] === "read" || match[2]!.includes(interaction === "read" ? "r" : "s");
  });
}

export function decide(actor: TActor, request: TPolicyRequest): TDecision {
  // Asked before the admin pass: a dataset (identified or not) is never handed to whoever holds a
  // URL, whoever made it. Datasets are downloaded signed in, so each download names its person.
  if (request.action === "job.download" && request.via === "signed-link" && request.file.kind === "dataset") {
    return forbid("datasets are not served by signed link; sign in to download");
  }
  // Also asked before the admin pass: a token that could mint tokens would outlive its own
  // revocation through its children. Tokens come from a person signed in, admins included.
  if (request.action === "token.create" && request.via !== "session") {
    return forbid("API tokens are created from a signed-in session, not with an API token");
  }
  // Asked before the admin pass too: a machine client's token is limited to its scopes, whatever its role.
  if (request.action === "fhir.access" && request.scopes !== null && !scopesAllow(request.scopes, request.resourceType, request.interaction)) {
    return forbid(`the access token's scopes do not cover ${request.interaction} of ${request.resourceType}`);
  }
  if (request.action === "fhir.bulk-export" && request.scopes !== null) {
    const uncovered = request.types.find((type) => !scopesAllow(request.scopes!, type, "search"));
    if (uncovered) return forbid(`the access token's scopes do not cover ${uncovered}`);
  }
  if (isAdmin(actor)) return ALLOW;

  switch (request.action) {
    case "patient.list":
      return actor.role === "THERAPIST" ? ALLOW : forbid("only therapists and admins see patients");
    case "patient.read":
    case "report.export":
      if (actor.role !== "THERAPIST") return forbid("only therapists and admins see patients");
      return request.isAssigned ? ALLOW : hide("patient is not assigned to this therapist");
    case "report.export-practice-wide":
      return forbid("practice-wide reports are an admin's");
    case "dataset.catalog":
      return actor.role === "ANALYST" ? ALLOW : forbid("datasets are for analysts and admins");
    case "dataset.export":
      if (actor.role !== "ANALYST") return forbid("datasets are for analysts and admins");
      if (request.tier === "pii" && !actor.piiAccess) return forbid("the identified tier needs the piiAccess grant");
      return ALLOW;
    case "job.download":
      // A file is released under the access its owner still has, not the access they had when
      // it was made: an unassigned patient, a withdrawn grant or a changed role ends downloads.
      // A signed link is asked with its owner as the actor, so it lapses the same way.
      if (request.ownerId !== actor.id) return hide("not the actor's own");
      if (request.file.kind === "dataset") return decide(actor, { action: "dataset.export", tier: request.file.tier });
      return decide(actor, { action: "report.export", isAssigned: request.file.isAssigned });
    case "job.read":
      // A job's view names its patient: once the therapist is unassigned, the job is gone for them
      // (the same 404 as someone else's), as its file already is (job.download).
      if (request.ownerId !== actor.id) return hide("not the actor's own");
      if (request.file.kind === "report" && !(actor.role === "THERAPIST" && request.file.isAssigned)) return hide("the job's patient is no longer assigned to this therapist");
      return ALLOW;
    case "job.delete":
    case "schedule.read":
    case "schedule.manage":
      return request.ownerId === actor.id ? ALLOW : hide("not the actor's own");
    case "template.use":
      return actor.role === "THERAPIST" ? ALLOW : forbid("templates are used by therapists and admins");
    case "schedule.webhook-file":
      // De-identified files may be pushed by their owner; identified ones only by an admin (a
      // notice, by contrast, needs the owner's token to open the file).
      return request.isIdentified ? forbid("identified files (patient reports, the pii tier) are sent to a webhook by admins only; use delivery_mode \"notice\"") : ALLOW;
    case "token.manage":
    case "token.create":
      // Instance-scoped like a job: someone else's token is "not found", so token ids cannot be probed.
      return request.ownerId === actor.id ? ALLOW : hide("only admins manage other users' tokens");
    case "fhir.access":
      // Therapists: identified, and the search itself is scoped to their assigned patients.
      if (actor.role === "THERAPIST") return ALLOW;
      return request.hasMaskedView ? ALLOW : forbid(`${request.resourceType} has no de-identified view (no dataset policy covers it)`);
    case "fhir.bulk-export":
      if (actor.role === "THERAPIST") {
        if (request.level !== "group") return forbid("therapists export their own caseload's Group only");
        return request.isOwnCaseload ? ALLOW : hide("not the therapist's caseload");
      }
      if (request.view === "deidentified" && request.typesWithoutMaskedView.length) {
        return forbid(`${request.typesWithoutMaskedView.join(", ")} has no de-identified view (no dataset policy covers it)`);
      }
      return ALLOW;
    case "fhir-client.manage":
    case "template.manage":
    case "user.manage":
    case "audit.read":
    case "settings.manage":
    case "warehouse.manage":
    case "metric.manage":
    case "fhir.import":
    case "fhir-source.manage":
    case "patient.consent-manage":
      return forbid("admins only");
    case "heartbeat.read":
      return ALLOW;
  }
}

/**
 * Why identified (pii) data is asked for. Stated with each identified dataset export and audited;
 * it decides whether patients who opted out of data sharing are in it.
 */
export const PII_PURPOSES = ["treatment", "operations", "research", "public_health", "quality_improvement", "other"] as const;
export type TPiiPurpose = (typeof PII_PURPOSES)[number];

/**
 * Whether an output leaves out the patients who opted out of data sharing (a FHIR Consent that
 * denies research / data-sharing purposes, or an admin's opt-out). Every de-identified output
 * does (datasets, metrics, FHIR de-identified read/search, Bulk Data); the identified tier does
 * unless its stated purpose is the patient's own treatment or the practice's operations, which
 * a data-sharing opt-out does not cover. An identified output with no stated purpose leaves them out.
 */
export function excludesOptedOutPatients(output: { view: "deidentified" } | { view: "identified"; purpose: TPiiPurpose | null }): boolean {
  if (output.view === "deidentified") return true;

  return output.purpose !== "treatment" && output.purpose !== "operations";
}

/** Where each role lands after signing in. */
export function homePathFor(role: TRole) {
  if (role === "THERAPIST") return "/patients";
  if (role === "ANALYST") return "/datasets";

  return "/admin";
}
