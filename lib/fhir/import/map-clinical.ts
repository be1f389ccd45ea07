// Encounter, Condition, QuestionnaireResponse, Observation and DocumentReference -> rows.
import { CODE_SYSTEMS, DELIVERY_FORMATS, EXTENSIONS, type TDeliveryFormat } from "@/lib/fhir/fhir-conventions";
import { codingOf, conceptText, datePart, extensionOf } from "@/lib/fhir/import/fhir-elements";
import type { TCondition, TDocumentReference, TEncounter, TObservation, TQuestionnaireResponse } from "@/lib/fhir/import/fhir-schemas";
import type { TMapContext, TRowData } from "@/lib/fhir/import/map-context";
import { questionnaireKeyFor, scoreResponse } from "@/lib/fhir/questionnaire-catalog";
import { decodeSessionNote } from "@/lib/fhir/session-note-content";

const GROUP_PSYCHOTHERAPY_CPT = "90853";

/**
 * The delivery-format extension wins; otherwise Encounter.class: VR (virtual) -> telehealth,
 * AMB -> in-person, or group when the CPT code is group psychotherapy.
 */
function deliveryFormatOf(resource: TEncounter, cptCode: string | null): TDeliveryFormat | null {
  const declared = extensionOf(resource.extension, EXTENSIONS.deliveryFormat)?.valueCode;
  if (declared && (DELIVERY_FORMATS as readonly string[]).includes(declared)) return declared as TDeliveryFormat;
  if (resource.class?.code === "VR") return "telehealth";
  if (resource.class?.code === "AMB") return cptCode === GROUP_PSYCHOTHERAPY_CPT ? "group" : "in-person";

  return null;
}

export function mapEncounter(resource: TEncounter, ctx: TMapContext): TRowData {
  const cpt = resource.type?.map((type) => codingOf(type, CODE_SYSTEMS.cpt)).find(Boolean);
  const units = extensionOf(resource.extension, EXTENSIONS.units)?.valueInteger;
  const practitioner = resource.participant?.find((participant) => participant.individual)?.individual;

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    practitionerId: ctx.rowId(practitioner, "practitioner"),
    organizationId: ctx.rowId(resource.serviceProvider, "organization"),
    locationId: ctx.rowId(resource.location?.[0]?.location, "location"),
    status: resource.status,
    deliveryFormat: deliveryFormatOf(resource, cpt?.code ?? null),
    cptCode: cpt?.code ?? null,
    cptDisplay: cpt?.display ?? null,
    units: units ?? null,
    startAt: new Date(resource.period.start),
    endAt: resource.period.end ? new Date(resource.period.end) : null,
    reasonText: resource.reasonCode?.[0] ? (resource.reasonCode[0].text ?? conceptText(resource.reasonCode[0])) : null,
  };
}

export function mapCondition(resource: TCondition, ctx: TMapContext): TRowData {
  const icd10 = codingOf(resource.code, CODE_SYSTEMS.icd10cm)!;

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    icd10Code: icd10.code,
    display: icd10.display ?? resource.code.text ?? icd10.code,
    clinicalStatus: codingOf(resource.clinicalStatus)?.code ?? null,
    onsetDate: datePart(resource.onsetDateTime),
    recordedDate: datePart(resource.recordedDate),
  };
}

export function mapQuestionnaireResponse(resource: TQuestionnaireResponse, ctx: TMapContext): TRowData {
  const questionnaire = questionnaireKeyFor(resource.questionnaire);
  const items = resource.item ?? [];
  const { totalScore, severity } = scoreResponse(questionnaire, items);

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    encounterId: ctx.rowId(resource.encounter, "encounter"),
    practitionerId: ctx.rowId(resource.author, "practitioner"),
    questionnaire,
    questionnaireUrl: resource.questionnaire,
    status: resource.status,
    authoredAt: new Date(resource.authored),
    totalScore,
    severity,
    items,
  };
}

export function mapObservation(resource: TObservation, ctx: TMapContext): TRowData {
  const coding = codingOf(resource.code, CODE_SYSTEMS.loinc) ?? codingOf(resource.code)!;
  const quantity = resource.valueQuantity;
  const codedValue = resource.valueCodeableConcept ? conceptText(resource.valueCodeableConcept) : null;

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    encounterId: ctx.rowId(resource.encounter, "encounter"),
    code: coding.code,
    codeSystem: coding.system ?? null,
    display: coding.display ?? resource.code.text ?? coding.code,
    category: codingOf(resource.category?.[0])?.code ?? null,
    valueNumber: quantity?.value ?? resource.valueInteger ?? null,
    valueString: resource.valueString ?? codedValue ?? (resource.valueBoolean === undefined ? null : String(resource.valueBoolean)),
    unit: quantity?.unit ?? quantity?.code ?? null,
    status: resource.status,
    effectiveAt: new Date((resource.effectiveDateTime ?? resource.effectivePeriod?.start)!),
  };
}

/** DocumentReference -> SessionNote. "final" docStatus means signed, at the document's date. */
export function mapDocumentReference(resource: TDocumentReference, ctx: TMapContext): TRowData {
  const attachment = resource.content[0]!.attachment;
  const decoded = decodeSessionNote(attachment.contentType, attachment.data);
  // Validation already rejected undecodable notes; this guards the invariant.
  if (!decoded.ok) throw new Error(`session note ${resource.id} failed to decode after validation`);
  const note = decoded.content;
  const noteDate = new Date((resource.context?.period?.start ?? resource.date)!);
  const isSigned = resource.docStatus === "final";
  const author = resource.author?.find((reference) => reference.reference.startsWith("Practitioner/")) ?? resource.authenticator;

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    encounterId: ctx.rowId(resource.context?.encounter?.[0], "encounter"),
    practitionerId: ctx.rowId(author, "practitioner"),
    noteDate,
    status: resource.docStatus ?? resource.status,
    subjective: note.subjective ?? null,
    objective: note.objective ?? null,
    assessment: note.assessment ?? null,
    plan: note.plan ?? null,
    transcript: note.transcript ?? null,
    aiNotes: note.ai_notes ?? null,
    actionItems: note.action_items ?? [],
    isSigned,
    signedAt: isSigned ? new Date(resource.date ?? noteDate.toISOString()) : null,
  };
}
