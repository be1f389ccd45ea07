// What the release scan reports: the kind of value and the patient, never the value itself.
export type TScanKind = "name" | "phone number" | "email address" | "street address" | "birth date" | "identifier" | "hash of an identifier" | "SSN";

export class ReleaseScanError extends Error {
  readonly patientPseudonym: string;
  /** The patient's internal id, for the audit record an administrator reads; never in the message (raw ids are identifiers too). */
  readonly patientId: string;
  readonly kind: TScanKind;
  readonly source: string;

  constructor(patient: { pseudonym: string; id: string }, kind: TScanKind, source: string) {
    // Never the value itself: the message is stored on the job and shown to the requester.
    super(
      `Release scan refused the file: ${source} contains a ${kind} of patient ${patient.pseudonym}. Nothing was offered. ` +
        "An administrator can open that patient from this export's failure in the audit log and find where the value comes from.",
    );
    this.name = "ReleaseScanError";
    this.patientPseudonym = patient.pseudonym;
    this.patientId = patient.id;
    this.kind = kind;
    this.source = source;
  }
}

export const SCAN_KINDS: readonly TScanKind[] = ["name", "phone number", "email address", "street address", "birth date", "identifier", "hash of an identifier", "SSN"];
