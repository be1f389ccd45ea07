// The FHIR import's batched writes (issue 20 part 4) on a file large enough for several statements
// per table: what is stored equals the resources, a re-import updates changed resources by FHIR id
// (keeping createdAt, moving updatedAt) and leaves unchanged ones alone, and a file that fails
// part-way, in validation or in the database, leaves nothing behind.
import { describe, expect, it } from "vitest";

import { isPostgres, postgresTransactionConnection, prisma, sqliteTransactionConnection } from "@/lib/db/client";
import { importFhir } from "@/lib/fhir/import/import-fhir";
import { syntheticImportLines } from "@/lib/fhir/import/testing/synthetic-import";

// 200 patients, 2,000 encounters, 1,000 PHQ-9: several INSERT statements per table on SQLite.
const PATIENTS = 200;
const ndjson = (options: { version?: number; prefix: string; patients?: number }) => syntheticImportLines({ patients: options.patients ?? PATIENTS, ...options }).join("\n");

/** The same JSON value with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).reverse().map(([key, item]) => [key, reverseKeys(item)]));

  return value;
}

async function importedCount(prefix: string) {
  const where = { fhirId: { startsWith: `${prefix}-` } };
  const [patients, encounters, responses] = await Promise.all([prisma.patient.count({ where }), prisma.encounter.count({ where }), prisma.questionnaireResponse.count({ where })]);

  return { patients, encounters, responses };
}

describe("FHIR import, batched writes", () => {
  it("stores every resource as written, then updates changed ones by FHIR id on re-import", { timeout: 120_000 }, async () => {
    const first = await importFhir(ndjson({ prefix: "bw" }), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
    expect(first.total).toBe(2 + PATIENTS * 16);
    expect(first.counts.Encounter).toEqual({ created: PATIENTS * 10, updated: 0, unchanged: 0 });
    expect(await importedCount("bw")).toEqual({ patients: PATIENTS, encounters: PATIENTS * 10, responses: PATIENTS * 5 });

    // Read back through Prisma: dates, numbers, booleans, JSON and links as the mapping made them.
    const encounter = await prisma.encounter.findUniqueOrThrow({ where: { fhirId: "bw-enc-000123-04" }, include: { patient: true, practitioner: true, organization: true } });
    const source = JSON.parse(ndjson({ prefix: "bw" }).split("\n").find((line) => line.includes('"bw-enc-000123-04"'))!);
    expect(encounter.raw).toEqual(source);
    expect(encounter.startAt.toISOString()).toBe(new Date(source.period.start).toISOString());
    expect(encounter.endAt?.toISOString()).toBe(new Date(source.period.end).toISOString());
    expect({ cpt: encounter.cptCode, units: encounter.units, format: encounter.deliveryFormat, status: encounter.status }).toEqual({ cpt: "90834", units: 1, format: "in-person", status: "finished" });
    expect([encounter.patient.fhirId, encounter.practitioner?.fhirId, encounter.organization?.fhirId]).toEqual(["bw-pat-000123", "bw-prac", "bw-org"]);
    const patient = await prisma.patient.findUniqueOrThrow({ where: { fhirId: "bw-pat-000007" } });
    expect({ active: patient.active, given: patient.givenName, mrn: patient.mrn, birthDate: patient.birthDate }).toEqual({ active: true, given: "Given7", mrn: "MRN0000007", birthDate: "1947-08-17" });
    const response = await prisma.questionnaireResponse.findUniqueOrThrow({ where: { fhirId: "bw-phq-000050-03" } });
    const answers = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => (50 + 3 + i + 1) % 4);
    expect(response.questionnaire).toBe("phq-9");
    expect(response.totalScore).toBe(answers.reduce((a, b) => a + b, 0));

    // Version 2 changes every encounter and response (and the organization), not the patients; 20 new patients come with it.
    const createdAt = encounter.createdAt.getTime();
    const second = await importFhir(ndjson({ prefix: "bw", version: 2, patients: PATIENTS + 20 }), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
    expect(second.counts.Patient).toEqual({ created: 20, updated: 0, unchanged: PATIENTS });
    expect(second.counts.Encounter).toEqual({ created: 200, updated: PATIENTS * 10, unchanged: 0 });
    expect(second.counts.QuestionnaireResponse).toEqual({ created: 100, updated: PATIENTS * 5, unchanged: 0 });
    expect(second.counts.Organization).toEqual({ created: 0, updated: 1, unchanged: 0 });

    const updated = await prisma.encounter.findUniqueOrThrow({ where: { fhirId: "bw-enc-000123-04" } });
    expect(updated.id).toBe(encounter.id);
    expect(updated.cptDisplay).toBe("Psychotherapy, 45 minutes (v2)");
    expect(updated.createdAt.getTime()).toBe(createdAt);
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(encounter.updatedAt.getTime());
    expect((updated.raw as { type: { coding: { display: string }[] }[] }).type[0]!.coding[0]!.display).toBe("Psychotherapy, 45 minutes (v2)");
    const samePatient = await prisma.patient.findUniqueOrThrow({ where: { fhirId: "bw-pat-000007" } });
    expect(samePatient.updatedAt.getTime()).toBe(patient.updatedAt.getTime());
    expect(await importedCount("bw")).toEqual({ patients: PATIENTS + 20, encounters: (PATIENTS + 20) * 10, responses: (PATIENTS + 20) * 5 });

    // The same file again changes nothing.
    const third = await importFhir(ndjson({ prefix: "bw", version: 2, patients: PATIENTS + 20 }), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
    expect(Object.values(third.counts).every((count) => count!.created === 0 && count!.updated === 0)).toBe(true);
  });

  it("rejects a file with a bad resource in the middle whole, naming it", { timeout: 120_000 }, async () => {
    const lines = syntheticImportLines({ patients: PATIENTS, prefix: "bv" });
    const middle = Math.floor(lines.length / 2);
    const bad = JSON.parse(lines[middle]!);
    bad.status = 42;
    lines[middle] = JSON.stringify(bad);
    const audits = await prisma.exportAuditLog.count({ where: { action: "fhir_imported" } });

    await expect(importFhir(lines.join("\n"), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining(`resource ${middle} (${bad.resourceType}/${bad.id})`) });
    expect(await importedCount("bv")).toEqual({ patients: 0, encounters: 0, responses: 0 });
    expect(await prisma.exportAuditLog.count({ where: { action: "fhir_imported" } })).toBe(audits);
  });

  it("still refuses a NUL or an unpaired surrogate escaped in any string, naming the resource", { timeout: 60_000 }, async () => {
    for (const escape of ["\\u0000", "\\ud800"]) {
      const lines = syntheticImportLines({ patients: 5, prefix: "bn" });
      lines[7] = lines[7]!.replace('"status":"finished"', `"status":"finished","text":{"status":"generated","div":"a${escape}b"}`);
      expect(lines[7]).toContain(escape);
      await expect(importFhir(lines.join("\n"), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining("resource 7.text.div") });
    }
    expect(await importedCount("bn")).toEqual({ patients: 0, encounters: 0, responses: 0 });
  });

  it("leaves nothing behind when the database refuses a row after earlier batches went in", { timeout: 120_000 }, async () => {
    // A real failure from the database, late in the file: patients and encounters are written by then.
    const victim = "bf-phq-000150-02";
    if (isPostgres()) {
      await prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_planted() RETURNS trigger AS $$ BEGIN IF NEW."fhirId" = '${victim}' THEN RAISE EXCEPTION 'planted failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_planted BEFORE INSERT ON "QuestionnaireResponse" FOR EACH ROW EXECUTE FUNCTION refuse_planted()`);
    } else {
      await prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_planted BEFORE INSERT ON "QuestionnaireResponse" WHEN NEW."fhirId" = '${victim}' BEGIN SELECT RAISE(ABORT, 'planted failure'); END`);
    }
    const audits = await prisma.exportAuditLog.count({ where: { action: "fhir_imported" } });
    try {
      await expect(importFhir(ndjson({ prefix: "bf" }), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } })).rejects.toThrow();
      expect(await importedCount("bf")).toEqual({ patients: 0, encounters: 0, responses: 0 });
      expect(await prisma.organization.count({ where: { fhirId: "bf-org" } })).toBe(0);
      expect(await prisma.exportAuditLog.count({ where: { action: "fhir_imported" } })).toBe(audits);
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER refuse_planted${isPostgres() ? ` ON "QuestionnaireResponse"` : ""}`);
    }
    // Without the planted failure the same file goes in whole.
    const retried = await importFhir(ndjson({ prefix: "bf" }), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
    expect(retried.counts.QuestionnaireResponse).toEqual({ created: PATIENTS * 5, updated: 0, unchanged: 0 });
  });

  it("counts a resource sent again with its keys in another order as unchanged, and a changed one among them as updated", { timeout: 120_000 }, async () => {
    const lines = syntheticImportLines({ patients: 20, prefix: "bk" });
    await importFhir(lines.join("\n"), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
    const before = await prisma.patient.findUniqueOrThrow({ where: { fhirId: "bk-pat-000003" } });
    const changedBefore = await prisma.encounter.findUniqueOrThrow({ where: { fhirId: "bk-enc-000004-02" } });

    const again = lines.map((line) => {
      const resource = JSON.parse(line);
      if (resource.id === "bk-enc-000004-02") resource.status = "cancelled";
      return JSON.stringify(reverseKeys(resource));
    });
    expect(again[2]).not.toBe(lines[2]);
    const second = await importFhir(again.join("\n"), { format: "ndjson", actorLabel: "test", source: { kind: "file", label: "test.ndjson" } });
    expect(second.counts.Patient).toEqual({ created: 0, updated: 0, unchanged: 20 });
    expect(second.counts.Encounter).toEqual({ created: 0, updated: 1, unchanged: 199 });
    expect(second.counts.QuestionnaireResponse).toEqual({ created: 0, updated: 0, unchanged: 100 });
    expect((await prisma.patient.findUniqueOrThrow({ where: { fhirId: "bk-pat-000003" } })).updatedAt.getTime()).toBe(before.updatedAt.getTime());
    const changed = await prisma.encounter.findUniqueOrThrow({ where: { fhirId: "bk-enc-000004-02" } });
    expect({ id: changed.id, status: changed.status, createdAt: changed.createdAt.getTime() }).toEqual({ id: changedBefore.id, status: "cancelled", createdAt: changedBefore.createdAt.getTime() });
  });

  it("SQLite: bulk statements run inside the transaction, roll back with it, and are refused once it has ended", { timeout: 60_000 }, async () => {
    if (isPostgres()) {
      await prisma.$transaction(async (tx) => expect(await sqliteTransactionConnection(tx)).toBeNull());
      return;
    }
    const stamp = new Date().toISOString().replace("Z", "+00:00");
    const insert = (id: string) => `INSERT INTO "Organization" ("id", "fhirId", "name", "raw", "createdAt", "updatedAt") VALUES ('${id}', '${id}', 'x', '{}', '${stamp}', '${stamp}')`;

    // A row written on the connection is seen by the transaction and gone after its rollback.
    await expect(
      prisma.$transaction(async (tx) => {
        const connection = (await sqliteTransactionConnection(tx))!;
        connection.prepare(insert("bt-sq-row")).run();
        expect(await tx.organization.count({ where: { fhirId: "bt-sq-row" } })).toBe(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await prisma.organization.count({ where: { fhirId: "bt-sq-row" } })).toBe(0);

    // A transaction that timed out (Prisma sent ROLLBACK): a statement run afterwards is refused,
    // not run on its own outside any transaction (where it would commit at once).
    let late: unknown = null;
    await expect(
      prisma.$transaction(
        async (tx) => {
          const connection = (await sqliteTransactionConnection(tx))!;
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          try {
            connection.prepare(insert("bt-sq-late")).run();
          } catch (error) {
            late = error;
          }
        },
        { timeout: 500 },
      ),
    ).rejects.toThrow();
    expect(String(late)).toContain("the transaction has ended");
    expect(await prisma.organization.count({ where: { fhirId: "bt-sq-late" } })).toBe(0);
    // And a transaction that has ended gives no connection at all.
    let ended: Parameters<Parameters<typeof prisma.$transaction>[0]>[0] | null = null;
    await prisma.$transaction(async (tx) => {
      ended = tx;
    });
    await expect(sqliteTransactionConnection(ended!)).rejects.toThrow();
  });

  it("PostgreSQL: bulk statements go on the transaction's own connection (each transaction its own) and roll back with it", { timeout: 60_000 }, async () => {
    if (!isPostgres()) {
      await prisma.$transaction(async (tx) => expect(await postgresTransactionConnection(tx)).toBeNull());
      return;
    }
    // Two transactions open at once, on two pool connections: each finds its own.
    let arrived = 0;
    let release!: () => void;
    const bothOpen = new Promise<void>((resolve) => (release = resolve));
    const found = await Promise.all(
      [0, 1].map((n) =>
        prisma.$transaction(async (tx) => {
          const [{ pid }] = await tx.$queryRawUnsafe<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
          if (++arrived === 2) release();
          await bothOpen;
          const connection = await postgresTransactionConnection(tx);
          return { n, pid: Number(pid), connectionPid: connection?.processID };
        }),
      ),
    );
    expect(found[0]!.pid).not.toBe(found[1]!.pid);
    for (const { pid, connectionPid } of found) expect(connectionPid).toBe(pid);

    // A row written on that connection is seen by the transaction and gone after its rollback.
    await expect(
      prisma.$transaction(async (tx) => {
        const connection = (await postgresTransactionConnection(tx))!;
        await connection.query(`INSERT INTO "Organization" ("id", "fhirId", "name", "raw", "updatedAt") VALUES ('bt-org-row', 'bt-org', 'x', '{}', now())`);
        expect(await tx.organization.count({ where: { fhirId: "bt-org" } })).toBe(1);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await prisma.organization.count({ where: { fhirId: "bt-org" } })).toBe(0);

    // A transaction that timed out (Prisma sent ROLLBACK and released the connection to the pool):
    // a statement sent afterwards is refused, not run outside any transaction.
    let late: Promise<unknown> | undefined;
    await expect(
      prisma.$transaction(
        async (tx) => {
          const connection = (await postgresTransactionConnection(tx))!;
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          late = connection.query(`INSERT INTO "Organization" ("id", "fhirId", "name", "raw", "updatedAt") VALUES ('bt-org-late', 'bt-org-late', 'x', '{}', now())`);
          await late.catch(() => undefined);
        },
        { timeout: 500 },
      ),
    ).rejects.toThrow();
    await expect(late).rejects.toThrow("the transaction has ended");
    expect(await prisma.organization.count({ where: { fhirId: "bt-org-late" } })).toBe(0);
  });
});
