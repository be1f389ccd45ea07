// Synthetic FHIR NDJSON for the import benchmark and tests: one organization, one practitioner,
// `patients` patients, `encountersPerPatient` encounters and `phq9PerPatient` PHQ-9 responses each
// (the 160,002 resources: 10,000 / 10 / 5). Deterministic; `version` changes every
// resource's content so a second import updates them all.
import { CODE_SYSTEMS, EXTENSIONS, IDENTIFIER_SYSTEMS, questionnaireCanonical } from "@/lib/fhir/fhir-conventions";

export type TSyntheticImportOptions = { patients: number; encountersPerPatient?: number; phq9PerPatient?: number; version?: number; prefix?: string };

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

export function syntheticImportLines(options: TSyntheticImportOptions): string[] {
  const { patients, encountersPerPatient = 10, phq9PerPatient = 5, version = 1, prefix = "syn" } = options;
  const org = `${prefix}-org`;
  const prac = `${prefix}-prac`;
  const lines: string[] = [
    JSON.stringify({ resourceType: "Organization", id: org, active: true, name: `Synthetic Clinic v${version}` }),
    JSON.stringify({
      resourceType: "Practitioner", id: prac, active: true, name: [{ use: "official", family: "Clinician", given: ["Dana"], suffix: ["LCSW"] }],
      extension: [{ url: EXTENSIONS.practitionerOrganization, valueReference: { reference: `Organization/${org}` } }],
    }),
  ];
  for (let p = 0; p < patients; p++) {
    const patientId = `${prefix}-pat-${pad(p, 6)}`;
    lines.push(JSON.stringify({
      resourceType: "Patient", id: patientId, active: true,
      identifier: [{ system: IDENTIFIER_SYSTEMS.mrn, value: `MRN${pad(p, 7)}` }],
      name: [{ use: "official", family: `Family${p}`, given: [`Given${p}`] }],
      telecom: [{ system: "phone", value: `413-555-${pad(p % 10_000, 4)}`, use: "home" }],
      gender: p % 2 ? "female" : "male",
      birthDate: `19${pad(40 + (p % 60), 2)}-0${1 + (p % 9)}-1${p % 10}`,
      address: [{ use: "home", line: [`${p} Main St`], city: "Springfield", state: "MA", postalCode: "01103", country: "US" }],
      generalPractitioner: [{ reference: `Practitioner/${prac}` }],
      managingOrganization: { reference: `Organization/${org}` },
    }));
    for (let e = 0; e < encountersPerPatient; e++) {
      const start = `${day(p % 300 + e * 7)}T1${e % 8}:00:00Z`;
      lines.push(JSON.stringify({
        resourceType: "Encounter", id: `${prefix}-enc-${pad(p, 6)}-${pad(e, 2)}`, status: "finished",
        class: { system: CODE_SYSTEMS.actCode, code: "AMB" },
        type: [{ coding: [{ system: CODE_SYSTEMS.cpt, code: "90834", display: `Psychotherapy, 45 minutes (v${version})` }] }],
        extension: [{ url: EXTENSIONS.deliveryFormat, valueCode: "in-person" }, { url: EXTENSIONS.units, valueInteger: 1 }],
        subject: { reference: `Patient/${patientId}` },
        participant: [{ individual: { reference: `Practitioner/${prac}` } }],
        period: { start, end: start.replace(/T1(\d):00/, "T1$1:45") },
        reasonCode: [{ coding: [{ system: CODE_SYSTEMS.icd10cm, code: "F32.1", display: "Major depressive disorder, single episode, moderate" }] }],
        serviceProvider: { reference: `Organization/${org}` },
      }));
    }
    for (let q = 0; q < phq9PerPatient; q++) {
      const values = Array.from({ length: 9 }, (_, i) => (p + q + i + version) % 4);
      lines.push(JSON.stringify({
        resourceType: "QuestionnaireResponse", id: `${prefix}-phq-${pad(p, 6)}-${pad(q, 2)}`, questionnaire: questionnaireCanonical("phq-9"), status: "completed",
        subject: { reference: `Patient/${patientId}` },
        authored: `${day(p % 300 + q * 14)}T10:00:00Z`,
        author: { reference: `Practitioner/${prac}` },
        item: [
          ...values.map((value, i) => ({ linkId: `phq9-${i + 1}`, answer: [{ valueInteger: value }] })),
          { linkId: "total", answer: [{ valueInteger: values.reduce((a, b) => a + b, 0) }] },
        ],
      }));
    }
  }

  return lines;
}
