// The Bulk Data export job's parameters (stored on the job; persisted, so change with care) and
// its manifest (the job's own file; the NDJSON files are stored beside it).
import { z } from "zod";

export const BULK_JOB_KIND = "bulk";
/** `_since=last_successful_run`: incremental, from the caller's last delivered export (bulk-watermark.ts). */
export const BULK_SINCE_LAST_SUCCESSFUL_RUN = "last_successful_run";

export const ZBulkJobParameters = z.object({
  level: z.enum(["system", "patient", "group"]),
  groupId: z.string().nullable(),
  types: z.array(z.string()).min(1),
  since: z.string().nullable(),
  /** The request asked for `_since=last_successful_run` (then `since` is the watermark it resolved to, or null: the first, full export). */
  sinceLastSuccessfulRun: z.boolean().default(false),
  /** `_typeFilter` queries by type, each a query string: a resource matches any of its type's queries. */
  typeFilters: z.record(z.string(), z.array(z.string())),
  /** `_elements`: top-level element names, each for every type (`name`) or one (`Type.name`). */
  elements: z.array(z.string()).nullable(),
  /** Internal ids of the patients named by `patient` (null: every patient in scope). */
  patientIds: z.array(z.string()).nullable(),
  view: z.enum(["identified", "deidentified"]),
  profile: z.enum(["safe-harbor", "standard"]).nullable(),
  /** A therapist's export reads their assigned patients only, whatever the Group. */
  therapistId: z.string().nullable(),
  /** Patients who opted out of data sharing are left out (the policy's excludesOptedOutPatients; absent in older jobs: left out). */
  excludesOptedOut: z.boolean().default(true),
  isStrict: z.boolean(),
  /** What lenient handling left out, said again in the manifest's `error` OperationOutcome. */
  ignored: z.array(z.string()),
  requestUrl: z.string(),
  baseUrl: z.string(),
  transactionTime: z.string(),
  clientId: z.string().nullable(),
});
export type TBulkJobParameters = z.infer<typeof ZBulkJobParameters>;

/** One stored NDJSON file: its storage key stays on the server (the manifest's URLs name the file). */
export const ZBulkFile = z.object({ type: z.string(), name: z.string(), key: z.string(), count: z.number().int() });
export type TBulkFile = z.infer<typeof ZBulkFile>;

/** `errors`: OperationOutcome files (what lenient handling left out of the request). */
export const ZBulkManifestFile = z.object({
  files: z.array(ZBulkFile),
  errors: z.array(ZBulkFile),
  /** Patients of the export's scope left out because they opted out of data sharing (absent: none are left out). */
  excludedForConsent: z.number().int().min(0).optional(),
});
export type TBulkManifestFile = z.infer<typeof ZBulkManifestFile>;

export const NDJSON = "application/fhir+ndjson";
