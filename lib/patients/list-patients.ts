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
  /** The caseload's order: by name, by the last session, or by the next treatment review. */
  sort: z.enum(["name", "last_session", "next_review"], "must be name, last_session or next_review").default("name"),
  order: z.enum(["asc", "desc"], "must be asc or desc").default("asc"),
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

/** Goal states still being worked on: their target date is a review to come (or overdue). */
const OPEN_GOAL_STATES = ["proposed", "planned", "accepted", "active", "on-hold"];

type TCaseloadDates = { lastSession: Map<string, string>; nextReview: Map<string, string> };

/**
 * Per patient: the last session (latest encounter start) and the next review (the earliest of the
 * active treatment plan's end and the target dates of open goals; a past one is overdue).
 */
async function caseloadDates(patientWhere: Prisma.PatientWhereInput): Promise<TCaseloadDates> {
  const [sessions, plans, goals] = await Promise.all([
    prisma.encounter.groupBy({ by: ["patientId"], where: { patient: patientWhere }, _max: { startAt: true } }),
    prisma.treatmentPlan.findMany({ where: { patient: patientWhere, status: "active", endDate: { not: null } }, select: { patientId: true, endDate: true } }),
    prisma.goal.findMany({ where: { patient: patientWhere, lifecycleStatus: { in: OPEN_GOAL_STATES }, targetDate: { not: null } }, select: { patientId: true, targetDate: true } }),
  ]);
  const lastSession = new Map(sessions.flatMap((row) => (row._max.startAt ? [[row.patientId, row._max.startAt.toISOString()] as const] : [])));
  const nextReview = new Map<string, string>();
  for (const { patientId, date } of [...plans.map((plan) => ({ patientId: plan.patientId, date: plan.endDate! })), ...goals.map((goal) => ({ patientId: goal.patientId, date: goal.targetDate! }))]) {
    const day = date.slice(0, 10);
    const known = nextReview.get(patientId);
    if (!known || day < known) nextReview.set(patientId, day);
  }

  return { lastSession, nextReview };
}

/** Patient ids in the order asked for: by a date (patients without one last, either way), then by name. */
function sortedIds(patients: { id: string; givenName: string; familyName: string }[], dates: Map<string, string>, order: "asc" | "desc") {
  const byName = (a: (typeof patients)[number], b: (typeof patients)[number]) => a.familyName.localeCompare(b.familyName) || a.givenName.localeCompare(b.givenName) || a.id.localeCompare(b.id);

  return [...patients]
    .sort((a, b) => {
      const [left, right] = [dates.get(a.id), dates.get(b.id)];
      if (left === right) return byName(a, b);
      if (!left) return 1;
      if (!right) return -1;

      return (order === "asc" ? left.localeCompare(right) : right.localeCompare(left)) || byName(a, b);
    })
    .map((patient) => patient.id);
}

const PATIENT_ROW_SELECT = { id: true, fhirId: true, givenName: true, familyName: true, birthDate: true, gender: true, mrn: true, _count: { select: { encounters: true } } } as const;

export async function listPatients(actor: TActor, query: TListPatientsQuery) {
  // Who else shares a patient is assignment data, an admin's: a therapist asking about another
  // therapist's caseload would learn it from what is left out.
  if (query.not_assigned_to !== undefined && actor.role !== "ADMIN") {
    const message = "only admins filter by another user's assignments";
    throw new AppError("FORBIDDEN", `not_assigned_to: ${message}`, { issues: [{ path: "not_assigned_to", message }] });
  }
  const where: Prisma.PatientWhereInput = {
    AND: [patientScope(actor), query.q ? patientSearchFilter(query.q) : {}, query.not_assigned_to ? { assignments: { none: { userId: query.not_assigned_to } } } : {}],
  };
  const skip = (query.page - 1) * query.page_size;
  let total: number;
  let rows: Prisma.PatientGetPayload<{ select: typeof PATIENT_ROW_SELECT }>[];
  let dates: TCaseloadDates;
  if (query.sort === "name") {
    const direction = query.order;
    [total, rows] = await Promise.all([
      prisma.patient.count({ where }),
      prisma.patient.findMany({ where, orderBy: [{ familyName: direction }, { givenName: direction }, { id: "asc" }], skip, take: query.page_size, select: PATIENT_ROW_SELECT }),
    ]);
    dates = await caseloadDates({ id: { in: rows.map((row) => row.id) } });
  } else {
    // Sorting by a date of another table: the dates of every patient in the list, then one page.
    const [everyone, allDates] = await Promise.all([prisma.patient.findMany({ where, select: { id: true, givenName: true, familyName: true } }), caseloadDates(where)]);
    const pageIds = sortedIds(everyone, query.sort === "last_session" ? allDates.lastSession : allDates.nextReview, query.order).slice(skip, skip + query.page_size);
    const found = await prisma.patient.findMany({ where: { id: { in: pageIds } }, select: PATIENT_ROW_SELECT });
    const byId = new Map(found.map((row) => [row.id, row]));
    total = everyone.length;
    rows = pageIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    dates = allDates;
  }

  return {
    total,
    page: query.page,
    page_size: query.page_size,
    sort: query.sort,
    order: query.order,
    patients: rows.map((row) => ({
      id: row.id,
      fhir_id: row.fhirId,
      name: `${row.givenName} ${row.familyName}`,
      birth_date: row.birthDate,
      gender: row.gender,
      mrn: row.mrn,
      encounter_count: row._count.encounters,
      last_encounter_at: dates.lastSession.get(row.id) ?? null,
      next_review: dates.nextReview.get(row.id) ?? null,
    })),
  };
}
