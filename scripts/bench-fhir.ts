// npm run bench:fhir -- [--db sqlite|pg] [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]
//   [--patients 10000] [--resources 1000000] [--iterations 200] [--keep] [--existing URL]
// --keep leaves the filled scratch database in place and prints its URL (npm run bench:bulk -- --existing URL
// measures a Bulk Data export of it without the minutes of another fill; npm run bench:fhir -- --existing URL
// measures again on it, e.g. on a quiet machine after a fill on a busy one).
// Fills a scratch database (temp SQLite file, or a scratch PostgreSQL database dropped at the end)
// with synthetic patients and observations (one encounter per ten observations), then times the
// FHIR search service as a request runs it (policy, query, serialization, release check of
// de-identified pages, audit record) for:
//   1. Patient search pages of 50 (following the next links),
//   2. Observation?patient=<random patient>&date=ge<year>,
// each identified (an admin) and de-identified (an analyst): p50 / p95 / max in ms, beside a
// reference measured in the same run (the same rows read through bare Prisma).
// A benchmark, not a test. Record the figures in BENCHMARKS.md.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";

import { disconnectPrisma, prisma } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";
import { searchFhir } from "@/lib/fhir/api/search-fhir";

const flag = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
};
const DB = flag("db", "sqlite");
const PATIENTS = Number(flag("patients", "10000"));
const RESOURCES = Number(flag("resources", "1000000"));
const ITERATIONS = Number(flag("iterations", "200"));
const KEEP = process.argv.includes("--keep");
const EXISTING = flag("existing", "");
const id = (prefix: string, n: number) => `${prefix}${n.toString(36).padStart(8, "0")}`;

async function fill() {
  const observations = Math.round(RESOURCES * 0.9);
  const encounters = RESOURCES - observations - PATIENTS;
  for (let start = 0; start < PATIENTS; start += 2000) {
    await prisma.patient.createMany({
      data: Array.from({ length: Math.min(2000, PATIENTS - start) }, (_, index) => {
        const n = start + index;
        const birthDate = `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`;
        const phone = `555-${String(n % 1000).padStart(3, "0")}-${String(n % 10000).padStart(4, "0")}`;
        const raw = { resourceType: "Patient", id: `pat-${n}`, identifier: [{ system: "urn:mrn", value: `MRN${n}` }], name: [{ family: `Family${n}`, given: [`Given${n}`] }], telecom: [{ system: "phone", value: phone }], gender: n % 2 ? "female" : "male", birthDate, address: [{ city: "Springfield", state: "IL", postalCode: "62704" }] };
        return { id: id("p", n), fhirId: `pat-${n}`, givenName: `Given${n}`, familyName: `Family${n}`, birthDate, gender: n % 2 ? "female" : "male", mrn: `MRN${n}`, phone, city: "Springfield", state: "IL", postalCode: "62704", raw };
      }),
    });
  }
  for (let start = 0; start < encounters; start += 5000) {
    await prisma.encounter.createMany({
      data: Array.from({ length: Math.min(5000, encounters - start) }, (_, index) => {
        const n = start + index;
        const startAt = new Date(Date.UTC(2020, 0, 1) + (n % 2000) * 86_400_000);
        const raw = { resourceType: "Encounter", id: `enc-${n}`, status: "finished", class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB" }, type: [{ coding: [{ system: "http://www.ama-assn.org/go/cpt", code: "90837" }] }], subject: { reference: `Patient/pat-${n % PATIENTS}` }, period: { start: startAt.toISOString() } };
        return { id: id("e", n), fhirId: `enc-${n}`, patientId: id("p", n % PATIENTS), status: "finished", deliveryFormat: "in-person", cptCode: "90837", startAt, raw };
      }),
    });
  }
  for (let start = 0; start < observations; start += 5000) {
    await prisma.observation.createMany({
      data: Array.from({ length: Math.min(5000, observations - start) }, (_, index) => {
        const n = start + index;
        const effectiveAt = new Date(Date.UTC(2020, 0, 1) + (n % 2190) * 86_400_000 + (n % 86_400) * 1000);
        // The stored resource as an import would keep it (bench:bulk's reference dumps this column).
        const raw = { resourceType: "Observation", id: `obs-${n}`, status: "final", category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "survey" }] }], code: { coding: [{ system: "http://loinc.org", code: "44261-6", display: "PHQ-9 total score" }] }, subject: { reference: `Patient/pat-${n % PATIENTS}` }, effectiveDateTime: effectiveAt.toISOString(), valueQuantity: { value: n % 28, unit: "{score}", system: "http://unitsofmeasure.org", code: "{score}" } };
        return { id: id("o", n), fhirId: `obs-${n}`, patientId: id("p", n % PATIENTS), encounterId: encounters ? id("e", n % encounters) : null, code: "44261-6", display: "PHQ-9 total score", category: "survey", valueNumber: n % 28, unit: "{score}", status: "final", effectiveAt, raw };
      }),
    });
  }
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: +at(0.5).toFixed(1), p95: +at(0.95).toFixed(1), max: +sorted[sorted.length - 1]!.toFixed(1), n: samples.length };
}

