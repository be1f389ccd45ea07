// Small readers of FHIR datatypes shared by the mappers: names, telecom, addresses, codes.
import type { TAddress, TCodeableConcept, TContactPoint, TExtension, THumanName } from "@/lib/fhir/import/fhir-schemas";

export function extensionOf(extensions: TExtension[] | undefined, url: string) {
  return extensions?.find((extension) => extension.url === url);
}

export function extensionNumber(extension: TExtension | undefined): number | null {
  const value = extension?.valueQuantity?.value ?? extension?.valueDecimal ?? extension?.valueInteger;

  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** official, then usual, then the first name given. */
export function primaryName(names: THumanName[]) {
  return names.find((name) => name.use === "official") ?? names.find((name) => name.use === "usual") ?? names[0]!;
}

export function splitName(name: THumanName) {
  const given = name.given ?? [];
  const textParts = name.text?.trim().split(/\s+/) ?? [];

  return {
    givenName: given[0] ?? textParts[0] ?? "",
    middleName: given.length > 1 ? given.slice(1).join(" ") : null,
    familyName: name.family ?? (textParts.length > 1 ? textParts.slice(1).join(" ") : ""),
    prefix: name.prefix?.[0] ?? null,
  };
}

export function fullName(name: THumanName | undefined) {
  if (!name) return null;

  return name.text ?? ([...(name.given ?? []), name.family].filter(Boolean).join(" ") || null);
}

export function telecomOf(telecom: TContactPoint[] | undefined) {
  const phones = (telecom ?? []).filter((point) => (point.system === "phone" || point.system === "sms") && point.value);
  const mobile = phones.find((point) => point.use === "mobile");
  const landline = phones.find((point) => point.use === "home") ?? phones.find((point) => point.use !== "mobile");

  return {
    phone: landline?.value ?? null,
    mobilePhone: mobile?.value ?? null,
    /** The best single number, for resources with one phone column. */
    anyPhone: landline?.value ?? mobile?.value ?? null,
    email: (telecom ?? []).find((point) => point.system === "email" && point.value)?.value ?? null,
  };
}

export function addressOf(address: TAddress | undefined) {
  return {
    addressLine: address?.line?.length ? address.line.join(", ") : (address?.text ?? null),
    city: address?.city ?? null,
    state: address?.state ?? null,
    postalCode: address?.postalCode ?? null,
  };
}

export function homeAddress(addresses: TAddress[] | undefined) {
  return addresses?.find((address) => address.use === "home") ?? addresses?.find((address) => address.use !== "old") ?? addresses?.[0];
}

export function codingOf(concept: TCodeableConcept | undefined, system?: string) {
  return concept?.coding?.find((coding) => (system ? coding.system === system : true) && coding.code);
}

/** The human-readable form of a concept: a coding's display, the text, or the bare code. */
export function conceptText(concept: TCodeableConcept | undefined) {
  const coding = concept?.coding?.find((item) => item.display) ?? concept?.coding?.[0];

  return coding?.display ?? concept?.text ?? coding?.code ?? null;
}

/** FHIR dateTime -> the date part, for the schema's text date columns. */
export function datePart(value: string | undefined) {
  return value ? value.slice(0, 10) : null;
}
