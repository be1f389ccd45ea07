// The adversarial corpus through the real dataset export (issue #16): synthetic patients whose
// identifiers are written at least 8 ways in every free-text field an export carries (and in the
// stored notes it does not carry), exported de-identified in both profiles, and the ZIP searched by
// the tests' own checker (leak-checker.ts, independent of the scrubber and the release scan).
import { beforeAll, describe, expect, it } from "vitest";

import type { Prisma } from "@/generated/prisma/client";
import { CORPUS_CLASSES, CORPUS_PATIENTS, PLANTED_SENTENCE, plantedText } from "@/lib/anonymize/testing/adversarial-corpus";
import { findLeaks, wordsForm } from "@/lib/anonymize/testing/leak-checker";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { datasetsOfTier } from "@/lib/datasets/dataset-registry";
import { itemPolicy } from "@/lib/datasets/questionnaire-tables";
import { QUESTIONNAIRES } from "@/lib/fhir/questionnaire-catalog";
import { drainJobs } from "@/lib/jobs/runner";

import { createUser } from "../setup/fixtures";
import { jobFile, unzipEntries } from "./dataset-helpers";

/** Free-text columns of the anon datasets: where the scrubber (not a column policy) decides what leaves. */
const SCRUBBED_POLICIES = new Set(["free_text", "coded_answer"]);
const scrubbedFields = datasetsOfTier("anon").flatMap((dataset) => dataset.columns.filter((column) => SCRUBBED_POLICIES.has(String(column.policy))).map((column) => `${dataset.name}.${column.name}`));
/**
 * qr_answers_long carries every written answer again (value_text, scrubbed by its item_answer policy): one more
 * scrubbed field per catalogued item whose answers are scrubbed, including a written total score, which the wide
 * table leaves out (it keeps only a number there).
 */
const repeatedInLongTable = QUESTIONNAIRES.flatMap((questionnaire) => questionnaire.items).filter((item) => item.type !== "group" && SCRUBBED_POLICIES.has(String(itemPolicy(item)))).length;

beforeAll(async () => {
  const organization = await prisma.organization.create({ data: { fhirId: "corpus-org", name: "Corpus Clinic", city: "Chicago", state: "IL", postalCode: "60601", raw: {} } });
  const practitioner = await prisma.practitioner.create({ data: { fhirId: "corpus-prac", givenName: "Dana", familyName: "Whitfield", organizationId: organization.id, raw: {} } });
  for (const [index, corpus] of CORPUS_PATIENTS.entries()) {
    const text = (field: string) => plantedText(corpus, field);
    const patient = await prisma.patient.create({ data: { ...corpus.columns, gender: "female", organizationId: organization.id, generalPractitionerId: practitioner.id, raw: corpus.resource as Prisma.InputJsonObject } });
    const encounter = await prisma.encounter.create({
      data: { fhirId: `corpus-enc-${index}`, patientId: patient.id, practitionerId: practitioner.id, organizationId: organization.id, status: "finished", startAt: new Date("2026-10-05T15:00:00Z"), reasonText: text("reason"), raw: {} },
    });
    await prisma.sessionNote.create({
      data: { fhirId: `corpus-note-${index}`, patientId: patient.id, encounterId: encounter.id, status: "final", noteDate: new Date("2026-10-05T16:00:00Z"), subjective: text("subjective"), objective: text("objective"), assessment: text("assessment"), plan: text("plan"), transcript: text("transcript"), aiNotes: text("ai"), raw: {} },
    });
    await prisma.condition.create({ data: { fhirId: `corpus-cond-${index}`, patientId: patient.id, icd10Code: "F41.1", display: "Generalized anxiety disorder", raw: { note: [{ text: text("condition") }] } } });
    await prisma.observation.create({ data: { fhirId: `corpus-obs-${index}`, patientId: patient.id, encounterId: encounter.id, code: "72166-2", display: "Tobacco smoking status", valueString: text("observation"), status: "final", effectiveAt: new Date("2026-10-05T15:30:00Z"), raw: {} } });
    await prisma.carePlan.create({ data: { fhirId: `corpus-cp-${index}`, patientId: patient.id, title: text("title"), category: "housing", status: "active", description: text("description"), startDate: "2026-09-10", raw: {} } });
    for (const questionnaire of QUESTIONNAIRES) {
      // Every item of every instrument answered in writing: free-text items, and the "other, please say" of coded ones.
      const items = questionnaire.items.filter((item) => item.type !== "group").map((item) => ({ linkId: item.linkId, answer: [{ valueString: text(item.column) }] }));
      await prisma.questionnaireResponse.create({
        data: { fhirId: `corpus-qr-${questionnaire.key}-${index}`, patientId: patient.id, encounterId: encounter.id, practitionerId: practitioner.id, questionnaire: questionnaire.key, status: "completed", authoredAt: new Date("2026-10-05T15:10:00Z"), items, raw: {} },
      });
    }
  }
}, 120_000);

describe("the adversarial corpus through the real anon export", () => {
  it.each(["safe-harbor", "standard"] as const)("leaves no planted identifier in any file (%s)", async (profile) => {
    const { actor } = await createUser({ role: "ANALYST" });
    const started = await createDatasetExport(actor, { tier: "anon", profile });
    await drainJobs();
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
    const entries = unzipEntries((await jobFile(job.id)).zip);
    const everything = [...entries.values()].join("\n");
    // The export holds every scrubbed field of every corpus patient (the corpus reached the files).
    expect(scrubbedFields.length).toBeGreaterThan(20);
    expect(everything.split("[REDACTED]").length - 1).toBeGreaterThan(CORPUS_PATIENTS.length * scrubbedFields.length * 100);

    const leaks = CORPUS_PATIENTS.flatMap((patient) => findLeaks(patient.targets, everything).map((target) => `${target.kind} of ${target.owner}: ${target.words ?? target.digits}`));
    expect(leaks).toEqual([]);

    // Recall per identifier class: every planted sentence that reached a file through a scrubbed
    // column, and whether what is left of it still holds the form planted there (of any corpus patient).
    const recall = new Map<string, { planted: number; found: number }>(CORPUS_CLASSES.map((kind) => [kind, { planted: 0, found: 0 }]));
    for (const [, classIndex, formIndex, left] of everything.matchAll(PLANTED_SENTENCE)) {
      const kind = CORPUS_CLASSES[Number(classIndex)]!;
      const remainder = wordsForm(left!);
      const isFound = CORPUS_PATIENTS.every((patient) => !remainder.includes(wordsForm(patient.forms[kind]![Number(formIndex)]!)));
      const entry = recall.get(kind)!;
      entry.planted++;
      if (isFound) entry.found++;
    }
    const table = [...recall].map(([kind, { planted, found }]) => ({ class: kind, forms: Math.min(...CORPUS_PATIENTS.map((patient) => patient.forms[kind]!.length)), planted, found, recall: `${((100 * found) / planted).toFixed(1)}%` }));
    console.log(`adversarial corpus, ${profile}: ${CORPUS_PATIENTS.length} patients, ${scrubbedFields.length} scrubbed fields each`);
    console.table(table);
    for (const row of table) {
      expect(row.forms, row.class).toBeGreaterThanOrEqual(8);
      // Every planted sentence reached the files: scrubbed, not dropped.
      expect(row.planted, row.class).toBe(CORPUS_PATIENTS.reduce((sum, patient) => sum + patient.forms[row.class]!.length, 0) * (scrubbedFields.length + repeatedInLongTable));
    }
  }, 300_000);
});
