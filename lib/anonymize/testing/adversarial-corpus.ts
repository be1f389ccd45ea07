// The adversarial corpus: synthetic patients whose identifiers are written the many ways people
// write them (case, punctuation, suffix spellings, groupings, labels), for the de-identification
// tests. Pure data: a test seeds it and exports it, and checks the files with leak-checker.ts.
//
// Every patient has a two-line address, a hyphenated family name, identifiers of known and unknown
// systems, and an emergency contact; each identifier is written in at least 8 forms.
import type { TLeakTarget } from "@/lib/anonymize/testing/leak-checker";

export type TCorpusPatient = {
  label: string;
  /** The stored FHIR Patient (what the import keeps in Patient.raw). */
  resource: Record<string, unknown>;
  /** The Patient columns the import would write from it. */
  columns: {
    fhirId: string;
    mrn: string;
    ssn: string;
    medicaidId: string;
    insuranceMemberId: string;
    givenName: string;
    middleName: string;
    familyName: string;
    birthDate: string;
    phone: string;
    mobilePhone: string;
    email: string;
    addressLine: string;
    city: string;
    state: string;
    postalCode: string;
    emergencyContactName: string;
    emergencyContactPhone: string;
  };
  /** Identifier class -> the written forms planted in every free-text field. */
  forms: Record<string, string[]>;
  /** What the leak checker searches the export for, by class. */
  targets: TLeakTarget[];
};

type TSeed = {
  given: string; middle: string; familyA: string; familyB: string; house: string; street: string; suffix: [string, string]; unit: string;
  city: string; district: string; zip: string; plus4: string; area: string; contactGiven: string; contactFamily: string; birth: [string, string, string];
};

