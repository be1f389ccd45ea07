// Consent -> a Consent row. Whether it opts the patient out is decided by lib/patients/consent-provision.ts;
// the patient's flag follows the latest active Consent (lib/patients/consent.ts, after the write).
import type { TConsent } from "@/lib/fhir/import/fhir-schemas";
import type { TMapContext, TRowData } from "@/lib/fhir/import/map-context";
import { deniesExportPurpose } from "@/lib/patients/consent-provision";

export function mapConsent(resource: TConsent, ctx: TMapContext): TRowData {
  return {
    patientId: ctx.rowId(resource.patient, "patient"),
    status: resource.status,
    optOut: deniesExportPurpose(resource.provision),
    // A Consent without a dateTime counts from when it was imported.
    decidedAt: resource.dateTime ? new Date(resource.dateTime) : new Date(),
  };
}
