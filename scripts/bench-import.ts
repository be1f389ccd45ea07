// npm run bench:import -- [--db sqlite|pg] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]
//   [--patients 10000] [--old-ref ea00f49] [--no-old] [--old-reimport] [--order new-first|old-first]
// Times the FHIR import (importFhir: parse, validate, plan, write, audit, all in one transaction)
// of one NDJSON file of 10,000 patients, 100,000 encounters and 50,000 PHQ-9 responses (plus an
// organization and a practitioner: 160,002 resources), into an empty scratch database, and prints
// resources per second. Beside it, in the same run and into a second empty database, the import
// as it was at --old-ref (default ea00f49, before the batched writes): its lib/fhir/import files are
// taken from git into a temporary folder and run against this tree's other modules.
// Then a re-import of the same patients with every encounter and response changed (updates); with
// --old-reimport the reference does it too (for a recent --old-ref; the default one takes many minutes).
// A benchmark, not a test: record the figures in BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import pg from "pg";

import { flushHeadAnchor } from "@/lib/audit/head-anchor";
import { disconnectPrisma } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";
import { syntheticImportLines } from "@/lib/fhir/import/testing/synthetic-import";

function flag(name: string, fallback: string) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

const DB = flag("db", "sqlite");
const PATIENTS = Number(flag("patients", "10000"));
const OLD_REF = flag("old-ref", "ea00f49");
const WITH_OLD = !process.argv.includes("--no-old");
const OLD_FIRST = flag("order", "new-first") === "old-first";
const OLD_REIMPORT = process.argv.includes("--old-reimport");
const ROOT = path.resolve(import.meta.dirname, "..");
const OLD_DIR = path.join(ROOT, "node_modules", ".cache", `careexport-bench-import-${process.pid}`);

/** Head-anchor flushes of the reference's module instances (see importAt). */
const extraFlushes: (() => Promise<void>)[] = [];

type TImport = (input: string, options: { format: "ndjson"; actorLabel: string; source: { kind: "file"; label: string } }) => Promise<{ total: number; counts: Record<string, { created: number; updated: number; unchanged: number } | undefined> }>;

/**
 * The import at `ref`: its folder from git, its own imports pointed at each other, the rest at this
 * tree. Written under node_modules/.cache so that its package imports resolve (and git ignores it).
 */
