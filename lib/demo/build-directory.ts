// Demo step 1: the practice (organizations, locations), its therapists and its patients.
import { EXTENSIONS, IDENTIFIER_SYSTEMS, IDENTIFIER_TYPE_CODES, IDENTIFIER_TYPE_SYSTEM } from "@/lib/fhir/fhir-conventions";

import { DEMO_PRACTITIONERS } from "./demo-users";
import { DAY_MS, DEMO_REFERENCE_DATE, isoDate, pad, ref, type TDemoPatient, type TDemoPractitioner, type TFhirResource } from "./demo-model";
import * as words from "./demo-vocabulary";
import { makeNpi } from "./npi";
import type { TRandom } from "./random";

const CLINICS = [
  ["Riverside Behavioral Health", "100 Main St", "Springfield", "MA", "01103", "413-555-0100"],
  ["Riverside Behavioral Health - Holyoke", "45 High St", "Holyoke", "MA", "01040", "413-555-0140"],
  ["Riverside Behavioral Health - Northampton", "12 Pleasant St", "Northampton", "MA", "01060", "413-555-0160"],
  ["Riverside Behavioral Health - Westfield", "88 Elm St", "Westfield", "MA", "01085", "413-555-0185"],
] as const;

const PARTNERS = [
  ["Pioneer Valley Housing Partnership", "413-555-0201"],
  ["Western Mass Food Bank Network", "413-555-0202"],
  ["Valley Works Career Center", "413-555-0203"],
  ["Hampden Recovery Center", "413-555-0204"],
  ["Peer Connections Collaborative", "413-555-0205"],
] as const;

export const CLINIC_IDS = CLINICS.map((_, index) => `org-${pad(index + 1, 3)}`);
export const PARTNER_IDS = PARTNERS.map((_, index) => `org-${pad(index + 5 + words.PAYERS.length, 3)}`);

function address(line: string, city: string, state: string, postalCode: string, use = "work") {
  return { use, line: [line], city, state, postalCode, country: "US" };
}

export function buildOrganizations(): TFhirResource[] {
  const clinics = CLINICS.map(([name, line, city, state, zip, phone], index) => ({
    resourceType: "Organization",
    id: CLINIC_IDS[index]!,
    active: true,
    type: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/organization-type", code: "prov", display: "Healthcare Provider" }] }],
    name,
    telecom: [{ system: "phone", value: phone, use: "work" }, { system: "email", value: `frontdesk${index || ""}@riversidebh.example`, use: "work" }],
    address: [address(line, city, state, zip)],
    ...(index > 0 ? { partOf: ref("Organization", CLINIC_IDS[0]!) } : {}),
  }));
  const payers = words.PAYERS.map((name, index) => ({
    resourceType: "Organization",
    id: `org-${pad(index + 5, 3)}`,
    active: true,
    type: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/organization-type", code: "pay", display: "Payer" }] }],
    name,
  }));
  const partners = PARTNERS.map(([name, phone], index) => ({
    resourceType: "Organization",
    id: PARTNER_IDS[index]!,
    active: true,
    type: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/organization-type", code: "cg", display: "Community Group" }] }],
    name,
    telecom: [{ system: "phone", value: phone, use: "work" }],
    address: [address(`${200 + index * 17} State St`, "Springfield", "MA", "01103")],
  }));

  return [...clinics, ...payers, ...partners];
}

/** 6 rooms at the main clinic (one of them the telehealth "room"), 3 at each satellite. */
export function buildLocations(): TFhirResource[] {
  const rooms: [number, string][] = [
    [0, "Suite 200, Room A"], [0, "Suite 200, Room B"], [0, "Suite 200, Room C"], [0, "Group Room 1"], [0, "Group Room 2"], [0, "Telehealth (virtual)"],
    [1, "Room 1"], [1, "Room 2"], [1, "Group Room"], [2, "Room 1"], [2, "Room 2"], [2, "Group Room"], [3, "Room 1"], [3, "Room 2"], [3, "Group Room"],
  ];

  return rooms.map(([clinic, room], index) => {
    const [name, line, city, state, zip, phone] = CLINICS[clinic]!;

    return {
      resourceType: "Location",
      id: `loc-${pad(index + 1, 3)}`,
      status: "active",
      name: `${name.replace("Riverside Behavioral Health", "Riverside")} - ${room}`,
      ...(room.startsWith("Telehealth") ? { mode: "kind" } : { address: address(line, city, state, zip) }),
      telecom: [{ system: "phone", value: phone, use: "work" }],
      managingOrganization: ref("Organization", CLINIC_IDS[clinic]!),
    };
  });
}

