// The first step of every FHIR interaction: is this type served, may this caller use it (the
// one policy decides, denials audited), and through which view.
import { authorize } from "@/lib/auth/authorize";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { excludesOptedOutPatients, fhirViewFor } from "@/lib/auth/policy";
import { env } from "@/lib/env";
import { IDENTIFIED_VIEW, maskedView, type TFhirView } from "@/lib/fhir/api/fhir-view";
import type { TFhirCaller } from "@/lib/fhir/api/fhir-route";
import { findResourceType, type TResourceType } from "@/lib/fhir/api/resource-types";
import type { TPatientScope } from "@/lib/fhir/api/search-resources";
import { AppError } from "@/lib/errors/app-error";
import { GROUP_TYPE } from "@/lib/fhir/bulk/groups";
import { MEASURE_REPORT_TYPE, MEASURE_TYPE } from "@/lib/fhir/measures/measure-reports";
import { getSettings } from "@/lib/settings/settings";

export const QUESTIONNAIRE_TYPE = "Questionnaire";

/** Types served apart from the source tables: the catalog's instruments, the export cohorts, the metrics. */
const CATALOG_TYPES = new Set([QUESTIONNAIRE_TYPE, GROUP_TYPE, MEASURE_TYPE, MEASURE_REPORT_TYPE]);

export type TFhirAccess = { definition: TResourceType | null; view: TFhirView; scope: TPatientScope };

/** May this caller read or search this type (scopes, role, a de-identified view of it)? Throws the policy's refusal. */
export async function authorizeFhirType(caller: TFhirCaller, resourceType: string, interaction: "read" | "search", meta: TRequestMeta) {
  const definition = findResourceType(resourceType);
  if (!definition && !CATALOG_TYPES.has(resourceType)) throw new AppError("NOT_FOUND", `${resourceType.slice(0, 64)} is not a resource type this server serves`);
  await authorize(
    caller.actor,
    { action: "fhir.access", resourceType, interaction, scopes: caller.scopes, hasMaskedView: CATALOG_TYPES.has(resourceType) || Boolean(definition?.maskedPolicy) },
    { meta, details: { resourceType, interaction, ...(caller.clientId ? { clientId: caller.clientId } : {}) } },
  );

  return definition;
}

/** A caller's view of resources: de-identified for analysts (the anonymization settings of now), else identified. */
export async function viewFor(caller: TFhirCaller): Promise<TFhirView> {
  return fhirViewFor(caller.actor) === "deidentified" ? maskedView({ key: env().ANON_KEY, profile: (await getSettings()).anonymization_default_profile, asOf: new Date() }) : IDENTIFIED_VIEW;
}

export async function openFhirAccess(caller: TFhirCaller, resourceType: string, interaction: "read" | "search", meta: TRequestMeta): Promise<TFhirAccess> {
  const definition = await authorizeFhirType(caller, resourceType, interaction, meta);
  const view = await viewFor(caller);

  // The identified FHIR view is the care team's (therapists' own patients, admins): treatment and operations.
  const excludesOptedOut = excludesOptedOutPatients(view.isMasked ? { view: "deidentified" } : { view: "identified", purpose: caller.actor.role === "THERAPIST" ? "treatment" : "operations" });

  return { definition, view, scope: { therapistId: caller.actor.role === "THERAPIST" ? caller.actor.id : null, excludesOptedOut } };
}
