// The Bulk Data export reads its rows through the driver (lib/fhir/bulk/bulk-rows.ts); the
// serializers must see exactly the rows Prisma gave them before, so the NDJSON stays the same.
import { describe, expect, it } from "vitest";

import { prisma } from "@/lib/db/client";
import { RESOURCE_TYPES, type TSource } from "@/lib/fhir/api/resource-types";
import { ROW_INCLUDE } from "@/lib/fhir/api/serialize-rows";
import { BULK_TABLES, openRowsById, readsThroughDriver, streamRows } from "@/lib/fhir/bulk/bulk-rows";

import { createRecord } from "./fhir-api-helpers";

type TRow = Record<string, unknown> & { id: string };
type TDelegate = { findMany(args: object): Promise<TRow[]> };

const SOURCES = new Map<string, TSource>(RESOURCE_TYPES.flatMap((type) => type.sources).map((source) => [source.model, source]));

async function collect(batches: AsyncGenerator<TRow[]>) {
  const rows: TRow[] = [];
  for await (const batch of batches) rows.push(...batch);
  return rows;
}

/** Prisma's rows as the job read them before: the REST API's includes, `raw` omitted, in id order. */
async function prismaRows(model: TSource["model"], where: object = {}) {
  return (prisma[model] as unknown as TDelegate).findMany({ where, include: ROW_INCLUDE[model], omit: { raw: true }, orderBy: [{ id: "asc" }] });
}

/** The de-identified view's shape: each to-one relation as its foreign key alone. */
const masked = (model: TSource["model"], rows: TRow[]) =>
  rows.map((row) => {
    const copy: TRow = { ...row };
    for (const relation of Object.keys(ROW_INCLUDE[model])) copy[relation] = row[`${relation}Id`] ? { id: row[`${relation}Id`] } : null;
    return copy;
  });

async function seed() {
  const organization = await prisma.organization.create({ data: { fhirId: `org-${crypto.randomUUID()}`, name: "Eastside", type: "prov", phone: "555-0100", city: "Springfield", raw: {} } });
  const location = await prisma.location.create({ data: { fhirId: `loc-${crypto.randomUUID()}`, name: "Room 2", organizationId: organization.id, city: "Springfield", raw: {} } });
  const first = await createRecord();
  const second = await createRecord();
  // Relations and columns set on one record and left empty on the other; one patient opted out.
  await prisma.patient.update({ where: { id: first.patient.id }, data: { organizationId: organization.id, generalPractitionerId: first.practitioner.id } });
  await prisma.patient.update({ where: { id: second.patient.id }, data: { dataSharingOptOut: true } });
  await prisma.practitioner.update({ where: { id: first.practitioner.id }, data: { organizationId: organization.id, active: false } });
  await prisma.encounter.update({ where: { id: first.encounter.id }, data: { organizationId: organization.id, locationId: location.id } });
  await prisma.sessionNote.update({ where: { id: first.note.id }, data: { actionItems: ["call back", "review"], signedAt: new Date("2024-03-16T09:30:00.123Z") } });
  await prisma.observation.update({ where: { id: first.observations[0]!.id }, data: { valueNumber: 2.5, valueString: "free text", codeSystem: "http://loinc.org", encounterId: null } });

  return { first, second };
}

describe("Bulk Data rows through the driver", () => {
  it("gives every model's rows exactly as Prisma's (identified and de-identified shapes), streamed or by id, with the consent and _since filters", { timeout: 120_000 }, async () => {
    await seed();
    const models = Object.keys(BULK_TABLES) as TSource["model"][];
    expect(models.every((model) => readsThroughDriver(model))).toBe(true);
    // Treatment plans (a to-many relation) stay on Prisma.
    expect(readsThroughDriver("treatmentPlan")).toBe(false);

    for (const model of models) {
      const source = SOURCES.get(model)!;
      const expected = await prismaRows(model);
      expect(expected.length, model).toBeGreaterThan(0);
      const all = { patientField: source.patientField, excludesOptedOut: false, since: null };

      // Batches of 2: the rows span several batches.
      expect(await collect(streamRows(model, false, all, 2)), model).toStrictEqual(expected);
      expect(await collect(streamRows(model, true, all, 2)), model).toStrictEqual(masked(model, expected));

      // By id: in the order asked, unknown ids skipped.
      const ids = [...expected.map((row) => row.id)].reverse();
      for (const isMasked of [false, true]) {
        const reader = await openRowsById(model, isMasked);
        try {
          const rows = await reader.read([...ids, "no-such-id"]);
          expect(rows, model).toStrictEqual(isMasked ? masked(model, [...expected].reverse()) : [...expected].reverse());
        } finally {
          await reader.close();
        }
      }

      // The consent exclusion, as the job's Prisma `where` says it.
      if (source.patientField) {
        const optedIn = await prismaRows(model, source.patientField === "id" ? { dataSharingOptOut: false } : { patient: { dataSharingOptOut: false } });
        expect(optedIn.length, model).toBeLessThan(expected.length);
        const streamed = await collect(streamRows(model, true, { ...all, excludesOptedOut: true }, 1000));
        expect(streamed.map((row) => row.id), model).toEqual(optedIn.map((row) => row.id));
      }
    }

    // _since: strictly after, as Prisma's `gt` on updatedAt.
    const observations = await prismaRows("observation");
    const since = observations[0]!.updatedAt as Date;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await prisma.observation.update({ where: { id: observations[1]!.id }, data: { status: "amended" } });
    const after = await prismaRows("observation", { updatedAt: { gt: since } });
    const streamed = await collect(streamRows("observation", true, { patientField: "patientId", excludesOptedOut: false, since }, 1000));
    expect(streamed.map((row) => row.id)).toEqual(after.map((row) => row.id));
    expect(streamed.map((row) => row.id)).toContain(observations[1]!.id);
  });
});
