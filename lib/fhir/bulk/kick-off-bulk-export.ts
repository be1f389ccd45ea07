// $export kick-off: headers, parameters, who may export what (the one policy), the rate limit,
// and the job (one job system). Never runs the export in the request: the answer is 202 with the
// status URL, and the first poll answers 202 too.
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import { bulkViewFor, excludesOptedOutPatients } from "@/lib/auth/policy";
import { isPostgres, prisma, type TDb } from "@/lib/db/client";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors/app-error";
import { maskedView, IDENTIFIED_VIEW } from "@/lib/fhir/api/fhir-view";
import type { TFhirCaller } from "@/lib/fhir/api/fhir-route";
import { isStrictHandling, parseSearchRequest } from "@/lib/fhir/api/parse-search-request";
import { findResourceType, internalIds } from "@/lib/fhir/api/resource-types";
import { invalidSearch, parseDateValue, referenceId } from "@/lib/fhir/api/search-parameters";
import { patientBoundTypes } from "@/lib/fhir/api/search-includes";
import { BULK_JOB_KIND, BULK_SINCE_LAST_SUCCESSFUL_RUN, type TBulkJobParameters } from "@/lib/fhir/bulk/bulk-types";
import { bulkWatermark } from "@/lib/fhir/bulk/bulk-watermark";
import { findGroup } from "@/lib/fhir/bulk/groups";
import { BULK_TYPES, kickOffPairs, parseKickOff } from "@/lib/fhir/bulk/parse-kick-off";
import { enqueueJob, notifyJobQueued } from "@/lib/jobs/enqueue-job";
import { getSettings } from "@/lib/settings/settings";

const HOUR_MS = 3_600_000;

export type TKickOffOptions = { caller: TFhirCaller; request: Request; level: "system" | "patient" | "group"; groupId: string | null; baseUrl: string; meta: TRequestMeta };

/** Types in a patient's compartment: what Patient and Group exports write. */
const compartmentTypes = () => ["Patient", ...patientBoundTypes()];

/** Seconds until one more kick-off is allowed (0: now). */
async function retryAfterSeconds(db: TDb, userId: string, perHour: number, now: Date) {
  const recent = await db.exportJob.findMany({ where: { userId, kind: BULK_JOB_KIND, createdAt: { gt: new Date(now.getTime() - HOUR_MS) } }, orderBy: { createdAt: "desc" }, select: { createdAt: true }, take: perHour });
  if (recent.length < perHour) return 0;

  return Math.max(1, Math.ceil((recent[recent.length - 1]!.createdAt.getTime() + HOUR_MS - now.getTime()) / 1000));
}

