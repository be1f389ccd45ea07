// The de-identified FHIR view keeps a bounded set of prepared patients (a Bulk Data export uses one
// view for all its batches): the patients a batch prepares are never the ones evicted, and a
// scrubber built on first use removes exactly what one built from the patient's identity removes.
import { describe, expect, it } from "vitest";

import { keyedIdentityOf } from "@/lib/anonymize/patient-identity";
import { createTextScrubber } from "@/lib/anonymize/scrub-text";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { maskedView } from "@/lib/fhir/api/fhir-view";

import { createPatient } from "../setup/fixtures";

const textAbout = (patient: { familyName: string | null; phone: string | null }) => `Spoke with ${patient.familyName} on ${patient.phone} about the plan.`;

describe("masked FHIR view: prepared patients", () => {
  it("evicts the least recently prepared patient, never one of the batch being prepared, and refuses a batch larger than it can hold", { timeout: 60_000 }, async () => {
    const [first, second, third] = [await createPatient({ familyName: "Vanterpool" }), await createPatient({ familyName: "Quennell" }), await createPatient({ familyName: "Abernathy" })];
    const view = maskedView({ key: env().ANON_KEY, profile: "safe-harbor", asOf: new Date(), maxPreparedPatients: 2 });

    await view.prepare([first!.id, second!.id]);
    // `first`, the oldest, is in the next batch too: the third patient evicts `second` instead
    // (evicting by age alone would leave `first`'s text to the generic scrubber).
    await view.prepare([first!.id, third!.id]);
    const prepared = view.scanSubjects().map((subject) => subject.row.id);
    expect(prepared.sort()).toEqual([first!.id, third!.id].sort());
    for (const patient of [first!, third!]) {
      const scrubbed = view.text(textAbout(patient), patient.id);
      expect(scrubbed).not.toContain(patient.familyName!);
      expect(scrubbed).not.toContain(patient.phone!);
    }
    await expect(view.prepare([first!.id, second!.id, third!.id])).rejects.toThrow(/at most 2 patients/);
  });

  it("a scrubber built on first use gives the same text as one built from the patient's identity", { timeout: 60_000 }, async () => {
    const patient = await createPatient({ familyName: "Delacroix-Mbeki" });
    const view = maskedView({ key: env().ANON_KEY, profile: "safe-harbor", asOf: new Date() });
    await view.prepare([patient.id]);
    const row = await prisma.patient.findUniqueOrThrow({ where: { id: patient.id } });
    const text = `${textAbout(patient)} Lives at ${row.addressLine}, ${row.city}; email ${row.email}.`;

    expect(view.text(text, patient.id)).toBe(createTextScrubber(keyedIdentityOf(row, env().ANON_KEY))(text));
    expect(view.text(text, patient.id)).not.toContain("Delacroix");
  });

  it("a view that keeps no scan subjects (a Bulk export's) scrubs the same text after letting the patient's row go", { timeout: 60_000 }, async () => {
    const patient = await createPatient({ familyName: "Okonkwo-Lindqvist" });
    const view = maskedView({ key: env().ANON_KEY, profile: "safe-harbor", asOf: new Date(), keepsScanSubjects: false });
    await view.prepare([patient.id]);
    const row = await prisma.patient.findUniqueOrThrow({ where: { id: patient.id } });
    const text = `${textAbout(patient)} Call ${row.phone} or write to ${row.email} at ${row.addressLine}.`;
    const expected = createTextScrubber(keyedIdentityOf(row, env().ANON_KEY))(text);

    // The first scrub builds the scrubber and drops the row; later ones (and a re-prepare) use the scrubber alone.
    expect(view.text(text, patient.id)).toBe(expected);
    await view.prepare([patient.id]);
    expect(view.text(text, patient.id)).toBe(expected);
    expect(view.text(text, patient.id)).not.toContain("Okonkwo");
    expect(() => view.scanSubjects()).toThrow(/does not keep/);
  });
});
