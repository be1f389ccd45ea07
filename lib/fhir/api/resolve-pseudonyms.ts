// A de-identified caller names resources by their pseudonyms (P-..., E-...), which are keyed
// HMACs and cannot be reversed: the internal ids are found by computing pseudonyms forwards.
// Patients and practitioners (thousands) are kept in a per-key map; the large tables are
// searched within the patients the request names, or scanned in batches when it names none.
import { pseudonymize, type TPseudonymKind } from "@/lib/anonymize/pseudonym";
import { prisma } from "@/lib/db/client";

type TSmallKind = "patient" | "practitioner";
type TLargeKind = Exclude<TPseudonymKind, TSmallKind | "location">;

/** A full rebuild now and then drops deleted records; in between, misses load only new ones. */
const REBUILD_AFTER_MS = 10 * 60_000;
/** New records are looked up from a little before the last load: clocks of two instances differ. */
const OVERLAP_MS = 60_000;
const SCAN_BATCH = 5_000;

const maps = new Map<string, { byPseudonym: Map<string, string>; loadedAt: number; builtAt: number }>();

async function idsOf(kind: TSmallKind, afterId: string, take: number, since: Date | null) {
  const where = { id: { gt: afterId }, ...(since ? { createdAt: { gte: since } } : {}) };
  const rows = kind === "patient"
    ? await prisma.patient.findMany({ where, orderBy: { id: "asc" }, take, select: { id: true } })
    : await prisma.practitioner.findMany({ where, orderBy: { id: "asc" }, take, select: { id: true } });

  return rows.map((row) => row.id);
}

/** The pseudonym -> id map of a small table; `isMiss`: a pseudonym was not found, so load what is new. */
async function smallMap(key: string, kind: TSmallKind, isMiss: boolean) {
  const name = `${kind}:${key}`;
  const now = Date.now();
  let entry = maps.get(name);
  if (entry && !isMiss && now - entry.builtAt < REBUILD_AFTER_MS) return entry.byPseudonym;
  const isRebuild = !entry || now - entry.builtAt >= REBUILD_AFTER_MS;
  const since = isRebuild ? null : new Date(entry!.loadedAt - OVERLAP_MS);
  const byPseudonym = isRebuild ? new Map<string, string>() : entry!.byPseudonym;
  for (let after = "", ids: string[] = []; ; after = ids[ids.length - 1]!) {
    ids = await idsOf(kind, after, SCAN_BATCH, since);
    for (const id of ids) byPseudonym.set(pseudonymize(key, kind, id), id);
    if (ids.length < SCAN_BATCH) break;
  }
  entry = { byPseudonym, loadedAt: now, builtAt: isRebuild ? now : entry!.builtAt };
  maps.set(name, entry);

  return byPseudonym;
}

const LARGE_TABLES = {
  encounter: (where: object, take: number) => prisma.encounter.findMany({ where, orderBy: { id: "asc" }, take, select: { id: true } }),
  observation: (where: object, take: number) => prisma.observation.findMany({ where, orderBy: { id: "asc" }, take, select: { id: true } }),
  condition: (where: object, take: number) => prisma.condition.findMany({ where, orderBy: { id: "asc" }, take, select: { id: true } }),
  care_plan: (where: object, take: number) => prisma.carePlan.findMany({ where, orderBy: { id: "asc" }, take, select: { id: true } }),
  response: (where: object, take: number) => prisma.questionnaireResponse.findMany({ where, orderBy: { id: "asc" }, take, select: { id: true } }),
} satisfies Record<TLargeKind, unknown>;

/**
 * The internal ids behind these pseudonyms (unknown ones are left out). `withinPatients` narrows
 * the search for the large tables to those patients' rows.
 */
export async function resolvePseudonyms(key: string, kind: TPseudonymKind, pseudonyms: string[], withinPatients?: string[]): Promise<string[]> {
  const wanted = new Set(pseudonyms);
  if (!wanted.size) return [];
  if (kind === "patient" || kind === "practitioner") {
    let map = await smallMap(key, kind, false);
    // A miss may be a record added since the map was loaded: load the new ones.
    if ([...wanted].some((pseudonym) => !map.has(pseudonym))) map = await smallMap(key, kind, true);
    return [...wanted].map((pseudonym) => map.get(pseudonym)).filter((id): id is string => Boolean(id));
  }
  if (kind === "location") return [];

  const find = LARGE_TABLES[kind];
  const found: string[] = [];
  for (let after = ""; ; ) {
    const rows = await find({ id: { gt: after }, ...(withinPatients ? { patientId: { in: withinPatients } } : {}) }, SCAN_BATCH);
    for (const row of rows) {
      if (wanted.has(pseudonymize(key, kind, row.id))) found.push(row.id);
    }
    if (found.length === wanted.size || rows.length < SCAN_BATCH) break;
    after = rows[rows.length - 1]!.id;
  }

  return found;
}
