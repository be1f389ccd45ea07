// Every reference a resource makes, with the types it may point at. The importer resolves
// each one (to the same file or the database) before writing anything.
import { EXTENSIONS } from "@/lib/fhir/fhir-conventions";
import type { TParsedResource, TReference, TResourceType } from "@/lib/fhir/import/fhir-schemas";

export type TReferenceUse = { path: string; reference: TReference; allowed: readonly TResourceType[] };

const PATIENT = ["Patient"] as const;
const PRACTITIONER = ["Practitioner"] as const;
const ORGANIZATION = ["Organization"] as const;
const ENCOUNTER = ["Encounter"] as const;

export function referencesOf(resource: TParsedResource): TReferenceUse[] {
  const uses: TReferenceUse[] = [];
  const add = (path: string, reference: TReference | undefined, allowed: readonly TResourceType[]) => {
    if (reference) uses.push({ path, reference, allowed });
  };
  const addAll = (path: string, references: (TReference | undefined)[] | undefined, allowed: readonly TResourceType[]) =>
    references?.forEach((reference, index) => add(`${path}[${index}]`, reference, allowed));

  switch (resource.resourceType) {
    case "Organization":
      add("partOf", resource.partOf, ORGANIZATION);
      break;
    case "Location":
      add("managingOrganization", resource.managingOrganization, ORGANIZATION);
      break;
    case "Practitioner":
      resource.extension?.forEach((extension, index) => {
        if (extension.url === EXTENSIONS.practitionerOrganization) add(`extension[${index}].valueReference`, extension.valueReference, ORGANIZATION);
      });
      break;
    case "Patient":
      addAll("generalPractitioner", resource.generalPractitioner, ["Practitioner", "Organization"]);
      add("managingOrganization", resource.managingOrganization, ORGANIZATION);
      break;
    case "Encounter":
      add("subject", resource.subject, PATIENT);
      resource.participant?.forEach((participant, index) => add(`participant[${index}].individual`, participant.individual, PRACTITIONER));
      resource.location?.forEach((location, index) => add(`location[${index}].location`, location.location, ["Location"]));
      add("serviceProvider", resource.serviceProvider, ORGANIZATION);
      break;
    case "Condition":
      add("subject", resource.subject, PATIENT);
      add("encounter", resource.encounter, ENCOUNTER);
      break;
    case "CarePlan":
      add("subject", resource.subject, PATIENT);
      addAll("goal", resource.goal, ["Goal"]);
      addAll("addresses", resource.addresses, ["Condition"]);
      break;
    case "Goal":
      add("subject", resource.subject, PATIENT);
      addAll("addresses", resource.addresses, ["Condition", "CarePlan", "Observation"]);
      break;
    case "CareTeam":
      add("subject", resource.subject, PATIENT);
      resource.participant?.forEach((participant, index) => add(`participant[${index}].member`, participant.member, ["Practitioner", "Patient", "Organization"]));
      break;
    case "QuestionnaireResponse":
      add("subject", resource.subject, PATIENT);
      add("encounter", resource.encounter, ENCOUNTER);
      add("author", resource.author, ["Practitioner", "Patient"]);
      break;
    case "Observation":
      add("subject", resource.subject, PATIENT);
      add("encounter", resource.encounter, ENCOUNTER);
      break;
    case "DocumentReference":
      add("subject", resource.subject, PATIENT);
      resource.context?.encounter?.forEach((encounter, index) => add(`context.encounter[${index}]`, encounter, ENCOUNTER));
      addAll("author", resource.author, ["Practitioner", "Organization", "Patient"]);
      add("authenticator", resource.authenticator, ["Practitioner", "Organization"]);
      break;
    case "Consent":
      add("patient", resource.patient, PATIENT);
      break;
  }

  return uses;
}
