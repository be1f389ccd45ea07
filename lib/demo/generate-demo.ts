// The deterministic demo programme as one FHIR R4 Bundle: the same seed always gives the
// same bytes, so tests can assert on it and re-seeding changes nothing.
import { buildClinical, spreadCounts } from "./build-clinical";
import { buildConsents } from "./build-consents";
import { buildOralScreenings, oralScreeningCount } from "./build-screenings";
import { buildLocations, buildOrganizations, buildPatients, buildPractitioners } from "./build-directory";
import { DEMO_COUNTS, DEMO_SEED, type TFhirResource } from "./demo-model";
import { DEMO_PRACTITIONERS } from "./demo-users";
import { createRandom } from "./random";

/** Each demo therapist looks after one patient in this many, so each has a realistic caseload. */
const DEMO_CASELOAD_EVERY = 16;
const REGISTRATION_AND_INTAKE = 2;
const SCREENED_FOR_SOCIAL_NEEDS = 300;

export function generateDemoResources(seed = DEMO_SEED): TFhirResource[] {
  const random = createRandom(seed);
  const organizations = buildOrganizations();
  const locations = buildLocations();
  const { practitioners, resources: practitionerResources } = buildPractitioners(random, DEMO_COUNTS.Practitioner);

  const patientCount = DEMO_COUNTS.Patient;
  const plans = Array.from({ length: patientCount }, (_, index) => {
    const slot = index % DEMO_CASELOAD_EVERY;
    const practitionerIndex = slot < DEMO_PRACTITIONERS.length ? slot : random.int(DEMO_PRACTITIONERS.length, practitioners.length - 1);

    return { practitionerIndex };
  });
  const { patients, resources: patientResources } = buildPatients(random, patientCount, plans, practitioners);

  const encounterCounts = spreadCounts(random, DEMO_COUNTS.Encounter, patientCount, 1, 5);
  const referralScreened = new Set(random.shuffle(patients.map((patient) => patient.index)).slice(0, SCREENED_FOR_SOCIAL_NEEDS));
  const treatmentPlans = patientCount;
  // Every session carries one PHQ-9 or GAD-7; the rest of the responses are follow-ups (and oral screenings).
  const followUpCount = DEMO_COUNTS.QuestionnaireResponse - DEMO_COUNTS.Encounter - patientCount * REGISTRATION_AND_INTAKE - referralScreened.size - oralScreeningCount(patientCount);
  const clinical = buildClinical(random, patients, practitioners, {
    encounterCounts,
    referralScreened,
    referralPlanCount: DEMO_COUNTS.CarePlan - treatmentPlans,
    followUpCount,
  });

  return [...organizations, ...locations, ...practitionerResources, ...patientResources, ...clinical.resources, ...buildOralScreenings(patients, seed), ...buildConsents(patients)];
}

export function generateDemoBundle(seed = DEMO_SEED) {
  const resources = generateDemoResources(seed);

  return {
    resourceType: "Bundle",
    type: "collection",
    entry: resources.map((resource) => ({ fullUrl: `urn:careexport:${resource.resourceType}/${resource.id}`, resource })),
  };
}
