// qr_answers_long (every answer of every response, also of instruments and items the catalog does
// not know), observation code systems and address districts, imported through the real FHIR path
// and exported through the real job, on SQLite and PostgreSQL.
import { beforeAll, describe, expect, it } from "vitest";

import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { env } from "@/lib/env";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import { drainJobs } from "@/lib/jobs/runner";

import { createUser } from "../setup/fixtures";
import { jobFile, parseCsv, unzipEntries } from "./dataset-helpers";

const ORAL = "https://screening.example.org/fhir/Questionnaire/oral-cancer-screening|2.1";
const SNOMED = "http://snomed.info/sct";

function bundle() {
  const reference = (id: string) => ({ reference: id });
  return {
    resourceType: "Bundle",
    type: "collection",
    entry: [
      {
        resource: {
          resourceType: "Patient",
          id: "long-pat-1",
          name: [{ family: "Quennell", given: ["Marisol"] }],
          birthDate: "1961-07-14",
          gender: "female",
          telecom: [{ system: "phone", value: "217-555-0148", use: "home" }],
          address: [
            { use: "old", line: ["9 Old Road"], city: "Urbana", district: "Champaign County", state: "IL", postalCode: "61801" },
            { use: "home", line: ["44 Larkspur Lane"], city: "Peoria", district: "Peoria County", state: "IL", postalCode: "61602" },
          ],
        },
      },
      {
        resource: {
          resourceType: "Observation",
          id: "long-obs-1",
          status: "final",
          code: { coding: [{ system: SNOMED, code: "363358000", display: "Malignant tumor of oral cavity screening finding" }] },
          subject: reference("Patient/long-pat-1"),
          effectiveDateTime: "2026-03-02T10:00:00Z",
          valueString: "no lesion seen",
        },
      },
      ...["2025-04-01T09:00:00Z", "2026-03-02T09:30:00Z"].map((authored, index) => ({
        resource: {
          resourceType: "QuestionnaireResponse",
          id: `long-qr-oral-${index + 1}`,
          questionnaire: ORAL,
          status: "completed",
          subject: reference("Patient/long-pat-1"),
          authored,
          item: [
            {
              linkId: "history",
              text: "History",
              item: [
                { linkId: "tobacco", text: "Tobacco use", answer: [{ valueCoding: { system: SNOMED, code: "77176002", display: "Smoker" } }] },
                { linkId: "tobacco-years", text: "Years of tobacco use", answer: [{ valueInteger: 20 + index }] },
                { linkId: "habits", text: "Habits (all that apply)", answer: [{ valueCoding: { system: SNOMED, code: "228494002", display: "Betel quid chewing" } }, { valueCoding: { display: "other: pan masala" } }] },
              ],
            },
            { linkId: "lesion-seen", text: "Lesion seen", answer: [{ valueBoolean: index === 1 }] },
            { linkId: "lesion-size", text: "Lesion size", answer: [{ valueQuantity: { value: 4.5, unit: "mm", system: "http://unitsofmeasure.org", code: "mm" } }] },
            { linkId: "first-noticed", text: "When first noticed", answer: [{ valueDate: "2025-02-10" }] },
            { linkId: "notes", text: "Screener notes", answer: [{ valueString: "Marisol Quennell reports soreness; call 217-555-0148" }] },
            { linkId: "contact-phone", text: "Best phone to reach you", answer: [{ valueString: "call the neighbour" }] },
            { linkId: "referral", text: "Referred to", answer: [{ valueReference: { reference: "Practitioner/x", display: "Dr. Someone" } }] },
          ],
        },
      })),
      {
        resource: {
          resourceType: "QuestionnaireResponse",
          id: "long-qr-phq",
          questionnaire: "https://careexport.example/fhir/Questionnaire/phq-9",
          status: "completed",
          subject: reference("Patient/long-pat-1"),
          authored: "2026-03-02T09:00:00Z",
          item: [
            { linkId: "phq9-1", answer: [{ valueInteger: 2 }] },
            { linkId: "phq9-local-extra", text: "Anything else?", answer: [{ valueString: "sleeping badly" }] },
          ],
        },
      },
    ],
  };
}

