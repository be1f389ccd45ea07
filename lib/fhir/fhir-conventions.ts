// CareExport's FHIR conventions: the identifier systems, extensions and code systems the
// importer reads and the demo generator writes. One file, so both sides (and any exporter)
// agree on them. Changing a URL here orphans data already imported with the old one.

/** Base of every CareExport-defined URL. `example` on purpose: these are local conventions, not published profiles. */
export const CAREEXPORT_FHIR_BASE = "https://careexport.example/fhir";
export const STRUCTURE_DEFINITION_BASE = `${CAREEXPORT_FHIR_BASE}/StructureDefinition`;

/** Identifier systems. Standard ones where HL7 defines them, local ones otherwise. */
export const IDENTIFIER_SYSTEMS = {
  /** The practice's medical record number (also recognised by identifier.type code "MR"). */
  mrn: `${CAREEXPORT_FHIR_BASE}/sid/mrn`,
  ssn: "http://hl7.org/fhir/sid/us-ssn",
  /** State Medicaid id (also recognised by identifier.type code "MA"). */
  medicaid: `${CAREEXPORT_FHIR_BASE}/sid/medicaid`,
  /** Insurance member id; the payer's name is the identifier's `assigner.display` (type code "MB"). */
  insuranceMember: `${CAREEXPORT_FHIR_BASE}/sid/insurance-member-id`,
  npi: "http://hl7.org/fhir/sid/us-npi",
} as const;

/** HL7 v2 table 0203 identifier-type codes, accepted when a sender uses a different system. */
export const IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203";
export const IDENTIFIER_TYPE_CODES = { mrn: "MR", medicaid: "MA", insuranceMember: "MB", ssn: "SS" } as const;

export const CODE_SYSTEMS = {
  icd10cm: "http://hl7.org/fhir/sid/icd-10-cm",
  cpt: "http://www.ama-assn.org/go/cpt",
  loinc: "http://loinc.org",
  actCode: "http://terminology.hl7.org/CodeSystem/v3-ActCode",
  /** CarePlan.category codes: "treatment-plan" -> TreatmentPlan table; anything else (e.g. "referral") -> CarePlan table. */
  carePlanCategory: `${CAREEXPORT_FHIR_BASE}/CodeSystem/careplan-category`,
  /** Referral status codes carried by the referral-status extension. */
  referralStatus: `${CAREEXPORT_FHIR_BASE}/CodeSystem/referral-status`,
  /** Encounter delivery formats carried by the delivery-format extension. */
  deliveryFormat: `${CAREEXPORT_FHIR_BASE}/CodeSystem/delivery-format`,
} as const;

export const CARE_PLAN_CATEGORY = { treatmentPlan: "treatment-plan", referral: "referral" } as const;

export const EXTENSIONS = {
  /** Encounter: valueCode in-person | telehealth | phone | group. Wins over Encounter.class. */
  deliveryFormat: `${STRUCTURE_DEFINITION_BASE}/encounter-delivery-format`,
  /** Encounter: valueInteger, billed units of the CPT code (FHIR Encounter has no such element). */
  units: `${STRUCTURE_DEFINITION_BASE}/encounter-units`,
  /** CarePlan (referral services): valueCode eligible | accepted | declined | completed. FHIR status stays as sent. */
  referralStatus: `${STRUCTURE_DEFINITION_BASE}/careplan-referral-status`,
  /** Goal: valueQuantity, the measure's value when the goal was set. */
  goalBaseline: `${STRUCTURE_DEFINITION_BASE}/goal-baseline`,
  /** Goal: valueQuantity, the measure's latest value. */
  goalCurrent: `${STRUCTURE_DEFINITION_BASE}/goal-current`,
  /** Practitioner: valueReference to the Organization they work for (R4 puts it on PractitionerRole). */
  practitionerOrganization: `${STRUCTURE_DEFINITION_BASE}/practitioner-organization`,
} as const;

export const DELIVERY_FORMATS = ["in-person", "telehealth", "phone", "group"] as const;
export type TDeliveryFormat = (typeof DELIVERY_FORMATS)[number];

export const REFERRAL_STATUSES = ["eligible", "accepted", "declined", "completed"] as const;
export type TReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Canonical URL of a CareExport questionnaire, by short key ("phq-9"). */
export const questionnaireCanonical = (key: string) => `${CAREEXPORT_FHIR_BASE}/Questionnaire/${key}`;

/**
 * Session notes travel as DocumentReferences whose content[0].attachment.data (base64) holds
 * the note. JSON (this content type) carries the fields of TSessionNoteContent; text/plain
 * carries "S:", "O:", "A:", "P:" headings (plus optional "Transcript:", "AI notes:",
 * "Action items:" with "- " bullet lines).
 */
export const SESSION_NOTE_CONTENT_TYPES = { json: "application/json", text: "text/plain" } as const;
/** DocumentReference.type for session notes (LOINC "Progress note"). */
export const SESSION_NOTE_LOINC = "11506-3";