async function importAt(ref: string): Promise<TImport> {
  const folder = path.join(OLD_DIR, ref);
  mkdirSync(folder, { recursive: true });
  const files = execFileSync("git", ["ls-tree", "--name-only", `${ref}:lib/fhir/import`], { cwd: ROOT, encoding: "utf8" }).split("\n").filter((name) => name.endsWith(".ts"));
  for (const file of files) {
    const source = execFileSync("git", ["show", `${ref}:lib/fhir/import/${file}`], { cwd: ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    // tsx applies tsconfig paths outside node_modules only: `@/` becomes this tree's absolute path.
    writeFileSync(path.join(folder, file), source.replaceAll('"@/lib/fhir/import/', '"./').replaceAll('"@/', `"${ROOT}/`));
  }

  // Imported from under node_modules, its `@/` imports (absolute paths) load this tree's modules a
  // second time, with their own env cache and head-anchor timer: flush that one too after the run,
  // or it fires later and puts a client on this run's database in place of the next run's (seen with
  // --order old-first on PostgreSQL). Imported the same way, so it is that second instance.
  writeFileSync(path.join(folder, "bench-flush.ts"), `export { flushHeadAnchor } from "${ROOT}/lib/audit/head-anchor";\n`);
  const headAnchor = (await import(pathToFileURL(path.join(folder, "bench-flush.ts")).href)) as { flushHeadAnchor: () => Promise<void> };
  extraFlushes.push(headAnchor.flushHeadAnchor);

  return (await import(pathToFileURL(path.join(folder, "import-fhir.ts")).href)).importFhir as TImport;
}

/** An empty, migrated scratch database; `drop` removes it. */
async function scratchDatabase(dir: string, label: string) {
  if (DB !== "pg") {
    const url = `file:${path.join(dir, `${label}.db`)}`;
    return { url, drop: async () => undefined };
  }
  const base = flag("pg-url", "postgresql://postgres@127.0.0.1:5432/postgres");
  const name = `careexport_bench_import_${label}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);

  return {
    url: base.replace(/\/[^/]*$/, `/${name}`),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-bench-import-"));
  const file = syntheticImportLines({ patients: PATIENTS }).join("\n");
  const changed = syntheticImportLines({ patients: PATIENTS, version: 2 }).join("\n");
  const total = file.split("\n").length;
  console.log(
    `bench:import — ${DB === "pg" ? "PostgreSQL" : "SQLite"}, one NDJSON file of ${total.toLocaleString("en-US")} resources (${PATIENTS.toLocaleString("en-US")} patients, ${(PATIENTS * 10).toLocaleString("en-US")} encounters, ${(PATIENTS * 5).toLocaleString("en-US")} PHQ-9), ${(file.length / 1024 / 1024).toFixed(0)} MB; node ${process.version}, ${availableParallelism()} cores, load average ${loadavg().map((n) => n.toFixed(2)).join(" ")}`,
  );

  const { importFhir } = await import("@/lib/fhir/import/import-fhir");
  const runs: { label: string; load: () => Promise<TImport>; reimport: boolean }[] = [{ label: "batched writes (now)", load: async () => importFhir as unknown as TImport, reimport: true }];
  if (WITH_OLD) runs.push({ label: `as at ${OLD_REF} (before, reference)`, load: () => importAt(OLD_REF), reimport: OLD_REIMPORT });
  if (OLD_FIRST) runs.reverse();

  try {
    for (const [index, run] of runs.entries()) {
      const database = await scratchDatabase(dir, `run${index}`);
      Object.assign(process.env, { DATABASE_URL: database.url, DATA_DIR: path.join(dir, `data${index}`), JOB_RUNNER: "off", AUDIT_KEY: "bench-audit-key-0123456789abcdef" });
      resetEnvCache();
      try {
        await migrateDatabase(database.url);
        const load = await run.load();
        const t0 = performance.now();
        const result = await load(file, { format: "ndjson", actorLabel: "bench", source: { kind: "file", label: "bench.ndjson" } });
        const seconds = (performance.now() - t0) / 1000;
        console.log(`${run.label.padEnd(36)} ${result.total.toLocaleString("en-US")} resources in ${seconds.toFixed(1)} s = ${Math.round(result.total / seconds).toLocaleString("en-US")} resources/s (load average ${loadavg()[0]!.toFixed(2)})`);
        if (run.reimport) {
          const t1 = performance.now();
          const again = await load(changed, { format: "ndjson", actorLabel: "bench", source: { kind: "file", label: "bench.ndjson" } });
          const reSeconds = (performance.now() - t1) / 1000;
          const updated = Object.values(again.counts).reduce((sum, count) => sum + (count?.updated ?? 0), 0);
          console.log(`${"  re-import, changed resources".padEnd(36)} ${again.total.toLocaleString("en-US")} resources (${updated.toLocaleString("en-US")} updated) in ${reSeconds.toFixed(1)} s = ${Math.round(again.total / reSeconds).toLocaleString("en-US")} resources/s`);
        }
      } finally {
        // The audit head anchor of the import's record is written within a second; write it now, while the database is there.
        await flushHeadAnchor().catch(() => undefined);
        for (const flush of extraFlushes) await flush().catch(() => undefined);
        await disconnectPrisma();
        await database.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(OLD_DIR, { recursive: true, force: true });
  }
}

main().catch(async (error) => {
  console.error(error);
  await disconnectPrisma().catch(() => undefined);
  process.exit(1);
});