let patientId = "";

beforeAll(async () => {
  await importFhir(JSON.stringify(bundle()), { actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
  patientId = (await prisma.patient.findUniqueOrThrow({ where: { fhirId: "long-pat-1" } })).id;
});

async function exportAndRead(input: Parameters<typeof createDatasetExport>[1], role: "ANALYST" | "ADMIN" = "ANALYST") {
  const { actor } = await createUser({ role });
  const started = await createDatasetExport(actor, input);
  await drainJobs();
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });

  return { job, entries: job.status === "COMPLETED" ? unzipEntries((await jobFile(job.id)).zip) : new Map<string, string>() };
}

describe("qr_answers_long", () => {
  it("holds every answer of an unknown instrument, nested items with their path, each value masked per its item (anon tier)", async () => {
    const { job, entries } = await exportAndRead({ tier: "anon", datasets: ["qr_answers_long", "qr_phq9_anon"] });
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
    const rows = parseCsv(entries.get("qr_answers_long.csv")!);
    const pseudonym = pseudonymize(env().ANON_KEY, "patient", patientId);
    const oral = rows.filter((row) => row.patient_id === pseudonym && row.questionnaire === "oral-cancer-screening");
    // 2 responses x 10 answers (the group has none of its own: its items carry its path).
    expect(oral).toHaveLength(20);
    expect(new Set(oral.map((row) => row.questionnaire_canonical))).toEqual(new Set([ORAL]));
    expect(oral.every((row) => row.has_wide_table === "false" && row.in_catalog === "false")).toBe(true);
    const second = oral.filter((row) => row.session_ordinal === "2");
    expect(second).toHaveLength(10);
    expect(second.every((row) => row.authored_date === "2026")).toBe(true);
    const find = (linkId: string, index = "1") => second.find((row) => row.link_id === linkId && row.answer_index === index)!;
    expect(find("tobacco")).toMatchObject({ item_path: "history/tobacco", item_text: "Tobacco use", answer_type: "coding", value_system: SNOMED, value_code: "77176002", value_display: "Smoker" });
    expect(find("tobacco-years")).toMatchObject({ item_path: "history/tobacco-years", answer_type: "integer", value_number: "21" });
    expect(find("habits", "2")).toMatchObject({ answer_type: "coding", value_code: "", value_text: "other: pan masala" });
    expect(find("lesion-seen")).toMatchObject({ answer_type: "boolean", value_boolean: "true" });
    expect(find("lesion-size")).toMatchObject({ answer_type: "quantity", value_number: "4.5", value_unit: "mm" });
    expect(find("first-noticed")).toMatchObject({ answer_type: "date", value_date: "2025" });
    // Written text is scrubbed of the patient's name and phone; an item that asks for a phone is redacted whole.
    expect(find("notes").value_text).toBe("[REDACTED] reports soreness; call [REDACTED]");
    expect(find("contact-phone")).toMatchObject({ value_text: "REDACTED", item_text: "REDACTED" });
    expect(find("referral")).toMatchObject({ answer_type: "reference", value_text: "REDACTED" });

    // An item of a known instrument that the catalog does not list: in the long table, not in the wide one.
    const phq = rows.filter((row) => row.patient_id === pseudonym && row.questionnaire === "phq-9");
    expect(phq.map((row) => [row.link_id, row.in_catalog, row.has_wide_table])).toEqual([
      ["phq9-1", "true", "true"],
      ["phq9-local-extra", "false", "true"],
    ]);
    expect(phq[0]).toMatchObject({ item_text: "Little interest or pleasure in doing things", value_number: "2", session_ordinal: "1" });
    expect(phq[1]).toMatchObject({ item_text: "Anything else?", value_text: "sleeping badly" });
    const wide = parseCsv(entries.get("qr_phq9_anon.csv")!).find((row) => row.patient_id === pseudonym)!;
    expect(Object.values(wide)).not.toContain("sleeping badly");
    expect(wide.session_ordinal).toBe("1");

    const text = entries.get("qr_answers_long.csv")!.toLowerCase();
    for (const identifier of ["quennell", "marisol", "217-555-0148", "2175550148", "dr. someone", patientId.toLowerCase()]) expect(text).not.toContain(identifier);
  });

  it("shows every answer identified in the pii tier, and `since` keeps the ordinal of earlier sessions", async () => {
    const { job, entries } = await exportAndRead({ tier: "pii", datasets: ["qr_answers_long"], reason: "programme audit of the oral screening form" }, "ADMIN");
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
    const rows = parseCsv(entries.get("qr_answers_long.csv")!).filter((row) => row.patient_id === patientId && row.questionnaire === "oral-cancer-screening");
    expect(rows).toHaveLength(20);
    const notes = rows.find((row) => row.link_id === "notes" && row.session_ordinal === "1")!;
    expect(notes).toMatchObject({ value_text: "Marisol Quennell reports soreness; call 217-555-0148", item_text: "Screener notes", authored_at: "2025-04-01T09:00:00.000Z" });
    expect(rows.find((row) => row.link_id === "first-noticed")!.value_date).toBe("2025-02-10");

    const later = await exportAndRead({ tier: "anon", datasets: ["qr_answers_long"], since: "2026-01-01T00:00:00Z" });
    expect(later.job.status, later.job.errorMessage ?? "").toBe("COMPLETED");
    const oral = parseCsv(later.entries.get("qr_answers_long.csv")!).filter((row) => row.questionnaire === "oral-cancer-screening");
    expect(oral).toHaveLength(10);
    expect(new Set(oral.map((row) => row.session_ordinal))).toEqual(new Set(["2"]));
  });

  it("fails the release when an identifier reaches a kept cell of an unknown questionnaire's answers", async () => {
    const planted = await prisma.questionnaireResponse.create({
      data: {
        fhirId: "long-qr-planted",
        patientId,
        questionnaire: "oral-cancer-screening",
        questionnaireUrl: ORAL,
        status: "completed",
        authoredAt: new Date("2026-04-01T09:00:00Z"),
        // A picked answer is kept as picked: a display that names the patient gets through the scrubber's rules.
        items: [{ linkId: "tobacco", text: "Tobacco use", answer: [{ valueCoding: { system: SNOMED, code: "77176002", display: "Smoker (per Quennell)" } }] }],
        raw: {},
      },
    });
    try {
      const { job } = await exportAndRead({ tier: "anon", datasets: ["qr_answers_long"] });
      expect(job.status).toBe("FAILED");
      expect(job.fileKey).toBeNull();
      expect(job.errorMessage).toContain(pseudonymize(env().ANON_KEY, "patient", patientId));
      expect(job.errorMessage).not.toContain("Quennell");
    } finally {
      await prisma.questionnaireResponse.delete({ where: { id: planted.id } });
    }
  });
});

