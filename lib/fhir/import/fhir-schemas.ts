// zod schemas for the FHIR R4 resources CareExport imports. They check what the mapping needs
// (required elements, reference and date formats, required codes), not the whole R4 spec;
// everything else in a resource is kept verbatim in the row's `raw` column.
import { z } from "zod";

import { CODE_SYSTEMS } from "@/lib/fhir/fhir-conventions";

export const FHIR_ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
/** A relative reference, `Type/id`, or an urn:uuid pointing at another entry's fullUrl. */
export const REFERENCE_RE = /^(?:[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}|urn:uuid:[0-9a-fA-F-]{36})$/;

const DATE_RE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const DATE_TIME_RE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:([0-5]\d|60)(\.\d{1,9})?)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

const digit = (value: string, index: number) => value.charCodeAt(index) - 48;

function isRealDate(value: string) {
  // The regex allows 2025-02-31; a round trip through Date catches it.
  // YYYY-MM-DD read digit by digit: no split/map arrays for each of an import's ~300,000 dates.
  if (value.length >= 10 && /^\d{4}-\d\d-\d\d/.test(value)) {
    const month = digit(value, 5) * 10 + digit(value, 6);
    const day = digit(value, 8) * 10 + digit(value, 9);
    if (!month || !day) return true;
    const date = new Date(Date.UTC(digit(value, 0) * 1000 + digit(value, 1) * 100 + digit(value, 2) * 10 + digit(value, 3), month - 1, day));

    return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  if (!month || !day) return true;
  const date = new Date(Date.UTC(year!, month - 1, day));

  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const ZFhirDate = z.string().regex(DATE_RE, "must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)").refine(isRealDate, "is not a real calendar date");
export const ZFhirDateTime = z
  .string()
  .regex(DATE_TIME_RE, "must be a FHIR dateTime (YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone)")
  .refine(isRealDate, "is not a real calendar date");

export const ZReference = z.object({
  reference: z.string({ error: "required" }).regex(REFERENCE_RE, "must be a reference of the form Type/id"),
  display: z.string().optional(),
});
export type TReference = z.infer<typeof ZReference>;

export const ZCoding = z.object({ system: z.string().optional(), code: z.string().optional(), display: z.string().optional() });
export const ZCodeableConcept = z.object({ coding: z.array(ZCoding).optional(), text: z.string().optional() });
export type TCodeableConcept = z.infer<typeof ZCodeableConcept>;
export const ZQuantity = z.object({ value: z.number().optional(), unit: z.string().optional(), code: z.string().optional(), system: z.string().optional() });
export const ZPeriod = z.object({ start: ZFhirDateTime.optional(), end: ZFhirDateTime.optional() });

export const ZExtension = z.object({
  url: z.string(),
  valueCode: z.string().optional(),
  valueString: z.string().optional(),
  valueInteger: z.number().int().optional(),
  valueDecimal: z.number().optional(),
  valueQuantity: ZQuantity.optional(),
  valueReference: ZReference.optional(),
});
export type TExtension = z.infer<typeof ZExtension>;

export const ZIdentifier = z.object({
  system: z.string().optional(),
  value: z.string().optional(),
  use: z.string().optional(),
  type: ZCodeableConcept.optional(),
  assigner: z.object({ display: z.string().optional(), reference: z.string().optional() }).optional(),
});
export type TIdentifier = z.infer<typeof ZIdentifier>;

export const ZHumanName = z.object({
  use: z.string().optional(),
  text: z.string().optional(),
  family: z.string().optional(),
  given: z.array(z.string()).optional(),
  prefix: z.array(z.string()).optional(),
  suffix: z.array(z.string()).optional(),
});
export type THumanName = z.infer<typeof ZHumanName>;

export const ZContactPoint = z.object({ system: z.string().optional(), value: z.string().optional(), use: z.string().optional(), rank: z.number().optional() });
export type TContactPoint = z.infer<typeof ZContactPoint>;

export const ZAddress = z.object({
  use: z.string().optional(),
  text: z.string().optional(),
  line: z.array(z.string()).optional(),
  city: z.string().optional(),
  district: z.string().optional(),
  state: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
});
export type TAddress = z.infer<typeof ZAddress>;

const base = {
  id: z.string().regex(FHIR_ID_RE, "must be 1-64 letters, digits, '-' or '.'"),
  extension: z.array(ZExtension).optional(),
};

const hasSystemCode = (system: string) => (concept: TCodeableConcept) => Boolean(concept.coding?.some((coding) => coding.system === system && coding.code));
const hasNamedPart = (names: THumanName[]) => names.some((name) => name.family || name.given?.length || name.text);

export const ZOrganization = z.object({
  ...base,
  resourceType: z.literal("Organization"),
  name: z.string({ error: "required" }).min(1),
  type: z.array(ZCodeableConcept).optional(),
  telecom: z.array(ZContactPoint).optional(),
  address: z.array(ZAddress).optional(),
  partOf: ZReference.optional(),
});

export const ZLocation = z.object({
  ...base,
  resourceType: z.literal("Location"),
  name: z.string({ error: "required" }).min(1),
  managingOrganization: ZReference.optional(),
  telecom: z.array(ZContactPoint).optional(),
  address: ZAddress.optional(),
});

export const ZPractitioner = z.object({
  ...base,
  resourceType: z.literal("Practitioner"),
  active: z.boolean().optional(),
  identifier: z.array(ZIdentifier).optional(),
  name: z.array(ZHumanName, { error: "required" }).min(1, "needs at least one name").refine(hasNamedPart, "needs a family or given name"),
  gender: z.string().optional(),
  telecom: z.array(ZContactPoint).optional(),
  qualification: z.array(z.object({ code: ZCodeableConcept })).optional(),
});

export const ZPatient = z.object({
  ...base,
  resourceType: z.literal("Patient"),
  active: z.boolean().optional(),
  identifier: z.array(ZIdentifier).optional(),
  name: z.array(ZHumanName, { error: "required" }).min(1, "needs at least one name").refine(hasNamedPart, "needs a family or given name"),
  telecom: z.array(ZContactPoint).optional(),
  gender: z.string().optional(),
  birthDate: ZFhirDate.optional(),
  address: z.array(ZAddress).optional(),
  maritalStatus: ZCodeableConcept.optional(),
  contact: z
    .array(z.object({ relationship: z.array(ZCodeableConcept).optional(), name: ZHumanName.optional(), telecom: z.array(ZContactPoint).optional() }))
    .optional(),
  communication: z.array(z.object({ language: ZCodeableConcept, preferred: z.boolean().optional() })).optional(),
  generalPractitioner: z.array(ZReference).optional(),
  managingOrganization: ZReference.optional(),
});

export const ZEncounter = z.object({
  ...base,
  resourceType: z.literal("Encounter"),
  status: z.string({ error: "required" }).min(1),
  class: ZCoding.optional(),
  type: z.array(ZCodeableConcept).optional(),
  serviceType: ZCodeableConcept.optional(),
  subject: ZReference,
  participant: z.array(z.object({ type: z.array(ZCodeableConcept).optional(), individual: ZReference.optional() })).optional(),
  period: z.object({ start: ZFhirDateTime, end: ZFhirDateTime.optional() }, { error: "required (with period.start)" }),
  reasonCode: z.array(ZCodeableConcept).optional(),
  location: z.array(z.object({ location: ZReference })).optional(),
  serviceProvider: ZReference.optional(),
});

export const ZCondition = z.object({
  ...base,
  resourceType: z.literal("Condition"),
  clinicalStatus: ZCodeableConcept.optional(),
  code: ZCodeableConcept.refine(hasSystemCode(CODE_SYSTEMS.icd10cm), `needs an ICD-10-CM coding (system ${CODE_SYSTEMS.icd10cm})`),
  subject: ZReference,
  encounter: ZReference.optional(),
  onsetDateTime: ZFhirDateTime.optional(),
  recordedDate: ZFhirDateTime.optional(),
});

export const ZCarePlan = z.object({
  ...base,
  resourceType: z.literal("CarePlan"),
  status: z.string({ error: "required" }).min(1),
  intent: z.string().optional(),
  category: z.array(ZCodeableConcept).optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  subject: ZReference,
  period: ZPeriod.optional(),
  addresses: z.array(ZReference).optional(),
  goal: z.array(ZReference).optional(),
  activity: z
    .array(z.object({ detail: z.object({ code: ZCodeableConcept.optional(), description: z.string().optional(), status: z.string().optional() }).optional() }))
    .optional(),
});

export const ZGoal = z.object({
  ...base,
  resourceType: z.literal("Goal"),
  lifecycleStatus: z.string({ error: "required" }).min(1),
  achievementStatus: ZCodeableConcept.optional(),
  description: z.object({ text: z.string().optional(), coding: z.array(ZCoding).optional() }).refine((d) => Boolean(d.text || d.coding?.some((c) => c.display)), "needs text"),
  subject: ZReference,
  startDate: ZFhirDate.optional(),
  target: z
    .array(
      z.object({
        measure: ZCodeableConcept.optional(),
        detailQuantity: ZQuantity.optional(),
        detailInteger: z.number().int().optional(),
        detailString: z.string().optional(),
        dueDate: ZFhirDate.optional(),
      }),
    )
    .optional(),
  addresses: z.array(ZReference).optional(),
  note: z.array(z.object({ text: z.string() })).optional(),
});

export const ZCareTeam = z.object({
  ...base,
  resourceType: z.literal("CareTeam"),
  status: z.string().optional(),
  name: z.string().optional(),
  subject: ZReference,
  participant: z.array(z.object({ role: z.array(ZCodeableConcept).optional(), member: ZReference.optional() })).optional(),
});

type TQrItem = { linkId: string; text?: string; answer?: Record<string, unknown>[]; item?: TQrItem[] };
const ZQrItem: z.ZodType<TQrItem> = z.lazy(() =>
  z.object({
    linkId: z.string({ error: "required" }).min(1),
    text: z.string().optional(),
    // Any answer value (valueInteger, valueCoding, ...) passes through; nested items are checked.
    // A loose object, not record().and(object()): the intersection parsed every answer twice and
    // merged the results, 11x the time, and was most of the validation of a PHQ-9 import.
    answer: z.array(z.looseObject({ item: z.array(ZQrItem).optional() })).optional(),
    item: z.array(ZQrItem).optional(),
  }),
);

export const ZQuestionnaireResponse = z.object({
  ...base,
  resourceType: z.literal("QuestionnaireResponse"),
  questionnaire: z.string({ error: "required" }).min(1),
  status: z.string({ error: "required" }).min(1),
  subject: ZReference,
  encounter: ZReference.optional(),
  authored: ZFhirDateTime,
  author: ZReference.optional(),
  item: z.array(ZQrItem).optional(),
});

export const ZObservation = z
  .object({
    ...base,
    resourceType: z.literal("Observation"),
    status: z.string({ error: "required" }).min(1),
    category: z.array(ZCodeableConcept).optional(),
    code: ZCodeableConcept.refine((concept) => Boolean(concept.coding?.some((coding) => coding.code)), "needs a coding with a code (LOINC preferred)"),
    subject: ZReference,
    encounter: ZReference.optional(),
    effectiveDateTime: ZFhirDateTime.optional(),
    effectivePeriod: ZPeriod.optional(),
    valueQuantity: ZQuantity.optional(),
    valueString: z.string().optional(),
    valueInteger: z.number().int().optional(),
    valueBoolean: z.boolean().optional(),
    valueCodeableConcept: ZCodeableConcept.optional(),
  })
  .refine((o) => Boolean(o.effectiveDateTime || o.effectivePeriod?.start), { message: "required", path: ["effectiveDateTime"] });

export const ZDocumentReference = z
  .object({
    ...base,
    resourceType: z.literal("DocumentReference"),
    status: z.string({ error: "required" }).min(1),
    docStatus: z.string().optional(),
    type: ZCodeableConcept.optional(),
    subject: ZReference,
    date: ZFhirDateTime.optional(),
    author: z.array(ZReference).optional(),
    authenticator: ZReference.optional(),
    content: z
      .array(z.object({ attachment: z.object({ contentType: z.string().optional(), data: z.string({ error: "required (the base64 note)" }).min(1) }) }), { error: "required" })
      .min(1, "needs the note attachment"),
    context: z.object({ encounter: z.array(ZReference).optional(), period: ZPeriod.optional() }).optional(),
  })
  .refine((d) => Boolean(d.context?.period?.start || d.date), { message: "required (or context.period.start)", path: ["date"] });

/** Consent.provision: a rule (deny or permit) for some purposes, with nested exceptions. */
export type TConsentProvision = { type?: "deny" | "permit"; purpose?: z.infer<typeof ZCoding>[]; provision?: TConsentProvision[] };
const ZConsentProvision: z.ZodType<TConsentProvision> = z.lazy(() =>
  z.object({
    type: z.enum(["deny", "permit"], { message: 'must be "deny" or "permit"' }).optional(),
    purpose: z.array(ZCoding).optional(),
    provision: z.array(ZConsentProvision).optional(),
  }),
);

export const ZConsent = z.object({
  ...base,
  resourceType: z.literal("Consent"),
  status: z.enum(["draft", "proposed", "active", "rejected", "inactive", "entered-in-error"], { message: "must be a FHIR Consent status (active, inactive, rejected, ...)" }),
  scope: ZCodeableConcept.optional(),
  category: z.array(ZCodeableConcept).optional(),
  patient: ZReference,
  dateTime: ZFhirDateTime.optional(),
  provision: ZConsentProvision.optional(),
});

/** The importable types, in the order they are written (references point backwards). */
export const RESOURCE_SCHEMAS = {
  Organization: ZOrganization,
  Location: ZLocation,
  Practitioner: ZPractitioner,
  Patient: ZPatient,
  Encounter: ZEncounter,
  Condition: ZCondition,
  CarePlan: ZCarePlan,
  Goal: ZGoal,
  CareTeam: ZCareTeam,
  QuestionnaireResponse: ZQuestionnaireResponse,
  Observation: ZObservation,
  DocumentReference: ZDocumentReference,
  Consent: ZConsent,
} as const;

export type TResourceType = keyof typeof RESOURCE_SCHEMAS;
export const RESOURCE_TYPES = Object.keys(RESOURCE_SCHEMAS) as TResourceType[];

export type TOrganization = z.infer<typeof ZOrganization>;
export type TLocation = z.infer<typeof ZLocation>;
export type TPractitioner = z.infer<typeof ZPractitioner>;
export type TPatient = z.infer<typeof ZPatient>;
export type TEncounter = z.infer<typeof ZEncounter>;
export type TCondition = z.infer<typeof ZCondition>;
export type TCarePlan = z.infer<typeof ZCarePlan>;
export type TGoal = z.infer<typeof ZGoal>;
export type TCareTeam = z.infer<typeof ZCareTeam>;
export type TQuestionnaireResponse = z.infer<typeof ZQuestionnaireResponse>;
export type TObservation = z.infer<typeof ZObservation>;
export type TDocumentReference = z.infer<typeof ZDocumentReference>;
export type TConsent = z.infer<typeof ZConsent>;

export type TParsedResource = {
  [K in TResourceType]: z.infer<(typeof RESOURCE_SCHEMAS)[K]>;
}[TResourceType];
