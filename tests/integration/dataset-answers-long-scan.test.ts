// The release scan covers qr_answers_long: with the scrubber bypassed for its written answers, an
// identifier planted in a text answer of a questionnaire the catalog does not know is found and the
// release refused (the scan reads every byte of every CSV; this proves it for the long table).
import { beforeAll, describe, expect, it, vi } from "vitest";

import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { env } from "@/lib/env";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import { drainJobs } from "@/lib/jobs/runner";

import { createUser } from "../setup/fixtures";
import { jobFile, parseCsv, unzipEntries } from "./dataset-helpers";

/** Whether the next export's qr_answers_long.value_text is kept as written (its scrubber bypassed). */
const bypass = vi.hoisted(() => ({ on: false }));
vi.mock("@/lib/warehouse/warehouse-datasets", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/warehouse/warehouse-datasets")>();
  return {
    ...actual,
    findDatasetWithWarehouses: async (...args: Parameters<typeof actual.findDatasetWithWarehouses>) => {
      const dataset = await actual.findDatasetWithWarehouses(...args);
      if (!bypass.on || !dataset || dataset.name !== "qr_answers_long") return dataset;
      return { ...dataset, columns: dataset.columns.map((column) => (column.name === "value_text" ? { ...column, policy: "keep" as const } : column)) };
    },
  };
});

let patientId = "";

beforeAll(async () => {
  const bundle = {
    resourceType: "Bundle",
    type: "collection",
    entry: [
      { resource: { resourceType: "Patient", id: "scan-pat", name: [{ family: "Thistlewood", given: ["Aurelio"] }], birthDate: "1970-03-09", telecom: [{ system: "phone", value: "413-555-0199" }] } },
      {
        resource: {
          resourceType: "QuestionnaireResponse",
          id: "scan-qr",
          questionnaire: "https://screening.example.org/fhir/Questionnaire/oral-cancer-screening",
          status: "completed",
          subject: { reference: "Patient/scan-pat" },
          authored: "2026-05-05T10:00:00Z",
          item: [{ linkId: "notes", text: "Screener notes", answer: [{ valueString: "Aurelio Thistlewood asked for a call back" }] }],
        },
      },
    ],
  };
  await importFhir(JSON.stringify(bundle), { actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
  patientId = (await prisma.patient.findUniqueOrThrow({ where: { fhirId: "scan-pat" } })).id;
});

async function runExport() {
  const { actor } = await createUser({ role: "ANALYST" });
  const started = await createDatasetExport(actor, { tier: "anon", datasets: ["qr_answers_long"] });
  await drainJobs();

  return prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
}

describe("the release scan over qr_answers_long", () => {
  it("passes the scrubbed text answer of an unknown questionnaire, and refuses it when the scrubber is bypassed", async () => {
    const clean = await runExport();
    expect(clean.status, clean.errorMessage ?? "").toBe("COMPLETED");
    const rows = parseCsv(unzipEntries((await jobFile(clean.id)).zip).get("qr_answers_long.csv")!);
    expect(rows.find((row) => row.link_id === "notes")!.value_text).toBe("[REDACTED] asked for a call back");

    bypass.on = true;
    try {
      const refused = await runExport();
      expect(refused.status).toBe("FAILED");
      expect(refused.fileKey).toBeNull();
      expect(refused.errorMessage).toContain(pseudonymize(env().ANON_KEY, "patient", patientId));
      expect(refused.errorMessage).not.toContain("Thistlewood");
    } finally {
      bypass.on = false;
    }
  });
});
