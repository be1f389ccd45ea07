// Organization, Location, Practitioner and Patient -> rows. Every identifier and contact
// field the schema has a column for is filled; the rest stays in `raw`.
import { EXTENSIONS, IDENTIFIER_SYSTEMS, IDENTIFIER_TYPE_CODES, IDENTIFIER_TYPE_SYSTEM } from "@/lib/fhir/fhir-conventions";
import { addressOf, conceptText, extensionOf, fullName, homeAddress, primaryName, splitName, telecomOf } from "@/lib/fhir/import/fhir-elements";
import type { TIdentifier, TLocation, TOrganization, TPatient, TPractitioner } from "@/lib/fhir/import/fhir-schemas";
import type { TMapContext, TRowData } from "@/lib/fhir/import/map-context";

type TIdentifierKind = keyof typeof IDENTIFIER_SYSTEMS;

function identifierKind(identifier: TIdentifier): TIdentifierKind | null {
  const bySystem = (Object.keys(IDENTIFIER_SYSTEMS) as TIdentifierKind[]).find((kind) => IDENTIFIER_SYSTEMS[kind] === identifier.system);
  if (bySystem) return bySystem;
  // Senders with their own systems usually still type identifiers with HL7 v2-0203 codes.
  const typeCode = identifier.type?.coding?.find((coding) => coding.system === IDENTIFIER_TYPE_SYSTEM || !coding.system)?.code;

  return (Object.keys(IDENTIFIER_TYPE_CODES) as (keyof typeof IDENTIFIER_TYPE_CODES)[]).find((kind) => IDENTIFIER_TYPE_CODES[kind] === typeCode) ?? null;
}

function identifiersByKind(identifiers: TIdentifier[] | undefined) {
  const found = new Map<TIdentifierKind, TIdentifier>();
  for (const identifier of identifiers ?? []) {
    const kind = identifierKind(identifier);
    if (kind && identifier.value && !found.has(kind)) found.set(kind, identifier);
  }

  return found;
}

export function mapOrganization(resource: TOrganization, ctx: TMapContext): TRowData {
  const telecom = telecomOf(resource.telecom);

  return {
    name: resource.name,
    type: conceptText(resource.type?.[0]),
    phone: telecom.anyPhone,
    email: telecom.email,
    ...addressOf(resource.address?.[0]),
    partOfId: ctx.rowId(resource.partOf, "organization"),
  };
}

export function mapLocation(resource: TLocation, ctx: TMapContext): TRowData {
  return {
    name: resource.name,
    organizationId: ctx.rowId(resource.managingOrganization, "organization"),
    phone: telecomOf(resource.telecom).anyPhone,
    ...addressOf(resource.address),
  };
}

export function mapPractitioner(resource: TPractitioner, ctx: TMapContext): TRowData {
  const name = splitName(primaryName(resource.name));
  const telecom = telecomOf(resource.telecom);
  const credentials = (resource.qualification ?? []).map((qualification) => qualification.code.coding?.find((coding) => coding.code)?.code ?? qualification.code.text).filter(Boolean);

  return {
    givenName: name.givenName,
    familyName: name.familyName,
    prefix: name.prefix,
    npi: resource.identifier?.find((identifier) => identifier.system === IDENTIFIER_SYSTEMS.npi)?.value ?? null,
    credentials: credentials.length ? credentials.join(", ") : null,
    gender: resource.gender ?? null,
    phone: telecom.anyPhone,
    email: telecom.email,
    organizationId: ctx.rowId(extensionOf(resource.extension, EXTENSIONS.practitionerOrganization)?.valueReference, "organization"),
    active: resource.active ?? true,
  };
}

export function mapPatient(resource: TPatient, ctx: TMapContext): TRowData {
  const official = primaryName(resource.name);
  const name = splitName(official);
  const preferred = resource.name.find((candidate) => candidate !== official && (candidate.use === "nickname" || candidate.use === "usual"));
  const identifiers = identifiersByKind(resource.identifier);
  const insurance = identifiers.get("insuranceMember");
  const telecom = telecomOf(resource.telecom);
  const address = homeAddress(resource.address);
  const language = resource.communication?.find((communication) => communication.preferred) ?? resource.communication?.[0];
  // Emergency contact: HL7 v2-0131 "C" (emergency contact) when typed, else the first contact.
  const contact = resource.contact?.find((candidate) => candidate.relationship?.some((relation) => relation.coding?.some((coding) => coding.code === "C"))) ?? resource.contact?.[0];
  const generalPractitioner = resource.generalPractitioner?.find((reference) => reference.reference.startsWith("Practitioner/") || reference.reference.startsWith("urn:"));

  return {
    mrn: identifiers.get("mrn")?.value ?? null,
    ssn: identifiers.get("ssn")?.value ?? null,
    medicaidId: identifiers.get("medicaid")?.value ?? null,
    insurancePayer: insurance?.assigner?.display ?? null,
    insuranceMemberId: insurance?.value ?? null,
    givenName: name.givenName,
    middleName: name.middleName,
    familyName: name.familyName,
    preferredName: preferred ? (preferred.given?.[0] ?? preferred.text ?? null) : null,
    birthDate: resource.birthDate ?? null,
    gender: resource.gender ?? null,
    phone: telecom.phone,
    mobilePhone: telecom.mobilePhone,
    email: telecom.email,
    ...addressOf(address),
    country: address?.country ?? null,
    district: address?.district ?? null,
    language: conceptText(language?.language),
    maritalStatus: conceptText(resource.maritalStatus),
    emergencyContactName: fullName(contact?.name),
    emergencyContactPhone: telecomOf(contact?.telecom).anyPhone,
    active: resource.active ?? true,
    organizationId: ctx.rowId(resource.managingOrganization, "organization"),
    generalPractitionerId: ctx.rowId(generalPractitioner, "practitioner"),
  };
}