const SEEDS: TSeed[] = [
  { given: "Thessaly", middle: "Quorra", familyA: "Vantongeren", familyB: "Orszag", house: "4821", street: "Quillfeather", suffix: ["Road", "Rd"], unit: "7C", city: "Marrowdale", district: "Brackwater", zip: "60917", plus4: "4412", area: "312", contactGiven: "Ignatius", contactFamily: "Pellowe", birth: ["1962", "03", "09"] },
  { given: "Oriabel", middle: "Sunniva", familyA: "Haskewitz", familyB: "Dunmore", house: "77", street: "Larkspindle", suffix: ["Avenue", "Ave"], unit: "12", city: "Cindervale", district: "Ostmark", zip: "48263", plus4: "0917", area: "773", contactGiven: "Fenwick", contactFamily: "Abernathy-Cole", birth: ["1931", "05", "06"] },
  { given: "Calloway", middle: "Brisk", familyA: "Oyelaran", familyB: "Tisdale", house: "1309", street: "Wrenhollow", suffix: ["Boulevard", "Blvd"], unit: "B", city: "Thornbury Flats", district: "Quenby", zip: "97215", plus4: "3306", area: "503", contactGiven: "Marisol", contactFamily: "Ravensworth", birth: ["1988", "11", "23"] },
];

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function patientOf(seed: TSeed, index: number): TCorpusPatient {
  const n = index + 1;
  const family = `${seed.familyA}-${seed.familyB}`;
  const line1 = `${seed.house} ${seed.street} ${seed.suffix[1]}`;
  const line2 = `Apt ${seed.unit}`;
  const phone = `(${seed.area}) 555-01${n}7`;
  const phoneDigits = `${seed.area}55501${n}7`;
  const mobile = `${seed.area}.555.02${n}8`;
  const contactPhone = `${seed.area}-555-03${n}9`;
  const email = `${seed.given.toLowerCase()}.${seed.familyA.toLowerCase()}@corpus-mail.example`;
  const mrn = `RBH02041${n}7`;
  const ssn = `61${n}-4${n}-77${n}9`;
  const medicaid = `4417229088${n}1`;
  const member = `MH88441290${n}`;
  const programme = `PRG-55${n}1-88${n}0`;
  const [year, month, day] = seed.birth;
  const monthName = MONTHS[Number(month) - 1]!;
  const resource = {
    resourceType: "Patient",
    id: `corpus-pat-${n}`,
    identifier: [
      { system: "http://hospital.example/mrn", value: mrn },
      { system: "http://hl7.org/fhir/sid/us-ssn", value: ssn },
      { system: "http://state.example/medicaid", value: medicaid },
      { system: "https://payer.example/member", value: member },
      // A system no code here knows: a county programme's number.
      { system: "urn:oid:2.16.840.1.113883.19.77", value: programme },
    ],
    name: [{ use: "official", family, given: [seed.given, seed.middle] }],
    telecom: [
      { system: "phone", value: phone, use: "home" },
      { system: "phone", value: mobile, use: "mobile" },
      { system: "email", value: email },
    ],
    birthDate: `${year}-${month}-${day}`,
    address: [{ use: "home", line: [line1, line2], city: seed.city, district: seed.district, state: "IL", postalCode: `${seed.zip}-${seed.plus4}` }],
    contact: [{ name: { given: [seed.contactGiven], family: seed.contactFamily }, telecom: [{ system: "phone", value: contactPhone }] }],
  };
  const spelled = seed.suffix[0];
  const short = seed.suffix[1];
  const forms: Record<string, string[]> = {
    "street address": [
      line1, line1.toLowerCase(), line1.toUpperCase(), `${seed.house} ${seed.street} ${spelled}`, `${seed.house} ${seed.street.toLowerCase()} ${spelled.toLowerCase()}`,
      `${seed.house} ${seed.street} ${short}.`, `${seed.house}  ${seed.street},  ${short}`, `${seed.house} ${seed.street}`, `${seed.house}-${seed.street} ${short}`,
    ],
    "unit line": [line2, line2.toLowerCase(), `Apartment ${seed.unit}`, `apt. #${seed.unit}`, `#${seed.unit}`, `Unit ${seed.unit}`, `Suite ${seed.unit.toLowerCase()}`, `APT ${seed.unit.replace(/(\d)([A-Z])/, "$1-$2")}`],
    name: [
      `${seed.given} ${family}`, `${seed.given.toLowerCase()} ${seed.familyA.toLowerCase()} ${seed.familyB.toLowerCase()}`, `${family.toUpperCase()}, ${seed.given.toUpperCase()}`, `${seed.familyA}–${seed.familyB}`,
      `Ms. ${seed.familyB}`, `${seed.given[0]}. ${seed.familyA}`, seed.given.toLowerCase(), `${seed.given} ${seed.middle} ${family}`,
    ],
    "contact name": [
      `${seed.contactGiven} ${seed.contactFamily}`, `${seed.contactGiven.toLowerCase()} ${seed.contactFamily.toLowerCase()}`, `${seed.contactFamily.toUpperCase()}, ${seed.contactGiven}`, `Mr ${seed.contactFamily}`,
      seed.contactGiven, seed.contactFamily.toLowerCase(), `${seed.contactGiven[0]}. ${seed.contactFamily}`, `${seed.contactFamily.replace(/-/g, " ")}`,
    ],
    phone: [phone, `${seed.area}-555-01${n}7`, `${seed.area}.555.01${n}7`, phoneDigits, `+1 ${seed.area} 555 01${n}7`, `1-${seed.area}-555-01${n}7`, `555-01${n}7`, `(${seed.area})55501${n}7`],
    "contact phone": [contactPhone, `(${seed.area}) 555-03${n}9`, `${seed.area}55503${n}9`, `${seed.area} 555 03${n}9`, `+1.${seed.area}.555.03${n}9`, `555 03${n}9`, `1 ${seed.area} 555-03${n}9`, `${seed.area}/555-03${n}9`],
    email: [email, email.toUpperCase(), `mailto:${email}`, `<${email}>`, `${email}.`, `(${email})`, `email:${email}`, `${seed.given}.${seed.familyA}@corpus-mail.example`],
    "identifier (known system)": [mrn, mrn.toLowerCase(), `MRN: ${mrn}`, `RBH-02041${n}7`, `rbh 02041${n}7`, `02041${n}7`, `#${mrn}`, `chart ${mrn}`],
    "identifier (unknown system)": [programme, programme.toLowerCase(), programme.replace(/-/g, ""), programme.replace(/-/g, " "), `55${n}188${n}0`, `programme no. ${programme}`, `55${n}1-88${n}0`, `prg_55${n}1_88${n}0`],
    "Medicaid / member id": [medicaid, `${medicaid.slice(0, 4)} ${medicaid.slice(4, 8)} ${medicaid.slice(8)}`, `${medicaid.slice(0, 4)}-${medicaid.slice(4, 8)}-${medicaid.slice(8)}`, `Medicaid #${medicaid}`, member, member.toLowerCase(), `MH-884-412-90${n}`, `member id ${member.slice(2)}`],
    SSN: [ssn, ssn.replace(/-/g, " "), ssn.replace(/-/g, ""), `SSN ${ssn}`, ssn.replace(/-/g, "."), `ssn: ${ssn.replace(/-/g, "")}`, `social security number ${ssn}`, `${ssn.slice(0, 3)} - ${ssn.slice(4, 6)} - ${ssn.slice(7)}`],
    "ZIP-5": [`IL ${seed.zip}`, `Illinois ${seed.zip}`, `zip ${seed.zip}`, `ZIP code: ${seed.zip}`, `${seed.city}, IL ${seed.zip}`, seed.zip, `zip${seed.zip}`, `postal code ${seed.zip}`],
    "ZIP+4": [`${seed.zip}-${seed.plus4}`, `${seed.zip} ${seed.plus4}`, `${seed.zip}${seed.plus4}`, `IL ${seed.zip}-${seed.plus4}`, `zip+4 ${seed.zip}-${seed.plus4}`, `ZIP ${seed.zip} - ${seed.plus4}`, `(${seed.zip}-${seed.plus4})`, `${seed.city} ${seed.zip}-${seed.plus4}`],
    "city / district": [seed.city, seed.city.toLowerCase(), seed.city.toUpperCase(), `${seed.city},`, `${seed.district} County`, seed.district.toLowerCase(), `${seed.district.toUpperCase()} county`, `in ${seed.city}`],
    "birth date": [
      `${year}-${month}-${day}`, `${month}/${day}/${year}`, `${Number(month)}/${Number(day)}/${year}`, `${monthName} ${Number(day)}, ${year}`, `${Number(day)} ${monthName} ${year}`,
      `${monthName.slice(0, 3)} ${Number(day)} ${year}`, `${month}-${day}-${year.slice(2)}`, `${year}${month}${day}`, `${Number(day)}.${Number(month)}.${year}`, `${month}${day}${year.slice(2)}`,
    ],
  };
  const digits = (kind: string, value: string): TLeakTarget => ({ kind, owner: `corpus patient ${n}`, digits: value });
  const words = (kind: string, value: string): TLeakTarget => ({ kind, owner: `corpus patient ${n}`, words: value });
  const targets: TLeakTarget[] = [
    words("street address", line1), words("street address", `${seed.house} ${seed.street}`), words("street address", `${seed.street} ${spelled}`),
    words("unit line", line2), words("unit line", `#${seed.unit}`),
    ...[seed.given, seed.middle, seed.familyA, seed.familyB].map((value) => words("name", value)),
    ...[seed.contactGiven, ...seed.contactFamily.split("-")].map((value) => words("contact name", value)),
    digits("phone", phoneDigits), digits("phone", `55501${n}7`),
    digits("contact phone", `${seed.area}55503${n}9`), digits("contact phone", `55503${n}9`),
    words("email", email),
    words("identifier (known system)", mrn), digits("identifier (known system)", `02041${n}7`),
    words("identifier (unknown system)", programme), digits("identifier (unknown system)", `55${n}188${n}0`),
    digits("Medicaid / member id", medicaid), words("Medicaid / member id", member), digits("Medicaid / member id", `88441290${n}`),
    digits("SSN", ssn),
    digits("ZIP-5", seed.zip), digits("ZIP+4", `${seed.zip}${seed.plus4}`),
    words("city / district", seed.city), words("city / district", seed.district),
    digits("birth date", `${year}${month}${day}`), digits("birth date", `${month}${day}${year}`), digits("birth date", `${Number(month)}${Number(day)}${year}`), digits("birth date", `${month}${day}${year.slice(2)}`),
    words("birth date", `${monthName} ${Number(day)} ${year}`), words("birth date", `${Number(day)} ${monthName} ${year}`), words("birth date", `${monthName.slice(0, 3)} ${Number(day)} ${year}`),
  ];

  return {
    label: `corpus patient ${n}`,
    resource,
    columns: {
      fhirId: resource.id,
      mrn,
      ssn,
      medicaidId: medicaid,
      insuranceMemberId: member,
      givenName: seed.given,
      middleName: seed.middle,
      familyName: family,
      birthDate: resource.birthDate,
      phone,
      mobilePhone: mobile,
      email,
      // The import joins the lines for display (fhir-elements.ts#addressOf).
      addressLine: `${line1}, ${line2}`,
      city: seed.city,
      state: "IL",
      postalCode: `${seed.zip}-${seed.plus4}`,
      emergencyContactName: `${seed.contactGiven} ${seed.contactFamily}`,
      emergencyContactPhone: contactPhone,
    },
    forms,
    targets,
  };
}

export const CORPUS_PATIENTS: readonly TCorpusPatient[] = SEEDS.map(patientOf);

/** The identifier classes, in the order of every patient's `forms`. */
export const CORPUS_CLASSES: readonly string[] = Object.keys(CORPUS_PATIENTS[0]!.forms);

/**
 * One free-text field's planted text: every form of every identifier, each in a sentence of its
 * own, marked "(field kC fF)" with the class's and the form's index (PLANTED_SENTENCE reads it back).
 */
export function plantedText(patient: TCorpusPatient, field: string): string {
  const sentences = Object.values(patient.forms).flatMap((forms, classIndex) => forms.map((form, formIndex) => `(${field} k${classIndex} f${formIndex}) pt mentions ${form} today.`));

  return sentences.join(" ");
}

/** A planted sentence as exported: class index, form index, and what is left of the form. */
export const PLANTED_SENTENCE = /\(\w+ k(\d+) f(\d+)\) pt mentions (.*?) today\./g;
