// What a FHIR Consent says about the data sharing the portal exports for. Pure: the importer and
// the admin's opt-out both come here, so an imported Consent and a portal decision mean the same.
import type { TConsentProvision } from "@/lib/fhir/import/fhir-schemas";

export const ACT_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

/**
 * The purposes (v3 ActReason) the portal's exports serve: research, public health and quality
 * improvement (de-identified datasets, metrics, Bulk Data). A deny of any of them is an opt-out.
 * Treatment (TREAT) and operations (HOPERAT) are not here: a deny of those alone is not an
 * opt-out of data sharing, and reports for care are not exports for these purposes.
 */
export const EXPORT_PURPOSE_CODES: ReadonlySet<string> = new Set(["HRESCH", "CLINTRCH", "BIORCH", "PUBHLTH", "HQUALIMP", "HSYSADMIN"]);

function namesExportPurpose(provision: TConsentProvision) {
  // A deny that names no purpose denies every purpose.
  if (!provision.purpose?.length) return true;
  return provision.purpose.some((coding) => coding.code !== undefined && EXPORT_PURPOSE_CODES.has(coding.code) && (coding.system === undefined || coding.system === ACT_REASON_SYSTEM));
}

/**
 * Whether the provision (or any provision nested in it) denies a purpose the portal exports for.
 * Nested denies count whatever else restricts them (actor, data, period): when in doubt, the
 * patient is left out rather than shared.
 */
export function deniesExportPurpose(provision: TConsentProvision | undefined): boolean {
  if (!provision) return false;
  if (provision.type === "deny" && namesExportPurpose(provision)) return true;

  return (provision.provision ?? []).some(deniesExportPurpose);
}

/** The FHIR Consent the portal stores for an admin's decision (its `raw`), so every Consent row reads the same. */
export function portalConsentResource(options: { fhirId: string; patientFhirId: string; optOut: boolean; decidedAt: Date }) {
  return {
    resourceType: "Consent",
    id: options.fhirId,
    status: "active",
    scope: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "research" }] },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0", display: "Patient Consent" }] }],
    patient: { reference: `Patient/${options.patientFhirId}` },
    dateTime: options.decidedAt.toISOString(),
    provision: {
      type: options.optOut ? "deny" : "permit",
      purpose: [...EXPORT_PURPOSE_CODES].map((code) => ({ system: ACT_REASON_SYSTEM, code })),
    },
  };
}
