// GET [type]/[id]: one resource, found by its FHIR id (identified) or its pseudonym
// (de-identified). What the caller may not see is the same 404 as what does not exist; what an
// import deleted is 410 Gone for a caller who could have read it (lib/fhir/api/deleted-resource.ts).
import { authorize } from "@/lib/auth/authorize";
import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { deletedResourceAt } from "@/lib/fhir/api/deleted-resource";
import { openFhirAccess, QUESTIONNAIRE_TYPE } from "@/lib/fhir/api/fhir-access";
import type { TFhirCaller } from "@/lib/fhir/api/fhir-route";
import { readQuestionnaire } from "@/lib/fhir/api/questionnaire-catalog-search";
import { checkRelease } from "@/lib/fhir/api/release-check";
import { internalIds } from "@/lib/fhir/api/resource-types";
import { scopeWhere, sourcesFor, type TRow } from "@/lib/fhir/api/search-resources";
import { ROW_INCLUDE } from "@/lib/fhir/api/serialize-rows";
import { prisma } from "@/lib/db/client";
import { GROUP_TYPE, readGroup } from "@/lib/fhir/bulk/groups";
import { MEASURE_TYPE, readMeasure } from "@/lib/fhir/measures/measure-reports";
import { AppError } from "@/lib/errors/app-error";

const FHIR_ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

export type TReadFhirOptions = { caller: TFhirCaller; resourceType: string; id: string; meta: TRequestMeta };

export async function readFhir({ caller, resourceType, id, meta }: TReadFhirOptions): Promise<string> {
  const { definition, view, scope } = await openFhirAccess(caller, resourceType, "read", meta);
  const audit = (found: boolean, patientId: string | null) =>
    recordAudit(null, {
      action: "fhir_read",
      outcome: found ? "success" : "failure",
      userId: caller.actor.id,
      patientId,
      metadata: { resourceType, view: view.isMasked ? "deidentified" : "identified", found, ...(caller.clientId ? { clientId: caller.clientId } : {}) },
      meta,
    });
  const notFound = async () => {
    await audit(false, null);
    return new AppError("NOT_FOUND", `${resourceType}/${id.slice(0, 64)} is not known`);
  };
  if (!FHIR_ID_RE.test(id)) throw await notFound();

  if (!definition && resourceType === GROUP_TYPE) {
    const group = await readGroup(caller.actor, id, view);
    if (!group) throw await notFound();
    await audit(true, null);
    return JSON.stringify(group);
  }
  if (!definition && resourceType === MEASURE_TYPE) {
    const measure = await readMeasure(id);
    if (!measure) throw await notFound();
    await audit(true, null);
    return JSON.stringify(measure);
  }
  if (!definition) {
    const questionnaire = resourceType === QUESTIONNAIRE_TYPE ? readQuestionnaire(id, view) : null;
    if (!questionnaire) throw await notFound();
    await audit(true, null);
    return JSON.stringify(questionnaire);
  }

  for (const source of sourcesFor(definition, view)) {
    const [internalId] = await internalIds(source.maskedKind, source.model, [id], view);
    if (!internalId) continue;
    const delegate = prisma[source.model] as unknown as { findFirst(args: object): Promise<TRow | null> };
    // A patient who opted out is, in a de-identified view, the same 404 as one who does not exist.
    const consentScope = scopeWhere(source, { therapistId: null, excludesOptedOut: scope.excludesOptedOut });
    const row = await delegate.findFirst({ where: { AND: [{ id: internalId }, consentScope] }, include: ROW_INCLUDE[source.model] });
    if (!row) continue;
    const patientId = source.patientField === "id" ? row.id : source.patientField === "patientId" ? (row.patientId as string) : null;
    if (patientId && scope.therapistId) {
      const isAssigned = Boolean(await (prisma.patient as unknown as { findFirst(args: object): Promise<unknown> }).findFirst({ where: { id: patientId, ...scopeWhere({ ...source, patientField: "id" }, { ...scope, excludesOptedOut: false }) }, select: { id: true } }));
      // Audited as a denial, answered as a missing resource: ids cannot be probed.
      await authorize(caller.actor, { action: "patient.read", isAssigned }, { meta, patientId, details: { resourceType, interaction: "read" } });
    }
    if (patientId) await view.prepare([patientId]);
    const body = JSON.stringify(source.serialize(row, view));
    await checkRelease(body, view, { userId: caller.actor.id, resourceType, meta });
    await audit(true, patientId);

    return body;
  }

  const deletedAt = await deletedResourceAt(resourceType, id, sourcesFor(definition, view), view, scope);
  if (deletedAt) {
    await recordAudit(null, {
      action: "fhir_read",
      outcome: "failure",
      userId: caller.actor.id,
      metadata: { resourceType, view: view.isMasked ? "deidentified" : "identified", found: false, deleted: true, ...(caller.clientId ? { clientId: caller.clientId } : {}) },
      meta,
    });
    throw new AppError("GONE", `${resourceType}/${id} was deleted on ${deletedAt.toISOString().slice(0, 10)}`);
  }

  throw await notFound();
}
