// Practitioner, Organization, Location and the catalog's Questionnaires as R4 resources.
import { CODE_SYSTEMS, EXTENSIONS, IDENTIFIER_SYSTEMS } from "@/lib/fhir/fhir-conventions";
import type { TQuestionnaire } from "@/lib/fhir/questionnaire-catalog";
import { compact, GENDERS, present, type TMeta, type TReference } from "@/lib/fhir/serialize/fhir-values";

type TAddressInput = { line?: string | null; city?: string | null; state?: string | null; postalCode?: string | null };

const addressOf = (input: TAddressInput) => {
  const address = compact({ line: input.line ? [input.line] : [], city: input.city, state: input.state, postalCode: input.postalCode });
  return Object.keys(address).length ? [address] : [];
};

export type TPractitionerInput = {
  id: string;
  meta?: TMeta | null;
  npi?: string | null;
  familyName?: string | null;
  givenName?: string | null;
  prefix?: string | null;
  /** A display name when the parts are not known (the report's author). */
  nameText?: string | null;
  credentials?: string | null;
  gender?: string | null;
  phone?: string | null;
  email?: string | null;
  active?: boolean | null;
  organization?: TReference | null;
};

export function buildPractitionerResource(input: TPractitionerInput) {
  return compact({
    resourceType: "Practitioner",
    id: input.id,
    meta: input.meta,
    identifier: input.npi ? [{ system: IDENTIFIER_SYSTEMS.npi, value: input.npi }] : [],
    name: present([
      input.nameText ? { text: input.nameText } : null,
      input.familyName || input.givenName ? compact({ family: input.familyName, given: input.givenName ? [input.givenName] : [], prefix: input.prefix ? [input.prefix] : [] }) : null,
    ]),
    extension: input.organization ? [{ url: EXTENSIONS.practitionerOrganization, valueReference: input.organization }] : [],
    active: input.active ?? null,
    gender: input.gender && GENDERS.has(input.gender) ? input.gender : null,
    telecom: present([input.phone ? { system: "phone", value: input.phone } : null, input.email ? { system: "email", value: input.email } : null]),
    qualification: input.credentials ? [{ code: { text: input.credentials } }] : [],
  });
}

export type TOrganizationInput = TAddressInput & { id: string; meta?: TMeta | null; name: string; type?: string | null; phone?: string | null; email?: string | null; partOf?: TReference | null };

export function buildOrganizationResource(input: TOrganizationInput) {
  return compact({
    resourceType: "Organization",
    id: input.id,
    meta: input.meta,
    active: true,
    type: input.type ? [{ text: input.type }] : [],
    name: input.name,
    telecom: present([input.phone ? { system: "phone", value: input.phone } : null, input.email ? { system: "email", value: input.email } : null]),
    address: addressOf(input),
    partOf: input.partOf,
  });
}

export type TLocationInput = TAddressInput & { id: string; meta?: TMeta | null; name: string; phone?: string | null; managingOrganization?: TReference | null };

export function buildLocationResource(input: TLocationInput) {
  const address = addressOf(input)[0];

  return compact({
    resourceType: "Location",
    id: input.id,
    meta: input.meta,
    status: "active",
    name: input.name,
    telecom: input.phone ? [{ system: "phone", value: input.phone }] : [],
    address,
    managingOrganization: input.managingOrganization,
  });
}

/** A catalog instrument as a Questionnaire (its items as the datasets' columns know them). */
export function buildQuestionnaireResource(questionnaire: TQuestionnaire, meta?: TMeta | null) {
  return compact({
    resourceType: "Questionnaire",
    id: questionnaire.key,
    meta,
    url: questionnaire.canonical,
    name: questionnaire.key.replace(/[^A-Za-z0-9]/g, "_").toUpperCase(),
    title: questionnaire.title,
    status: "active",
    code: questionnaire.loinc ? [{ system: CODE_SYSTEMS.loinc, code: questionnaire.loinc }] : [],
    // Group items carry no answers; the catalog lists items flat, so they are offered as display text.
    item: questionnaire.items.map((item) => ({ linkId: item.linkId, text: item.text, type: item.type === "group" ? "display" : item.type })),
  });
}
