import { PassThrough, Readable } from "node:stream";

import * as archiverModule from "archiver";
import type { Archiver } from "archiver";
import { describe, expect, it } from "vitest";

import { isColumnPolicy } from "@/lib/anonymize/profiles";
import { createReleaseScanner, ReleaseScanError } from "@/lib/anonymize/release-scan";
import { csvLine } from "@/lib/csv/csv";
import { datasetArchiveName } from "@/lib/datasets/dataset-export-parameters";
import { ageBand } from "@/lib/anonymize/rules";
import { datasetsOfTier, listDatasets } from "@/lib/datasets/dataset-registry";
import { exportableColumns } from "@/lib/datasets/dataset-types";
import { kAnonymityReport } from "@/lib/datasets/k-anonymity";
import { answersByLinkId, IDENTIFYING_COLUMN_NAME, itemPolicy } from "@/lib/datasets/questionnaire-tables";
import { scanZip } from "@/lib/datasets/zip-scan";
import { getQuestionnaire, QUESTIONNAIRES } from "@/lib/fhir/questionnaire-catalog";

const { ZipArchive } = archiverModule as unknown as { ZipArchive: new (options?: { zlib?: { level?: number } }) => Archiver };

describe("dataset registry", () => {
  it("has the anon datasets the issue lists, one wide table per questionnaire, and the same tables in pii", () => {
    const anon = datasetsOfTier("anon").map((dataset) => dataset.name);
    expect(anon).toEqual(expect.arrayContaining(["patient_anon", "encounters", "practitioners", "organizations", "locations", "care_plans", "conditions", "observations"]));
    for (const questionnaire of QUESTIONNAIRES) expect(anon).toContain(`qr_${questionnaire.key.replace(/[^a-z0-9]/g, "")}_anon`);
    expect(datasetsOfTier("pii")).toHaveLength(anon.length);
    expect(datasetsOfTier("metrics").map((dataset) => dataset.name)).toEqual(["fct_metrics_long"]);
  });

  it("gives every column of every dataset a valid policy, with unique names", () => {
    for (const dataset of listDatasets()) {
      for (const column of dataset.columns) expect(isColumnPolicy(column.policy), `${dataset.name}.${column.name}`).toBe(true);
      const names = exportableColumns(dataset).map((column) => column.header);
      expect(new Set(names).size, dataset.name).toBe(names.length);
      expect(names.length).toBe(dataset.columns.length);
    }
  });

  it("never keeps an identifying-looking column of a patient-linked anon dataset", () => {
    const notPatients = new Set(["organizations", "locations"]);
    for (const dataset of datasetsOfTier("anon").filter((candidate) => !notPatients.has(candidate.name))) {
      for (const column of dataset.columns) {
        if (IDENTIFYING_COLUMN_NAME.test(column.name) || /(^|_)id$/.test(column.name)) {
          // qr_answers_long.link_id is the form's question id (the same in every response), not a record's.
          const allowed = column.name === "organization_id" || column.name === "location_id" || (dataset.name === "qr_answers_long" && column.name === "link_id");
          if (!allowed) expect(column.policy, `${dataset.name}.${column.name}`).not.toBe("keep");
        }
      }
    }
  });

  it("drops columns without a policy (fail closed)", () => {
    const columns = exportableColumns({
      tier: "anon",
      columns: [
        { name: "a", description: "", policy: "keep", value: () => 1 },
        { name: "b", description: "", value: () => 2 },
        { name: "c", description: "", policy: "nonsense", value: () => 3 },
      ],
    });
    expect(columns.map((column) => column.name)).toEqual(["a"]);
  });

  it("maps questionnaire items to columns and policies from the metadata", () => {
    const registration = getQuestionnaire("registration")!;
    const policy = (linkId: string) => itemPolicy(registration.items.find((item) => item.linkId === linkId)!);
    expect(policy("phone")).toBe("phone");
    expect(policy("email")).toBe("redact");
    expect(policy("reason-for-visit")).toBe("free_text");
    expect(policy("emergency-contact")).toBeUndefined();
    expect(itemPolicy({ linkId: "x", column: "mother_maiden_name", text: "", type: "integer" })).toBe("redact");
    expect(itemPolicy({ linkId: "x", column: "score", text: "", type: "integer", anonPolicy: "bogus" })).toBeUndefined();
    const phq = datasetsOfTier("anon").find((dataset) => dataset.name === "qr_phq9_anon")!;
    expect(phq.columns.map((column) => column.name)).toEqual(expect.arrayContaining(["little_interest", "self_harm_thoughts", "total_score", "severity"]));
    expect(phq.columns.filter((column) => column.name === "total_score")).toHaveLength(1);
  });

  it("reads answers nested at any depth", () => {
    const answers = answersByLinkId([
      { linkId: "a", answer: [{ valueInteger: 1 }, { valueInteger: 2 }] },
      { linkId: "g", item: [{ linkId: "b", answer: [{ valueCoding: { code: "3" }, item: [{ linkId: "c", answer: [{ valueBoolean: false }] }] }] }] },
    ]);
    expect(Object.fromEntries(answers)).toEqual({ a: [1, 2], b: ["3"], c: [false] });
    expect(answersByLinkId(null).size).toBe(0);
  });
});