async function time(run: (iteration: number) => Promise<unknown>) {
  const samples: number[] = [];
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const started = performance.now();
    await run(iteration);
    samples.push(performance.now() - started);
  }
  return percentiles(samples);
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-bench-fhir-"));
  let url: string;
  let drop = async (): Promise<void> => undefined;
  if (EXISTING) {
    url = EXISTING;
  } else if (DB === "pg") {
    const base = flag("pg-url", "postgresql://postgres@127.0.0.1:5432/postgres");
    const name = `careexport_bench_fhir_${randomBytes(4).toString("hex")}`;
    const onAdmin = async (sql: string) => {
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(sql).finally(() => admin.end());
    };
    await onAdmin(`CREATE DATABASE ${name}`);
    url = base.replace(/\/[^/]*$/, `/${name}`);
    drop = () => onAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    url = `file:${path.join(dir, "bench.db")}`;
  }
  Object.assign(process.env, { DATABASE_URL: url, DATA_DIR: dir, JOB_RUNNER: "off" });
  resetEnvCache();
  try {
    await migrateDatabase(url);
    const fillStarted = performance.now();
    if (!EXISTING) await fill();
    console.log(`${EXISTING ? "reused" : "filled"} ${PATIENTS} patients, ${RESOURCES} resources on ${DB} in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s; load ${loadavg().map((value) => value.toFixed(2)).join(" ")}`);

    const users = await Promise.all(
      (["ADMIN", "ANALYST"] as const).map((role) => prisma.user.create({ data: { email: `bench-${role.toLowerCase()}-${randomBytes(3).toString("hex")}@bench.local`, name: `Bench ${role}`, role } })),
    );
    const callers = users.map((user) => ({ actor: { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: false }, scopes: null, clientId: null }));
    const meta = { ipAddress: "127.0.0.1", userAgent: "bench", via: "bench" };
    const base = "http://127.0.0.1/api/fhir";
    const results: Record<string, unknown> = {};
    for (const [index, caller] of callers.entries()) {
      const view = index === 0 ? "identified" : "de-identified";
      const patientRef = (n: number) => (index === 0 ? `pat-${n}` : null);
      // The analyst names patients by pseudonym: take them from a first page of Patient.
      const pseudonyms: string[] = [];
      if (index === 1) {
        let next: string | null = `${base}/Patient?_count=1000`;
        while (next && pseudonyms.length < 2000) {
          const page = await searchFhir({ caller, resourceType: "Patient", query: new URL(next).searchParams, isStrict: false, baseUrl: base, meta });
          pseudonyms.push(...(JSON.parse(page.body) as { entry: { resource: { id: string } }[] }).entry.map((entry) => entry.resource.id));
          next = page.next;
        }
      }
      let next: string | null = null;
      results[`Patient page of 50, ${view}`] = await time(async () => {
        const page = await searchFhir({ caller, resourceType: "Patient", query: new URL(next ?? `${base}/Patient?_count=50`).searchParams, isStrict: false, baseUrl: base, meta });
        next = page.next;
      });
      results[`Observation patient=&date=ge, ${view}`] = await time(async (iteration) => {
        const n = (iteration * 7919) % PATIENTS;
        const patient = patientRef(n) ?? pseudonyms[iteration % pseudonyms.length]!;
        await searchFhir({ caller, resourceType: "Observation", query: new URLSearchParams({ patient, date: index === 0 ? "ge2024-01-01" : "ge2024" }), isStrict: false, baseUrl: base, meta });
      });
    }
    // The reference, measured in the same run: the database's own time for the same rows, read
    // through Prisma without policy, serialization, release scan or audit.
    let after = "";
    results["reference: Patient rows of 50 (keyset), bare Prisma"] = await time(async () => {
      const rows = await prisma.patient.findMany({ where: { id: { gt: after } }, orderBy: { id: "asc" }, take: 51 });
      after = rows.length > 50 ? rows[49]!.id : "";
    });
    results["reference: Observation rows of a patient since a date, bare Prisma"] = await time(async (iteration) => {
      const n = (iteration * 7919) % PATIENTS;
      await prisma.observation.findMany({ where: { patientId: id("p", n), effectiveAt: { gte: new Date("2024-01-01T00:00:00Z") } }, orderBy: { id: "asc" }, take: 51 });
    });
    console.table(results);
    console.log(JSON.stringify({ db: DB, patients: PATIENTS, resources: RESOURCES, iterations: ITERATIONS, load: loadavg(), results }));
  } finally {
    await disconnectPrisma();
    if (KEEP || EXISTING) {
      console.log(`kept the filled database: ${url} (DATA_DIR ${dir}); npm run bench:bulk -- --db ${DB} --existing '${url}' --patients ${PATIENTS} --resources ${RESOURCES}`);
    } else {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
