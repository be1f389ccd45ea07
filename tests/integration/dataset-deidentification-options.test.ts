// De-identification options (#22 part 5): ages in 5- or 10-year bands under either profile, the
// session ordinal of questionnaire tables, and the k-anonymity report with its refusing threshold.
import { beforeAll, describe, expect, it } from "vitest";

import { POST as startExportRoute } from "@/app/api/v1/datasets/exports/route";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { env } from "@/lib/env";
import { drainJobs } from "@/lib/jobs/runner";
import { updateSettings } from "@/lib/settings/settings";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";
import { createClinicalPatient, createOrganization, jobFile, parseCsv, type TClinicalPatient, unzipEntries } from "./dataset-helpers";

let patients: TClinicalPatient[] = [];

/** Female, ZIP 60201 (the helper's defaults): ages in the forties, apart in whole years and together in 10-year bands, and one 90+. */
const BIRTH_DATES = ["1983-06-15", "1984-06-15", "1977-06-15", "1931-06-15"];

beforeAll(async () => {
  const organization = await createOrganization();
  const practitioner = await prisma.practitioner.create({ data: { fhirId: "prac-options", givenName: "Lee", familyName: "Marsh", organizationId: organization.id, raw: {} } });
  patients = [];
  for (const [index, birthDate] of BIRTH_DATES.entries()) {
    patients.push(await createClinicalPatient({ organizationId: organization.id, practitionerId: practitioner.id, givenName: `Giv${"abcd"[index]}nia`, familyName: `Fam${"abcd"[index]}worth`, birthDate }));
  }
  // A second and third PHQ-9 for the first patient (the helper gave each patient one, three days ago).
  for (const [index, daysAgo] of [2, 1].entries()) {
    await prisma.questionnaireResponse.create({
      data: { fhirId: `qr-phq-later-${index}`, patientId: patients[0]!.id, questionnaire: "phq-9", status: "completed", authoredAt: new Date(Date.now() - daysAgo * 86_400_000), totalScore: 9 - index, severity: "mild", items: [{ linkId: "phq9-1", answer: [{ valueInteger: 1 }] }], raw: {} },
    });
  }
});

async function exportAndRead(input: Parameters<typeof createDatasetExport>[1]) {
  const { actor } = await createUser({ role: "ANALYST" });
  const started = await createDatasetExport(actor, input);
  await drainJobs();
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });

  return { job, entries: job.status === "COMPLETED" ? unzipEntries((await jobFile(job.id)).zip) : new Map<string, string>() };
}

const pseudonymOf = (patient: TClinicalPatient) => pseudonymize(env().ANON_KEY, "patient", patient.id);
const expectedAge = (birthDate: string) => {
  const now = new Date();
  const [year, month, day] = birthDate.split("-").map(Number) as [number, number, number];
  const age = now.getUTCFullYear() - year - (now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day) ? 1 : 0);
  return age >= 90 ? "90+" : age;
};
const band = (age: number | "90+", width: number) => (age === "90+" ? "90+" : `${Math.floor(age / width) * width}-${Math.min(Math.floor(age / width) * width + width - 1, 89)}`);

describe("age bands", () => {
  for (const [profile, width] of [["safe-harbor", 5], ["standard", 10]] as const) {
    it(`exports ages in ${width}-year bands under ${profile}, and the k-anonymity report says so`, async () => {
      const { job, entries } = await exportAndRead({ tier: "anon", datasets: ["patient_anon"], profile, age_band_years: width });
      expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
      const rows = parseCsv(entries.get("patient_anon.csv")!);
      for (const patient of patients) {
        expect(rows.find((row) => row.patient_id === pseudonymOf(patient))!.age, patient.birthDate!).toBe(band(expectedAge(patient.birthDate!), width));
      }
      const manifest = JSON.parse(entries.get("manifest.json")!);
      expect(manifest).toMatchObject({ profile, age_band_years: width });
      expect(manifest.k_anonymity.quasi_identifiers).toEqual([
        { column: "age", released_as: `${width}-year bands, 90 and over as 90+` },
        expect.objectContaining({ column: "gender" }),
        expect.objectContaining({ column: "zip3" }),
      ]);
      expect(manifest.k_anonymity).toMatchObject({ required_k: 0, outcome: "reported" });
      const audit = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "export_completed", exportJobId: job.id } });
      expect(audit.metadata).toMatchObject({ ageBandYears: width });
    });
  }

  it("exports whole years without the option, and refuses a bad width or a width for the identified tier, naming the field", async () => {
    const { job, entries } = await exportAndRead({ tier: "anon", datasets: ["patient_anon"] });
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
    const ages = parseCsv(entries.get("patient_anon.csv")!).map((row) => row.age);
    expect(ages).toContain(String(expectedAge(BIRTH_DATES[0]!)));
    expect(JSON.parse(entries.get("manifest.json")!)).toMatchObject({ age_band_years: null });
    expect(JSON.parse(entries.get("manifest.json")!).k_anonymity.quasi_identifiers[0].released_as).toMatch(/^whole years/);

    const { user } = await createUser({ role: "ANALYST" });
    const token = await tokenFor(user.id);
    const post = (body: unknown) => call(startExportRoute, { path: "/api/v1/datasets/exports", token, body });
    const seven = await post({ tier: "anon", attestation: true, datasets: ["patient_anon"], age_band_years: 7 });
    expect(seven.status).toBe(400);
    expect(seven.json.issues).toEqual([{ path: "age_band_years", message: "must be 5 or 10 (years per age band); leave it out for whole years" }]);
    const { user: admin } = await createUser({ role: "ADMIN" });
    const pii = await call(startExportRoute, { path: "/api/v1/datasets/exports", token: await tokenFor(admin.id), body: { tier: "pii", attestation: true, datasets: ["patient"], reason: "checking bands", age_band_years: 10 } });
    expect(pii.status).toBe(400);
    expect(pii.json.issues).toEqual([expect.objectContaining({ path: "age_band_years" })]);
  });
});

