// An instrument the catalog (lib/fhir/questionnaires.json) does not know: a partner programme's
// oral-cancer screening form, with a nested history group, SNOMED-coded and written answers. It has
// no wide qr_<key> table; the demo shows it reaching analysts through qr_answers_long. Its own
// random stream, so the rest of the demo is the same with or without it.
import { DAY_MS, isoDateTime, ref, type TDemoPatient, type TFhirResource } from "./demo-model";
import { createRandom } from "./random";

export const ORAL_SCREENING_CANONICAL = "https://screening.partner.example/fhir/Questionnaire/oral-cancer-screening|2.1";
const SNOMED = "http://snomed.info/sct";

/** Every 8th patient is screened once a week after registering; every 16th again four weeks later. */
const isScreened = (patient: TDemoPatient) => patient.index % 8 === 5;
const isRescreened = (patient: TDemoPatient) => patient.index % 16 === 5;

export function oralScreeningCount(patientCount: number) {
  let count = 0;
  for (let index = 0; index < patientCount; index++) count += (index % 8 === 5 ? 1 : 0) + (index % 16 === 5 ? 1 : 0);

  return count;
}

const TOBACCO = [
  { code: "8517006", display: "Ex-smoker" },
  { code: "77176002", display: "Smoker" },
  { code: "266919005", display: "Never smoked tobacco" },
] as const;
const HABITS = [
  { code: "228494002", display: "Betel quid chewing" },
  { code: "228281002", display: "Alcohol drinking" },
] as const;

export function buildOralScreenings(patients: TDemoPatient[], seed: number): TFhirResource[] {
  const random = createRandom(seed ^ 0x0ca1);
  const resources: TFhirResource[] = [];
  for (const patient of patients.filter(isScreened)) {
    const visits = isRescreened(patient) ? [7, 35] : [7];
    visits.forEach((days, visit) => {
      const lesion = random.chance(0.15);
      const tobacco = random.pick([...TOBACCO]);
      resources.push({
        resourceType: "QuestionnaireResponse",
        id: `qr-${patient.id.replace(/^pat-/, "")}-oral-${visit + 1}`,
        questionnaire: ORAL_SCREENING_CANONICAL,
        status: "completed",
        subject: ref("Patient", patient.id),
        authored: isoDateTime(patient.registeredAt + days * DAY_MS),
        item: [
          {
            linkId: "history",
            text: "Risk history",
            item: [
              { linkId: "tobacco", text: "Tobacco use", answer: [{ valueCoding: { system: SNOMED, ...tobacco } }] },
              ...(tobacco.code === "266919005" ? [] : [{ linkId: "tobacco-years", text: "Years of tobacco use", answer: [{ valueInteger: random.int(2, 40) }] }]),
              { linkId: "habits", text: "Other habits (all that apply)", answer: HABITS.filter(() => random.chance(0.3)).map((habit) => ({ valueCoding: { system: SNOMED, ...habit } })) },
            ].filter((item) => item.answer.length),
          },
          { linkId: "lesion-seen", text: "Visible oral lesion", answer: [{ valueBoolean: lesion }] },
          ...(lesion ? [{ linkId: "lesion-size", text: "Largest lesion", answer: [{ valueQuantity: { value: random.int(2, 15), unit: "mm", system: "http://unitsofmeasure.org", code: "mm" } }] }] : []),
          {
            linkId: "screener-notes",
            text: "Screener notes",
            answer: [{ valueString: random.chance(0.2) ? `${patient.givenName} asked for a call on ${patient.phone} with the result.` : lesion ? "Referred for biopsy." : "No abnormality seen." }],
          },
        ],
      });
    });
  }

  return resources;
}