export async function kickOffBulkExport({ caller, request, level, groupId, baseUrl, meta }: TKickOffOptions): Promise<{ jobId: string; statusUrl: string }> {
  const { actor } = caller;
  if (!/application\/fhir\+json/i.test(request.headers.get("accept") ?? "")) throw new AppError("INVALID_INPUT", "Accept: send application/fhir+json (the format of an error's OperationOutcome)", { issues: [{ path: "Accept", message: "must be application/fhir+json" }] });
  if (!/(?:^|[,;\s])respond-async\b/i.test(request.headers.get("prefer") ?? "")) throw new AppError("INVALID_INPUT", "Prefer: send respond-async (exports always run in the background)", { issues: [{ path: "Prefer", message: "must contain respond-async" }] });
  const isStrict = isStrictHandling(request);
  const now = new Date();
  const input = parseKickOff(await kickOffPairs(request), now);
  const ignored: string[] = [];
  const lenient = (name: string, message: string) => {
    if (isStrict) throw invalidSearch(name, message);
    ignored.push(`${name}: ${message} (ignored under lenient handling)`);
  };

  for (const name of input.unknown) lenient(name, "is not a parameter of $export");
  if (input.includeAssociatedData.length) lenient("includeAssociatedData", `${input.includeAssociatedData.join(", ").slice(0, 200)}: no associated data is kept`);
  if (level === "system" && input.patients.length) throw invalidSearch("patient", "is for Patient and Group exports only");

  const client = caller.clientId ? await prisma.fhirClient.findUnique({ where: { clientId: caller.clientId }, select: { piiReason: true } }) : null;
  const viewName = bulkViewFor(actor, client?.piiReason ?? null);
  const isMasked = viewName === "deidentified";
  const masked = (type: string) => type === "Questionnaire" || Boolean(findResourceType(type)?.maskedPolicy);

  // The types: as asked, else every type this view has (Patient and Group: the patient's compartment).
  const inScope = level === "system" ? BULK_TYPES : compartmentTypes();
  let types = input.types ?? inScope.filter((type) => !isMasked || masked(type));
  for (const type of types.filter((type) => !inScope.includes(type))) lenient("_type", `${type} is not in a patient's compartment, so a ${level}-level export has none`);
  types = types.filter((type) => inScope.includes(type));

  const group = level === "group" ? await findGroup(null, groupId ?? "") : null;
  if (level === "group" && !group) throw new AppError("NOT_FOUND", `Group/${(groupId ?? "").slice(0, 64)} is not known`);
  await authorize(
    actor,
    { action: "fhir.bulk-export", level, isOwnCaseload: group?.kind === "caseload" && group.id === actor.id, scopes: caller.scopes, types, typesWithoutMaskedView: types.filter((type) => !masked(type)), view: viewName },
    { meta, details: { level, groupId, types, ...(caller.clientId ? { clientId: caller.clientId } : {}) } },
  );
  if (!types.length) throw invalidSearch("_type", "leaves nothing to export");

  const view = isMasked ? maskedView({ key: env().ANON_KEY, profile: (await getSettings()).anonymization_default_profile, asOf: now }) : IDENTIFIED_VIEW;
  const typeFilters: Record<string, string[]> = {};
  for (const filter of input.typeFilters) {
    const definition = findResourceType(filter.type);
    if (!types.includes(filter.type)) continue;
    if (!definition) {
      lenient("_typeFilter", `${filter.type} has no search parameters to filter by`);
      continue;
    }
    const parsed = parseSearchRequest({ type: definition.type, params: definition.params, sortsByDate: false }, new URLSearchParams(filter.query), { isStrict, isMasked });
    for (const name of parsed.ignored) ignored.push(`_typeFilter: ${filter.type}?${name} is not a supported search parameter (ignored under lenient handling)`);
    // Date values are checked now (a 400 naming the parameter), not when the job applies them and fails.
    for (const { name, value } of parsed.filters) if (definition.params[name]?.kind === "date") parseDateValue(name, value, isMasked);
    (typeFilters[filter.type] ??= []).push(filter.query);
  }

  // `patient`: references to patients of this view; one that does not exist is ignored, not an error.
  let patientIds: string[] | null = null;
  if (input.patients.length) {
    const ids = input.patients.map((reference) => referenceId("patient", reference, "Patient")).filter((id): id is string => id !== null);
    patientIds = ids.length ? await internalIds("patient", "patient", ids, view) : [];
  }

  // Incremental: from the caller's last delivered export of this kind (none yet: full).
  const sinceLastSuccessfulRun = input.since === BULK_SINCE_LAST_SUCCESSFUL_RUN;
  const groupIdOrNull = group ? groupId : null;
  const since = sinceLastSuccessfulRun ? await bulkWatermark({ userId: actor.id, clientId: caller.clientId, level, groupId: groupIdOrNull, view: viewName }) : (input.since as Date | null);

  const settings = await getSettings();
  const parameters: TBulkJobParameters = {
    level,
    groupId: groupIdOrNull,
    types,
    since: since?.toISOString() ?? null,
    sinceLastSuccessfulRun,
    typeFilters,
    elements: input.elements,
    patientIds,
    view: viewName,
    profile: isMasked ? settings.anonymization_default_profile : null,
    therapistId: actor.role === "THERAPIST" ? actor.id : null,
    // Identified for the care team (treatment, operations); an analyst's identified client states only a free-text reason.
    excludesOptedOut: excludesOptedOutPatients(isMasked ? { view: "deidentified" } : { view: "identified", purpose: actor.role === "THERAPIST" ? "treatment" : actor.role === "ADMIN" ? "operations" : null }),
    isStrict,
    ignored,
    requestUrl: request.url.slice(0, 2000),
    baseUrl,
    transactionTime: now.toISOString(),
    clientId: caller.clientId,
  };

  const job = await prisma.$transaction(async (tx) => {
    const perHour = caller.clientId ? settings.fhir_bulk_client_exports_per_hour : actor.role === "ADMIN" ? null : settings.dataset_exports_per_hour;
    if (perHour !== null) {
      // Kick-offs sent together must not all count the same earlier ones (see create-dataset-export).
      if (isPostgres()) await tx.$executeRaw`SELECT 1 FROM "User" WHERE "id" = ${actor.id} FOR UPDATE`;
      const wait = await retryAfterSeconds(tx, actor.id, perHour, now);
      if (wait > 0) throw new AppError("RATE_LIMITED", `${perHour} Bulk Data export(s) may be started per hour${caller.clientId ? " by this client" : ""}; try again in ${Math.ceil(wait / 60)} minute(s).`, { retryAfterSeconds: wait });
    }

    return enqueueJob(tx, {
      kind: BULK_JOB_KIND,
      exportType: level,
      format: "ndjson",
      userId: actor.id,
      payload: parameters,
      meta,
      dataset: `fhir:${types.join(",")}`.slice(0, 500),
      auditDetails: { level, groupId: parameters.groupId, types, view: viewName, since: parameters.since, patients: patientIds?.length ?? null, ...(caller.clientId ? { clientId: caller.clientId } : {}), ...(viewName === "identified" && actor.role === "ANALYST" ? { reason: client?.piiReason } : {}) },
    });
  });
  notifyJobQueued();

  return { jobId: job.id, statusUrl: `${baseUrl}/bulk-status/${job.id}` };
}