describe("export helpers", () => {
  it("quotes CSV cells that need it", () => {
    expect(csvLine(["a", 'say "hi"', "x,y", "line\nbreak", " padded"])).toBe('a,"say ""hi""","x,y","line\nbreak"," padded"\r\n');
  });

  it("names archives careexport_<tier>_YYYYMMDD_HHMMSS.zip (UTC)", () => {
    expect(datasetArchiveName("anon", new Date("2026-11-23T09:05:07.123Z"))).toBe("careexport_anon_20261123_090507.zip");
  });

  it("reports k-anonymity over the released quasi-identifiers, and age bands", () => {
    expect(ageBand("41", 10)).toBe("40-49");
    expect(ageBand("44", 5)).toBe("40-44");
    expect(ageBand("45", 5)).toBe("45-49");
    expect(ageBand("0", 5)).toBe("0-4");
    expect(ageBand("89", 10)).toBe("80-89");
    expect(ageBand("90+", 5)).toBe("90+");
    expect(ageBand("", 10)).toBe("");
    const groups = new Map([["40-49|female|627XX", 12], ["90+|male|000XX", 2]]);
    const report = kAnonymityReport(groups, { ageBandYears: 10 });
    expect(report).toMatchObject({ k: 2, groups: 2, groups_below_threshold: 1, patients_in_small_groups: 2, small_groups: [{ age: "90+", gender: "male", zip3: "000XX", size: 2 }], required_k: 0, outcome: "reported" });
    expect(report.quasi_identifiers.map((identifier) => identifier.column)).toEqual(["age", "gender", "zip3"]);
    expect(report.quasi_identifiers[0]!.released_as).toMatch(/^10-year bands/);
    expect(kAnonymityReport(groups).quasi_identifiers[0]!.released_as).toMatch(/^whole years/);
    expect(kAnonymityReport(groups, { requiredK: 2 }).outcome).toBe("passed");
    expect(kAnonymityReport(groups, { requiredK: 3 }).outcome).toBe("refused");
  });
});

async function zipOf(files: { name: string; body: string }[]) {
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => sink.on("end", resolve));
  archive.pipe(sink);
  for (const file of files) archive.append(file.body, { name: file.name });
  await archive.finalize();
  await ended;

  return Buffer.concat(chunks);
}

describe("release scan over a ZIP", () => {
  const scanner = createReleaseScanner([{ row: { id: "cmzzpatient000001", givenName: "Ottoline", familyName: "Brackenridge", phone: "312-555-0187" }, pseudonym: "P-abc" }]);
  // Small chunks: entries and values straddle chunk boundaries.
  const opener = (zip: Buffer) => async () => Readable.from(Array.from({ length: Math.ceil(zip.length / 13) }, (_, index) => zip.subarray(index * 13, index * 13 + 13)));

  it("passes a clean archive and lists its entries", async () => {
    const zip = await zipOf([{ name: "a.csv", body: "x,y\n".repeat(2000) }, { name: "manifest.json", body: "{}" }]);
    expect(await scanZip(opener(zip), scanner, "careexport_anon.zip")).toEqual(["a.csv", "manifest.json"]);
  });

  it("tells how far it has read, and stops when told to", async () => {
    const body = Array.from({ length: 4000 }, (_, index) => `${index},${(index * 7919) % 10007}\n`).join("");
    const zip = await zipOf([{ name: "a.csv", body }]);
    const fractions: number[] = [];
    await scanZip(opener(zip), scanner, "careexport_anon.zip", (fraction) => void fractions.push(fraction));
    expect(fractions.length).toBeGreaterThan(100);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)!).toBeGreaterThan(0.95);
    expect(fractions.every((fraction, index) => fraction <= 1 && (index === 0 || fraction >= fractions[index - 1]!))).toBe(true);

    let calls = 0;
    const stop = async () => {
      if (++calls === 10) throw new Error("cancelled");
    };
    await expect(scanZip(opener(zip), scanner, "careexport_anon.zip", stop)).rejects.toThrow("cancelled");
    expect(calls).toBe(10);
  });

  it("finds a value inside compressed content", async () => {
    const zip = await zipOf([{ name: "a.csv", body: `${"x,y\n".repeat(5000)}1,call 312 555 0187\n` }]);
    await expect(scanZip(opener(zip), scanner, "careexport_anon.zip")).rejects.toThrow(ReleaseScanError);
    await expect(scanZip(opener(zip), scanner, "careexport_anon.zip")).rejects.toThrow(/phone number of patient P-abc/);
  });

  it("finds a value in an entry name", async () => {
    const zip = await zipOf([{ name: "brackenridge.csv", body: "x" }]);
    await expect(scanZip(opener(zip), scanner, "careexport_anon.zip")).rejects.toThrow(/name of patient P-abc/);
  });

  it("refuses what is not a ZIP", async () => {
    await expect(scanZip(async () => Readable.from([Buffer.from("not a zip")]), scanner, "x.zip")).rejects.toThrow(/cannot be verified/);
  });
});
