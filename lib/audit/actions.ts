// The audit vocabulary. Stored as text in ExportAuditLog.action and read back by the audit
// browser and CSV export: renaming an action orphans old records, so add, never rename.
import { z } from "zod";

export const AUDIT_ACTIONS = [
  /** A sign-in (password, OIDC) or API token succeeded in creating a session. */
  "login_success",
  /** Wrong password, unknown email, disabled account, or a refused token. */
  "login_failure",
  /** The failure that locked an account for the lockout period. */
  "lockout",
  /** A user signed out: their web sessions end on the server, not only in the browser. */
  "logout",
  /** The policy refused an action (role-level 403 or instance-level 404). */
  "access_denied",
  /** A patient's record was opened (page or API). */
  "patient_viewed",
  /** An admin assigned or unassigned a patient to a therapist. */
  "assignment_changed",
  /** An admin opted a patient out of data sharing, or cleared the opt-out (with the reason). */
  "consent_opt_out_set",
  "consent_opt_out_cleared",
  /** FHIR data was imported (CLI or API). */
  "fhir_imported",
  /** A FHIR REST read (GET [type]/[id]): type, view, whether found; the patient's id. */
  "fhir_read",
  /** A FHIR REST search: type, parameter names (never their values), resources and patients counted. */
  "fhir_searched",
  /** The release scan found a patient's identifier in a de-identified FHIR page: it was not served. */
  "fhir_release_refused",
  /** A Bulk Data export's status URL was polled: in progress, complete (files listed) or failed. */
  "fhir_bulk_polled",
  /** A Bulk Data export was cancelled (DELETE on its status URL): its files were deleted. */
  "fhir_bulk_cancelled",
  /** An admin registered, changed or removed a SMART Backend Services client. */
  "fhir_client_registered",
  "fhir_client_updated",
  "fhir_client_removed",
  /** A SMART client was issued an access token (its scopes; never the token). */
  "fhir_token_issued",
  /** Aggregate metrics were shown on screen or read over the API (period, organization filter, counts; never values). */
  "metrics_viewed",
  /** An export job was queued (report, dataset, scheduled run). */
  "export_created",
  /** A job finished and its file was stored. */
  "export_completed",
  /** A job failed for good (after its retries), or a release scan refused its file. */
  "export_failed",
  /** An export's file was downloaded (session, token or signed link). */
  "downloaded",
  /** A job and its file were deleted by a user. */
  "deleted",
  /** The sweeper deleted an expired file. */
  "expired",
  "template_created",
  "template_updated",
  "template_archived",
  "schedule_created",
  "schedule_updated",
  "schedule_deleted",
  /** The scheduler claimed a due run and queued its job (or skipped it, with the reason). */
  "schedule_run",
  "delivery_succeeded",
  "delivery_failed",
  /** A schedule's owner or an admin sent a test delivery (no file): method and outcome. */
  "delivery_tested",
  "user_created",
  "user_updated",
  "user_disabled",
  "token_created",
  "token_revoked",
  "settings_changed",
  /** An admin registered, changed (URL or column policies) or removed a warehouse connection. */
  "warehouse_registered",
  "warehouse_updated",
  "warehouse_removed",
  /** An admin registered, changed or removed a FHIR source (never its token or key). */
  "fhir_source_registered",
  "fhir_source_updated",
  "fhir_source_removed",
  /** An admin defined a metric, changed it (a new version) or retired it: id, version, the changed fields. */
  "metric_created",
  "metric_updated",
  "metric_retired",
  /** A filtered view of the audit trail was exported as CSV. */
  "audit_exported",
  /** The chain was verified on request (CLI or admin page). */
  "audit_verified",
  /** The retention purge removed old records and left a checkpoint. */
  "audit_purged",
] as const;

export const ZAuditAction = z.enum(AUDIT_ACTIONS);
export type TAuditAction = z.infer<typeof ZAuditAction>;

export const AUDIT_OUTCOMES = ["success", "denied", "failure"] as const;
export const ZAuditOutcome = z.enum(AUDIT_OUTCOMES);
export type TAuditOutcome = z.infer<typeof ZAuditOutcome>;
