// Runs a parsed search: each source table is filtered (the caller's scope, the parameters, the
// cursor), read in keyset order, and the sources merged into one page. No offsets: a page costs
// the same at the millionth row as at the first.
import type { TFhirView } from "@/lib/fhir/api/fhir-view";
import type { TSearchRequest } from "@/lib/fhir/api/parse-search-request";
import type { TResourceType, TSource } from "@/lib/fhir/api/resource-types";
import type { TCursor } from "@/lib/fhir/api/search-cursor";
import type { TWhere } from "@/lib/fhir/api/search-parameters";
import { ROW_INCLUDE } from "@/lib/fhir/api/serialize-rows";
import { prisma } from "@/lib/db/client";
import type { TFhirResource } from "@/lib/fhir/serialize/fhir-values";

/**
 * Whose patients a search may touch: a therapist's assigned ones, or (null) every patient; and
 * whether patients who opted out of data sharing are left out (de-identified views: the policy's
 * excludesOptedOutPatients).
 */
export type TPatientScope = { therapistId: string | null; excludesOptedOut: boolean };

export type TSearchResult = {
  resources: TFhirResource[];
  /** Internal ids of the patients the page's resources belong to. */
  patientIds: Set<string>;
  next: TCursor | null;
  total: number | null;
  /** The page's rows with the source each came from (CSV output maps them through dataset columns). */
  rows: { source: TSource; row: TRow }[];
};

export type TRow = { id: string; fhirId: string; updatedAt: Date } & Record<string, unknown>;
type TDelegate = { findMany(args: object): Promise<TRow[]>; count(args: object): Promise<number> };

const delegateOf = (source: TSource) => prisma[source.model] as unknown as TDelegate;

export function scopeWhere(source: TSource, scope: TPatientScope): TWhere {
  if (source.patientField === null) return {};
  const onPatient: TWhere[] = [];
  if (scope.therapistId) onPatient.push({ assignments: { some: { userId: scope.therapistId } } });
  if (scope.excludesOptedOut) onPatient.push({ dataSharingOptOut: false });
  if (!onPatient.length) return {};
  const patientWhere = onPatient.length === 1 ? onPatient[0]! : { AND: onPatient };

  return source.patientField === "id" ? patientWhere : { patient: patientWhere };
}

export function sourcesFor(definition: TResourceType, view: TFhirView) {
  return definition.sources.filter((source) => !(view.isMasked && source.identifiedOnly));
}

async function filterWhere(source: TSource, request: TSearchRequest, view: TFhirView, scope: TPatientScope): Promise<TWhere> {
  const parts: TWhere[] = [scopeWhere(source, scope)];
  for (const { name, value } of request.filters) {
    const filter = source.filters[name];
    if (filter) parts.push(await filter(value, { view, parameter: name }));
  }

  return { AND: parts };
}

const sortField = (source: TSource, request: TSearchRequest) => (request.sort?.key === "_lastUpdated" ? "updatedAt" : request.sort?.key === "date" ? source.sortDate! : "id");

function cursorWhere(field: string, cursor: TCursor, isDescending: boolean): TWhere {
  const after = isDescending ? "lt" : "gt";
  if (field === "id") return { id: { [after]: cursor.id } };
  const value = cursor.value === null ? null : new Date(cursor.value);

  return { OR: [{ [field]: { [after]: value } }, { [field]: value, id: { [after]: cursor.id } }] };
}

const sortValue = (row: TRow, field: string) => (field === "id" ? null : (row[field] as Date).toISOString());

function compareRows(a: { value: string | null; row: TRow }, b: { value: string | null; row: TRow }, isDescending: boolean) {
  const byValue = (a.value ?? "").localeCompare(b.value ?? "");
  const order = byValue !== 0 ? byValue : a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0;

  return isDescending ? -order : order;
}

/** Rows matching the search, counted over every source. */
export async function countResources(definition: TResourceType, request: TSearchRequest, view: TFhirView, scope: TPatientScope) {
  const counts = await Promise.all(sourcesFor(definition, view).map(async (source) => delegateOf(source).count({ where: await filterWhere(source, request, view, scope) })));

  return counts.reduce((sum, count) => sum + count, 0);
}

export async function searchResources(definition: TResourceType, request: TSearchRequest, view: TFhirView, scope: TPatientScope, options: { onlyModel?: string } = {}): Promise<TSearchResult> {
  const isDescending = request.sort?.isDescending ?? false;
  const direction = isDescending ? "desc" : "asc";
  const sources = sourcesFor(definition, view).filter((source) => !options.onlyModel || source.model === options.onlyModel);
  const wheres = await Promise.all(sources.map((source) => filterWhere(source, request, view, scope)));

  const pages = await Promise.all(
    sources.map(async (source, index) => {
      const field = sortField(source, request);
      const where = request.cursor ? { AND: [wheres[index]!, cursorWhere(field, request.cursor, isDescending)] } : wheres[index]!;
      const found = await delegateOf(source).findMany({
        where,
        include: ROW_INCLUDE[source.model],
        orderBy: field === "id" ? [{ id: direction }] : [{ [field]: direction }, { id: direction }],
        take: request.count + 1,
      });
      return found.map((row) => ({ source, row, value: sortValue(row, field) }));
    }),
  );
  const merged = pages.flat().sort((a, b) => compareRows(a, b, isDescending));
  const page = merged.slice(0, request.count);
  const last = page[page.length - 1];
  const next = merged.length > request.count && last ? { value: last.value, id: last.row.id, source: 0 } : null;

  // A total is given when cheap: on the first page, for searches of one patient or of tables
  // without patients' volumes (Patient, directories). Never a count over a million rows per page.
  const isPatientBound = request.filters.some((filter) => ["patient", "subject", "_id"].includes(filter.name)) || sources.every((source) => source.patientField !== "patientId");
  const total = !request.cursor && isPatientBound ? (next ? await countResources(definition, request, view, scope) : page.length) : null;

  const patientIds = new Set<string>();
  for (const { source, row } of page) {
    const patientId = source.patientField === "id" ? row.id : source.patientField === "patientId" ? (row.patientId as string) : null;
    if (patientId) patientIds.add(patientId);
  }
  await view.prepare(patientIds);

  return { resources: page.map(({ source, row }) => source.serialize(row, view)), patientIds, next, total, rows: page };
}
