// A few demo patients opted out of data sharing (FHIR Consent, research purposes denied), and one
// who opted out and later back in, so the exports' consent rule has something to leave out.
// Fixed patients, no draws from the random stream: the rest of the demo stays byte-identical.
import { ACT_REASON_SYSTEM, EXPORT_PURPOSE_CODES } from "@/lib/patients/consent-provision";

import { DAY_MS, DEMO_REFERENCE_DATE, isoDateTime, pad, ref, type TDemoPatient, type TFhirResource } from "./demo-model";

/** Patient indices (of 400) who opted out; about 1.5%, spread over organizations and caseloads. */
export const DEMO_OPTED_OUT_PATIENTS = [37, 101, 173, 229, 311, 389] as const;
/** Opted out a year before the reference date, then opted back in: shares data now. */
export const DEMO_OPTED_BACK_IN_PATIENT = 58;

function consent(id: string, patient: TDemoPatient, type: "deny" | "permit", at: number): TFhirResource {
  return {
    resourceType: "Consent",
    id,
    status: "active",
    scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "research" }] },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0", display: "Patient Consent" }] }],
    patient: ref("Patient", patient.id),
    dateTime: isoDateTime(at),
    provision: { type, purpose: [...EXPORT_PURPOSE_CODES].map((code) => ({ system: ACT_REASON_SYSTEM, code })) },
  };
}

export function buildConsents(patients: TDemoPatient[]): TFhirResource[] {
  const at = (daysBefore: number) => DEMO_REFERENCE_DATE.getTime() - daysBefore * DAY_MS;
  const byIndex = new Map(patients.map((patient) => [patient.index, patient]));
  const resources: TFhirResource[] = [];
  for (const [order, index] of DEMO_OPTED_OUT_PATIENTS.entries()) {
    const patient = byIndex.get(index);
    if (patient) resources.push(consent(`consent-${pad(index, 4)}`, patient, "deny", at(30 + order * 45)));
  }
  const returning = byIndex.get(DEMO_OPTED_BACK_IN_PATIENT);
  if (returning) {
    resources.push(consent(`consent-${pad(DEMO_OPTED_BACK_IN_PATIENT, 4)}-a`, returning, "deny", at(365)));
    resources.push(consent(`consent-${pad(DEMO_OPTED_BACK_IN_PATIENT, 4)}-b`, returning, "permit", at(60)));
  }

  return resources;
}
