// When a read finds nothing: was it there once? An import's DELETE left a tombstone (ids only,
// lib/fhir/import/delete-resources.ts); the caller who could have read the resource is told
// 410 Gone, everyone else the same 404 as for an id that never existed.
import { pseudonymize } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import type { TSource } from "@/lib/fhir/api/resource-types";
import type { TPatientScope } from "@/lib/fhir/api/search-resources";

type TTombstone = { rowId: string; patientId: string | null; deletedAt: Date };

async function tombstoneOf(resourceType: string, id: string, sources: TSource[], view: TFhirView): Promise<TTombstone | null> {
  const select = { rowId: true, patientId: true, deletedAt: true } as const;
  if (!view.isMasked) return prisma.fhirTombstone.findUnique({ where: { resourceType_fhirId: { resourceType, fhirId: id } }, select });
  const kinds = new Set(sources.map((source) => source.maskedKind));
  if (kinds.has("internal")) {
    const byRowId = await prisma.fhirTombstone.findFirst({ where: { resourceType, rowId: id }, select });
    if (byRowId) return byRowId;
  }
  // Pseudonyms are keyed HMACs of the row id: computed forwards over this type's tombstones,
  // which are few (deletions are corrections), and only when a read has missed.
  const pseudonymKinds = [...kinds].filter((kind) => kind !== "internal");
  if (!pseudonymKinds.length) return null;
  const key = env().ANON_KEY;
  for (let after = ""; ; ) {
    const batch = await prisma.fhirTombstone.findMany({ where: { resourceType, id: { gt: after } }, orderBy: { id: "asc" }, take: 5_000, select: { id: true, ...select } });
    for (const tombstone of batch) {
      if (pseudonymKinds.some((kind) => pseudonymize(key, kind, tombstone.rowId) === id)) return tombstone;
    }
    if (batch.length < 5_000) return null;
    after = batch[batch.length - 1]!.id;
  }
}

/** When the resource was deleted, if it was and this caller could have read it; otherwise null. */
export async function deletedResourceAt(resourceType: string, id: string, sources: TSource[], view: TFhirView, scope: TPatientScope): Promise<Date | null> {
  const tombstone = await tombstoneOf(resourceType, id, sources, view);
  if (!tombstone) return null;
  if (scope.therapistId) {
    // A therapist saw it only through a patient still on their caseload (a deleted patient's
    // assignments went with them).
    if (!tombstone.patientId) return tombstone.deletedAt;
    const isAssigned = await prisma.patientAssignment.findFirst({ where: { userId: scope.therapistId, patientId: tombstone.patientId }, select: { id: true } });
    if (!isAssigned) return null;
  }

  return tombstone.deletedAt;
}
