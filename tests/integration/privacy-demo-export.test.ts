// The demo programme's de-identified export against its own patients' addresses (issue #16: the
// second address line and the joined address leaked through the scrubber and the scan), and the
// release scan as a second line of defence: with the scrubber bypassed for one column, it refuses.
import { beforeAll, describe, expect, it, vi } from "vitest";

import { addressLineTargets, findLeaks } from "@/lib/anonymize/testing/leak-checker";
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { seedDemo } from "@/lib/demo/seed-demo";
import { env } from "@/lib/env";
import { drainJobs } from "@/lib/jobs/runner";

import { createUser } from "../setup/fixtures";
import { jobFile, unzipEntries } from "./dataset-helpers";

/** One dataset column whose policy the next export replaces with "keep": its scrubber bypassed. */
const bypass = vi.hoisted(() => ({ dataset: "", column: "" }));
vi.mock("@/lib/warehouse/warehouse-datasets", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/warehouse/warehouse-datasets")>();
  return {
    ...actual,
    findDatasetWithWarehouses: async (...args: Parameters<typeof actual.findDatasetWithWarehouses>) => {
      const dataset = await actual.findDatasetWithWarehouses(...args);
      if (!dataset || dataset.name !== bypass.dataset) return dataset;
      return { ...dataset, columns: dataset.columns.map((column) => (column.name === bypass.column ? { ...column, policy: "keep" as const } : column)) };
    },
  };
});

beforeAll(async () => {
  await seedDemo();
}, 300_000);

async function runExport(input: Parameters<typeof createDatasetExport>[1]) {
  const { actor } = await createUser({ role: "ANALYST" });
  const started = await createDatasetExport(actor, input);
  await drainJobs();

  return prisma.exportJob.findUniqueOrThrow({ where: { id: started.job_id } });
}

describe("the demo programme's anon export", () => {
  it.each(["safe-harbor", "standard"] as const)("holds no address line of any demo patient (%s)", async (profile) => {
    const job = await runExport({ tier: "anon", profile });
    expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
    const entries = unzipEntries((await jobFile(job.id)).zip);
    const patients = await prisma.patient.findMany({ select: { id: true, raw: true } });
    const withTwoParts = patients.filter((patient) => JSON.stringify(patient.raw).includes(", Apt"));
    // The demo has the multi-part addresses the issue found leaking.
    expect(withTwoParts.length).toBeGreaterThan(50);
    const targets = patients.flatMap((patient) => addressLineTargets(patient.raw as { address?: { line?: string[] }[] }, pseudonymize(env().ANON_KEY, "patient", patient.id)));
    const leaks = [...entries].flatMap(([file, text]) => findLeaks(targets, text).map((target) => `${file}: ${target.kind} of ${target.owner}`));
    expect(leaks).toEqual([]);
  }, 300_000);

  it("is refused by the release scan when a free-text column's scrubber is bypassed", async () => {
    bypass.dataset = "qr_registration_anon";
    bypass.column = "reason_for_visit";
    try {
      const job = await runExport({ tier: "anon", datasets: ["qr_registration_anon"] });
      expect(job.status).toBe("FAILED");
      expect(job.fileKey).toBeNull();
      expect(job.errorMessage).toMatch(/^Release scan refused the file: qr_registration_anon\.csv contains a (street address|phone number|name) of patient P-/);
    } finally {
      bypass.dataset = "";
      bypass.column = "";
    }
  }, 300_000);
});
