import { z } from "zod";

import type { Prisma } from "@/generated/prisma/client";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { patientScope } from "@/lib/patients/patient-scope";

export const ZListPatientsQuery = z.object({
  q: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1, "must be 1 or more").default(1),
  page_size: z.coerce.number().int().min(1).max(200, "must be at most 200").default(25),
  /** Only patients not assigned to this user (an admin picking patients to assign to a therapist). */
  not_assigned_to: z.string().trim().min(1).max(100).optional(),
});
export type TListPatientsQuery = z.infer<typeof ZListPatientsQuery>;

const SEARCH_FIELDS = ["givenName", "familyName", "preferredName", "mrn", "fhirId"] as const;
const MAX_SEARCH_WORDS = 6;

/** One word against every name and identifier. Case-insensitive on both databases: SQLite LIKE is; PostgreSQL needs the casings tried. */
function wordFilter(word: string): Prisma.PatientWhereInput {
  const variants = [...new Set([word, word.toLowerCase(), word.charAt(0).toUpperCase() + word.slice(1).toLowerCase(), word.toUpperCase()])];

  return { OR: variants.flatMap((v) => SEARCH_FIELDS.map((field) => ({ [field]: { contains: v } }))) };
}

/**
 * "Mohammed Jackson", "jackson mohammed", "Jackson, Mo" and "MRN-1234 Jackson" all find him: the
 * query is split into words and every word must match a given, preferred or family name, the MRN
 * or the id, in any order.
 */
export function patientSearchFilter(q: string): Prisma.PatientWhereInput {
  const words = [...new Set(q.split(/[\s,;]+/).filter(Boolean))].slice(0, MAX_SEARCH_WORDS);

  return { AND: words.map(wordFilter) };
}

export async function listPatients(actor: TActor, query: TListPatientsQuery) {
  const where: Prisma.PatientWhereInput = {
    AND: [patientScope(actor), query.q ? patientSearchFilter(query.q) : {}, query.not_assigned_to ? { assignments: { none: { userId: query.not_assigned_to } } } : {}],
  };
  const [total, rows] = await Promise.all([
    prisma.patient.count({ where }),
    prisma.patient.findMany({
      where,
      orderBy: [{ familyName: "asc" }, { givenName: "asc" }],
      skip: (query.page - 1) * query.page_size,
      take: query.page_size,
      select: {
        id: true, fhirId: true, givenName: true, familyName: true, birthDate: true, gender: true, mrn: true,
        _count: { select: { encounters: true } },
        encounters: { orderBy: { startAt: "desc" }, take: 1, select: { startAt: true } },
      },
    }),
  ]);

  return {
    total,
    page: query.page,
    page_size: query.page_size,
    patients: rows.map((row) => ({
      id: row.id,
      fhir_id: row.fhirId,
      name: `${row.givenName} ${row.familyName}`,
      birth_date: row.birthDate,
      gender: row.gender,
      mrn: row.mrn,
      encounter_count: row._count.encounters,
      last_encounter_at: row.encounters[0]?.startAt.toISOString() ?? null,
    })),
  };
}