export const locationsOfClinic = (clinic: number) => (clinic === 0 ? [1, 2, 3, 4, 5] : [7 + (clinic - 1) * 3, 8 + (clinic - 1) * 3, 9 + (clinic - 1) * 3]).map((n) => `loc-${pad(n, 3)}`);
export const GROUP_LOCATION_BY_CLINIC = ["loc-004", "loc-009", "loc-012", "loc-015"];
export const TELEHEALTH_LOCATION = "loc-006";

export function buildPractitioners(random: TRandom, count: number) {
  const practitioners: TDemoPractitioner[] = [];
  const resources: TFhirResource[] = [];
  const usedNames = new Set<string>();
  for (let index = 0; index < count; index++) {
    const fixed = DEMO_PRACTITIONERS[index];
    const gender = fixed?.gender ?? (random.chance(0.62) ? "female" : "male");
    let givenName: string = fixed?.givenName ?? random.pick(gender === "female" ? words.FEMALE_NAMES : words.MALE_NAMES);
    let familyName: string = fixed?.familyName ?? random.pick(words.FAMILY_NAMES);
    while (!fixed && usedNames.has(`${givenName} ${familyName}`)) {
      givenName = random.pick(gender === "female" ? words.FEMALE_NAMES : words.MALE_NAMES);
      familyName = random.pick(words.FAMILY_NAMES);
    }
    usedNames.add(`${givenName} ${familyName}`);
    const credentials: string = fixed?.credentials ?? random.weighted(words.CREDENTIALS);
    const npi = makeNpi(`1${random.digits(8)}`);
    // The two demo therapists work at the main clinic; the rest spread over all four.
    const clinic = index < 2 ? 0 : random.weighted([[0, 4], [1, 2], [2, 2], [3, 2]] as const);
    const organizationId = CLINIC_IDS[clinic]!;
    const isDoctor = credentials === "PhD" || credentials === "PsyD";
    const emailName = `${givenName}.${familyName}`.toLowerCase().replace(/[^a-z.]/g, "");
    practitioners.push({ id: `prac-${pad(index + 1, 3)}`, givenName, familyName, organizationId, credentials, npi });
    resources.push({
      resourceType: "Practitioner",
      id: `prac-${pad(index + 1, 3)}`,
      active: true,
      identifier: [{ system: IDENTIFIER_SYSTEMS.npi, value: npi }],
      name: [{ use: "official", family: familyName, given: [givenName], ...(isDoctor ? { prefix: ["Dr."] } : {}), suffix: [credentials] }],
      gender,
      telecom: [
        { system: "phone", value: `413-555-${pad(1000 + index * 7, 4)}`, use: "work" },
        { system: "email", value: `${emailName}@riversidebh.example`, use: "work" },
      ],
      qualification: [{ code: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0360", code: credentials, display: credentials }], text: credentials } }],
      extension: [{ url: EXTENSIONS.practitionerOrganization, valueReference: ref("Organization", organizationId) }],
    });
  }

  return { practitioners, resources };
}

function phoneNumber(random: TRandom, areaCode: string) {
  return `${areaCode}-${random.int(201, 989)}-${random.digits(4)}`;
}

function ssn(random: TRandom) {
  let area = random.int(1, 665);
  if (area === 666) area = 667;

  return `${pad(area, 3)}-${pad(random.int(1, 99), 2)}-${pad(random.int(1, 9999), 4)}`;
}

export type TPatientPlan = { practitionerIndex: number };

export function buildPatients(random: TRandom, count: number, plans: TPatientPlan[], practitioners: TDemoPractitioner[]) {
  const patients: TDemoPatient[] = [];
  const resources: TFhirResource[] = [];
  const reference = DEMO_REFERENCE_DATE.getTime();
  for (let index = 0; index < count; index++) {
    const id = `pat-${pad(index + 1, 4)}`;
    const gender = random.weighted([["female", 52], ["male", 44], ["other", 4]] as const);
    const givenName = random.pick(gender === "female" ? words.FEMALE_NAMES : gender === "male" ? words.MALE_NAMES : words.NEUTRAL_NAMES);
    const middle = random.chance(0.35) ? random.pick([...words.FEMALE_NAMES, ...words.MALE_NAMES]) : null;
    const familyName = random.chance(0.08) ? `${random.pick(words.FAMILY_NAMES)}-${random.pick(words.FAMILY_NAMES)}` : random.pick(words.FAMILY_NAMES);
    // A handful aged 90+, so the "90+" de-identification rule has something to do.
    const age = index % 80 === 7 ? random.int(90, 97) : random.weighted([[random.int(13, 17), 8], [random.int(18, 29), 26], [random.int(30, 49), 36], [random.int(50, 69), 24], [random.int(70, 86), 6]] as const);
    const birthDate = isoDate(reference - (age * 365.25 + random.int(1, 360)) * DAY_MS);
    const [city, state, zip, areaCode] = random.weighted(words.PLACES.map((place) => [place, place[4]] as const));
    const line = `${random.int(3, 1450)} ${random.pick(words.STREETS)} ${random.pick(words.STREET_TYPES)}${random.chance(0.25) ? `, Apt ${random.int(1, 24)}${random.pick(["", "A", "B"])}` : ""}`;
    const phone = phoneNumber(random, areaCode);
    const mobile = random.chance(0.7) ? phoneNumber(random, areaCode) : null;
    const email = random.chance(0.85) ? `${givenName}.${familyName}${random.int(1, 99)}`.toLowerCase().replace(/[^a-z0-9.]/g, "") + `@${random.pick(["example.com", "example.org", "mail.example.net"])}` : null;
    const practitioner = practitioners[plans[index]!.practitionerIndex]!;
    const hasMedicaid = random.chance(0.3);
    const hasPrivate = !hasMedicaid && random.chance(0.85);
    const nickname = words.NICKNAMES[givenName] && random.chance(0.6) ? words.NICKNAMES[givenName] : null;
    const language = random.weighted(words.LANGUAGES);
    const hasContact = random.chance(0.85);
    const emergencyName = hasContact ? `${random.pick([...words.FEMALE_NAMES, ...words.MALE_NAMES])} ${random.chance(0.6) ? familyName : random.pick(words.FAMILY_NAMES)}` : null;
    const emergencyPhone = hasContact ? phoneNumber(random, areaCode) : null;
    const registeredAt = reference - random.int(40, 760) * DAY_MS;

    const identifier: Record<string, unknown>[] = [
      { use: "usual", type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: IDENTIFIER_TYPE_CODES.mrn }] }, system: IDENTIFIER_SYSTEMS.mrn, value: `RBH${pad(204_117 + index * 37, 7)}` },
    ];
    if (random.chance(0.6)) identifier.push({ type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: IDENTIFIER_TYPE_CODES.ssn }] }, system: IDENTIFIER_SYSTEMS.ssn, value: ssn(random) });
    if (hasMedicaid) {
      identifier.push({ type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: IDENTIFIER_TYPE_CODES.medicaid }] }, system: IDENTIFIER_SYSTEMS.medicaid, value: `${random.digits(12)}` });
      identifier.push({ type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: IDENTIFIER_TYPE_CODES.insuranceMember }] }, system: IDENTIFIER_SYSTEMS.insuranceMember, value: `MH${random.digits(9)}`, assigner: { display: words.MEDICAID_PAYER } });
    } else if (hasPrivate) {
      const payer = random.pick(words.PAYERS);
      identifier.push({ type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: IDENTIFIER_TYPE_CODES.insuranceMember }] }, system: IDENTIFIER_SYSTEMS.insuranceMember, value: `${payer.slice(0, 1)}${random.digits(9)}`, assigner: { display: payer } });
    }

    patients.push({
      index,
      id,
      givenName,
      familyName,
      phone,
      email,
      addressText: `${line}, ${city}, ${state} ${zip}`,
      emergencyName,
      emergencyPhone,
      practitionerIndex: plans[index]!.practitionerIndex,
      organizationId: practitioner.organizationId,
      registeredAt,
    });
    resources.push({
      resourceType: "Patient",
      id,
      active: true,
      identifier,
      name: [
        { use: "official", family: familyName, given: middle ? [givenName, middle] : [givenName] },
        ...(nickname ? [{ use: "nickname", given: [nickname] }] : []),
      ],
      telecom: [
        { system: "phone", value: phone, use: "home" },
        ...(mobile ? [{ system: "phone", value: mobile, use: "mobile" }] : []),
        ...(email ? [{ system: "email", value: email }] : []),
      ],
      gender,
      birthDate,
      address: [{ use: "home", line: [line], city, ...(words.COUNTIES[city] ? { district: words.COUNTIES[city] } : {}), state, postalCode: zip, country: "US" }],
      maritalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", ...(age < 18 ? { code: "S", display: "Never Married" } : random.weighted(words.MARITAL_STATUSES)) }] },
      communication: [{ language: { coding: [{ system: "urn:ietf:bcp:47", ...language }], text: language.display }, preferred: true }],
      ...(hasContact
        ? {
            contact: [
              {
                relationship: [
                  { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0131", code: "C", display: "Emergency Contact" }] },
                  { text: random.pick(words.CONTACT_RELATIONSHIPS) },
                ],
                name: { text: emergencyName },
                telecom: [{ system: "phone", value: emergencyPhone }],
              },
            ],
          }
        : {}),
      generalPractitioner: [ref("Practitioner", practitioner.id)],
      managingOrganization: ref("Organization", practitioner.organizationId),
    });
  }

  return { patients, resources };
}

