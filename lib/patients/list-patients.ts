import { z } from "zod";

import type { Prisma } from "@/generated/prisma/client";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { patientScope } from "@/lib/patients/patient-scope";

export const ZListPatientsQuery = z.object({
  q: z.string().trim().max(100).optional(),
  page: z.coerce.number().int().min(1, "must be 1 or more").default(1),
  page_size: z.coerce.number().int().min(1).max(200, "must be at most 200").default(25),
  /** Only patients not assigned to this user (an admin picking patients to assign to a therapist). */
  not_assigned_to: z.string().trim().min(1).max(100).optional(),
});
export type TListPatientsQuery = z.infer<typeof ZListPatientsQuery>;

/** Case-insensitive on both databases: SQLite LIKE is; PostgreSQL needs both casings tried. */
function searchFilter(q: string): Prisma.PatientWhereInput {
  const variants = [...new Set([q, q.toLowerCase(), q.charAt(0).toUpperCase() + q.slice(1).toLowerCase(), q.toUpperCase()])];
  const fields = ["givenName", "familyName", "mrn", "fhirId"] as const;

  return { OR: variants.flatMap((v) => fields.map((field) => ({ [field]: { contains: v } }))) };
}

export async function listPatients(actor: TActor, query: TListPatientsQuery) {
  // Who else shares a patient is assignment data, an admin's: a therapist asking about another
  // therapist's caseload would learn it from what is left out.
  if (query.not_assigned_to !== undefined && actor.role !== "ADMIN") {
    const message = "only admins filter by another user's assignments";
    throw new AppError("FORBIDDEN", `not_assigned_to: ${message}`, { issues: [{ path: "not_assigned_to", message }] });
  }
  const where: Prisma.PatientWhereInput = {
    AND: [patientScope(actor), query.q ? searchFilter(query.q) : {}, query.not_assigned_to ? { assignments: { none: { userId: query.not_assigned_to } } } : {}],
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