describe("observation codes and address districts", () => {
  it("keeps the observation's code system, and the district in the pii tier only", async () => {
    const anon = await exportAndRead({ tier: "anon", datasets: ["observations", "patient_anon"] });
    expect(anon.job.status, anon.job.errorMessage ?? "").toBe("COMPLETED");
    const pseudonym = pseudonymize(env().ANON_KEY, "patient", patientId);
    const observation = parseCsv(anon.entries.get("observations.csv")!).find((row) => row.patient_id === pseudonym)!;
    expect(observation).toMatchObject({ code_system: SNOMED, code: "363358000", display: "Malignant tumor of oral cavity screening finding" });
    const patient = parseCsv(anon.entries.get("patient_anon.csv")!).find((row) => row.patient_id === pseudonym)!;
    expect(patient).toMatchObject({ city: "REDACTED", district: "REDACTED" });

    const pii = await exportAndRead({ tier: "pii", datasets: ["patient"], reason: "district check for the screening programme" }, "ADMIN");
    expect(pii.job.status, pii.job.errorMessage ?? "").toBe("COMPLETED");
    // The district of the home address, the one the city came from (not the old one).
    expect(parseCsv(pii.entries.get("patient.csv")!).find((row) => row.patient_id === patientId)).toMatchObject({ city: "Peoria", district: "Peoria County" });
  });
});
