// Group: the cohorts a Bulk Data export can name. One per organization (its patients) and one per
// therapist's caseload (the patients assigned to them). Ids are built from internal ids, which
// name no patient: `org-<organization id>`, `caseload-<user id>`. Read and searched through the
// REST API too; members are not listed (the export is how a Group's patients leave).
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";
import type { TFhirResource } from "@/lib/fhir/serialize/fhir-values";

export const GROUP_TYPE = "Group";

export type TGroupRef = { kind: "organization" | "caseload"; id: string };

type TGroup = TGroupRef & { name: string; quantity: number };

export function parseGroupId(groupId: string): TGroupRef | null {
  const match = /^(org|caseload)-([A-Za-z0-9]{1,60})$/.exec(groupId);
  if (!match) return null;

  return { kind: match[1] === "org" ? "organization" : "caseload", id: match[2]! };
}

const groupIdOf = (group: TGroupRef) => `${group.kind === "organization" ? "org" : "caseload"}-${group.id}`;

/** The Prisma `where` on Patient for a Group's members. */
export function groupPatientWhere(group: TGroupRef) {
  return group.kind === "organization" ? { organizationId: group.id } : { assignments: { some: { userId: group.id } } };
}

/** The Groups this actor may see: every one, or a therapist's own caseload only (null: every one, for the policy to judge). */
async function visibleGroups(actor: TActor | null, only?: TGroupRef): Promise<TGroup[]> {
  const isTherapist = actor?.role === "THERAPIST";
  const wantsOrganizations = !isTherapist && (!only || only.kind === "organization");
  const wantsCaseloads = !only || only.kind === "caseload";
  const [organizations, therapists] = await Promise.all([
    wantsOrganizations ? prisma.organization.findMany({ where: only ? { id: only.id } : {}, select: { id: true, name: true, _count: { select: { patients: true } } }, orderBy: { id: "asc" } }) : [],
    wantsCaseloads
      ? prisma.user.findMany({
          where: { role: "THERAPIST", ...(isTherapist ? { id: actor!.id } : {}), ...(only ? { id: only.id } : {}) },
          select: { id: true, name: true, _count: { select: { assignments: true } } },
          orderBy: { id: "asc" },
        })
      : [],
  ]);

  return [
    ...organizations.map((organization) => ({ kind: "organization" as const, id: organization.id, name: organization.name, quantity: organization._count.patients })),
    ...therapists.map((therapist) => ({ kind: "caseload" as const, id: therapist.id, name: `Caseload of ${therapist.name}`, quantity: therapist._count.assignments })),
  ];
}

/** A Group the actor may see (null actor: any Group, for a caller that asks the policy itself), or null. */
export async function findGroup(actor: TActor | null, groupId: string): Promise<TGroup | null> {
  const ref = parseGroupId(groupId);
  if (!ref) return null;

  return (await visibleGroups(actor, ref))[0] ?? null;
}

export function serializeGroup(group: TGroup, view: TFhirView): TFhirResource {
  return {
    resourceType: GROUP_TYPE,
    id: groupIdOf(group),
    ...(view.isMasked ? { meta: view.meta(new Date()) } : {}),
    active: true,
    type: "person",
    actual: true,
    // A caseload's name is its therapist's: staff, but not for the de-identified view.
    name: view.isMasked && group.kind === "caseload" ? "Therapist caseload" : group.name,
    quantity: group.quantity,
    characteristic: [{ code: { text: group.kind === "organization" ? "organization" : "therapist caseload" }, valueBoolean: true, exclude: false }],
  } as TFhirResource;
}

export async function readGroup(actor: TActor, groupId: string, view: TFhirView) {
  const group = await findGroup(actor, groupId);

  return group ? serializeGroup(group, view) : null;
}

const PARAMS = new Set(["_id", "name"]);
const CONTROL = new Set(["_count", "_format", "_elements", "_sort", "_summary", "_cursor", "_total", "_pretty"]);

/** GET Group?_id=&name=: a practice has tens of Groups, so one page holds them all. */
export async function searchGroups(actor: TActor, query: URLSearchParams, isStrict: boolean, view: TFhirView) {
  let groups = await visibleGroups(actor);
  for (const [name, value] of query) {
    if (CONTROL.has(name)) continue;
    if (!PARAMS.has(name)) {
      if (isStrict) throw invalidSearch(name, "is not a supported search parameter of Group");
      continue;
    }
    const values = value.split(",");
    groups = groups.filter((group) => (name === "_id" ? values.includes(groupIdOf(group)) : values.some((prefix) => String(serializeGroup(group, view).name).toLowerCase().startsWith(prefix.toLowerCase()))));
  }

  return groups.map((group) => serializeGroup(group, view));
}