describe("session ordinal", () => {
  it("numbers each patient's responses to an instrument by time answered, also when `since` leaves the first out", async () => {
    const { job, entries } = await exportAndRead({ tier: "anon", datasets: ["qr_phq9_anon", "qr_registration_anon"] });
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
    const first = pseudonymOf(patients[0]!);
    const phq = parseCsv(entries.get("qr_phq9_anon.csv")!);
    expect(phq.filter((row) => row.patient_id === first).map((row) => [row.session_ordinal, row.total_score])).toEqual([["1", "12"], ["2", "9"], ["3", "8"]]);
    expect(phq.filter((row) => row.patient_id !== first).every((row) => row.session_ordinal === "1")).toBe(true);
    // Each instrument counts apart.
    expect(parseCsv(entries.get("qr_registration_anon.csv")!).every((row) => row.session_ordinal === "1")).toBe(true);

    const later = await exportAndRead({ tier: "anon", datasets: ["qr_phq9_anon"], since: new Date(Date.now() - 2.5 * 86_400_000).toISOString() });
    expect(later.job.status, later.job.errorMessage ?? "").toBe("COMPLETED");
    expect(parseCsv(later.entries.get("qr_phq9_anon.csv")!).map((row) => [row.patient_id === first, row.session_ordinal])).toEqual([[true, "2"], [true, "3"]]);
  });

  it("keeps counting the rows an incremental run leaves out: a changed second response is still the second", async () => {
    const changedSince = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await prisma.questionnaireResponse.update({ where: { fhirId: "qr-phq-later-0" }, data: { severity: "mild" } });
    expect(second.updatedAt.getTime()).toBeGreaterThan(changedSince.getTime());
    const { actor } = await createUser({ role: "ANALYST" });
    const started = await createDatasetExport(actor, { tier: "anon", datasets: ["qr_phq9_anon"] }, { incremental: { changedSince } });
    await drainJobs();
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
    const rows = parseCsv(unzipEntries((await jobFile(job.id)).zip).get("qr_phq9_anon.csv")!);
    expect(rows.map((row) => [row.patient_id === pseudonymOf(patients[0]!), row.session_ordinal, row.total_score])).toEqual([[true, "2", "9"]]);
  });
});

describe("k-anonymity threshold", () => {
  it("reports only by default; a minimum k refuses a release of patient_anon below it, and not one without it", async () => {
    const { user: admin } = await createUser({ role: "ADMIN" });
    // Four patients, four different ages: k = 1 in whole years.
    const reported = await exportAndRead({ tier: "anon", datasets: ["patient_anon"] });
    expect(reported.job.status).toBe("COMPLETED");
    expect(JSON.parse(reported.entries.get("manifest.json")!).k_anonymity).toMatchObject({ k: 1, required_k: 0, outcome: "reported" });

    await updateSettings({ k_anonymity_min_k: 2 }, admin.id);
    try {
      const refused = await exportAndRead({ tier: "anon", datasets: ["patient_anon", "encounters"] });
      expect(refused.job.status).toBe("FAILED");
      expect(refused.job.fileKey).toBeNull();
      expect(refused.job.errorMessage).toMatch(/^Refused: k-anonymity of patient_anon is 1, below the required 2 \(setting k_anonymity_min_k\) over age, gender, zip3/);
      const failed = await prisma.exportAuditLog.findFirstOrThrow({ where: { action: "export_failed", exportJobId: refused.job.id } });
      expect(JSON.stringify(failed.metadata)).toContain("k-anonymity");

      // 10-year bands put the three in their forties together, but the 90+ patient stands alone: still refused.
      expect((await exportAndRead({ tier: "anon", datasets: ["patient_anon"], age_band_years: 10 })).job.status).toBe("FAILED");
      // Tables without patient_anon's quasi-identifiers are not held back.
      expect((await exportAndRead({ tier: "anon", datasets: ["encounters"] })).job.status).toBe("COMPLETED");

      await updateSettings({ k_anonymity_min_k: 1 }, admin.id);
      const passed = await exportAndRead({ tier: "anon", datasets: ["patient_anon"] });
      expect(passed.job.status, passed.job.errorMessage ?? "").toBe("COMPLETED");
      expect(JSON.parse(passed.entries.get("manifest.json")!).k_anonymity).toMatchObject({ k: 1, required_k: 1, outcome: "passed" });
    } finally {
      await updateSettings({ k_anonymity_min_k: 0 }, admin.id);
    }
  });
});
