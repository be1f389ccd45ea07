// Shapes shared by the demo generator's steps. The generator keeps a small model of each
// person next to the FHIR it emits, so later steps (notes, scores) stay consistent with it.

export type TFhirResource = { resourceType: string; id: string } & Record<string, unknown>;

/** "Today" for the demo: every date is generated relative to it, never to the clock. */
export const DEMO_REFERENCE_DATE = new Date("2026-11-01T00:00:00Z");
export const DAY_MS = 86_400_000;

export const DEMO_SEED = 20_261_101;

/** The sizes of a real small programme; a test asserts every one. */
export const DEMO_COUNTS = {
  Organization: 13,
  Location: 15,
  Practitioner: 72,
  Patient: 400,
  Encounter: 1082,
  DocumentReference: 1082,
  QuestionnaireResponse: 2459,
  CarePlan: 588,
} as const;

export type TDemoPractitioner = { id: string; givenName: string; familyName: string; organizationId: string; credentials: string; npi: string };

export type TDemoPatient = {
  index: number;
  id: string;
  givenName: string;
  familyName: string;
  phone: string;
  email: string | null;
  addressText: string;
  emergencyName: string | null;
  emergencyPhone: string | null;
  practitionerIndex: number;
  organizationId: string;
  registeredAt: number;
};

export function isoDateTime(ms: number) {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

export function isoDate(ms: number) {
  return new Date(ms).toISOString().slice(0, 10);
}

export const ref = (type: string, id: string, display?: string) => (display ? { reference: `${type}/${id}`, display } : { reference: `${type}/${id}` });

export const pad = (value: number, width: number) => String(value).padStart(width, "0");
