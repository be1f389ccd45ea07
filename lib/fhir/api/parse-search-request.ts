// A search's query string (or _search form body) -> what to run. Unknown parameters are
// ignored under `Prefer: handling=lenient` (the default) and refused under `handling=strict`.
import { openCursor, type TCursor } from "@/lib/fhir/api/search-cursor";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";
import type { TResourceType } from "@/lib/fhir/api/resource-types";

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;

export type TSearchRequest = {
  filters: { name: string; value: string }[];
  count: number;
  cursor: TCursor | null;
  sort: { key: "_lastUpdated" | "date"; isDescending: boolean } | null;
  isSummaryCount: boolean;
  elements: string[] | null;
  format: "json" | "csv";
  /** `_include=<this type>:subject|patient`: the page's patients come along (mode include). */
  includesPatients: boolean;
  /** `_revinclude=<Type>:subject|patient` on a Patient search: those types' resources of the page's patients. */
  revincludes: string[];
  /** Parameters left out under lenient handling, for the caller to see in the self link's absence. */
  ignored: string[];
};

const CONTROL = new Set(["_count", "_cursor", "_sort", "_summary", "_elements", "_format", "_pretty", "_total", "_include", "_revinclude"]);

/** Types that name their patient by `subject` and `patient` (what _include/_revinclude may follow). */
const PATIENT_REFERENCES = new Set(["subject", "patient"]);

export function isStrictHandling(request: Request) {
  return /(?:^|[;,\s])handling\s*=\s*strict\b/i.test(request.headers.get("prefer") ?? "");
}

export function formatOf(value: string | null): "json" | "csv" {
  if (value === null || value === "") return "json";
  if (["json", "application/json", "application/fhir+json", "fhir+json"].includes(value)) return "json";
  if (["csv", "text/csv"].includes(value)) return "csv";
  throw invalidSearch("_format", "must be json or csv");
}

export type TSearchDefinition = { type: string; params: TResourceType["params"]; sortsByDate: boolean };

export function parseSearchRequest(definition: TSearchDefinition, query: URLSearchParams, options: { isStrict: boolean; isMasked: boolean; patientBoundTypes?: readonly string[] }): TSearchRequest {
  const request: TSearchRequest = { filters: [], count: DEFAULT_COUNT, cursor: null, sort: null, isSummaryCount: false, elements: null, format: "json", includesPatients: false, revincludes: [], ignored: [] };
  const unsupported = (name: string, reason: string) => {
    if (options.isStrict) throw invalidSearch(name, reason);
    request.ignored.push(name);
  };

  for (const [name, value] of query) {
    if (CONTROL.has(name)) continue;
    const param = definition.params[name];
    if (!param) {
      unsupported(name, name.includes(":") ? "modifiers are not supported" : "is not a supported search parameter of this type");
      continue;
    }
    if (param.identifiedOnly && options.isMasked) throw invalidSearch(name, "is not available in the de-identified view");
    if (value === "") throw invalidSearch(name, "needs a value");
    request.filters.push({ name, value });
  }

  const count = query.get("_count");
  if (count !== null) {
    if (!/^\d+$/.test(count) || Number(count) > MAX_COUNT) throw invalidSearch("_count", `must be a whole number from 0 to ${MAX_COUNT}`);
    request.count = Number(count);
  }
  const cursor = query.get("_cursor");
  if (cursor) request.cursor = openCursor(cursor);
  const sort = query.get("_sort");
  if (sort) {
    const key = sort.replace(/^-/, "");
    if (sort.includes(",")) unsupported("_sort", "sorts by one key only");
    else if (key === "_lastUpdated" || (key === "date" && definition.sortsByDate)) request.sort = { key, isDescending: sort.startsWith("-") };
    else unsupported("_sort", `cannot sort by ${key}: use _lastUpdated${definition.sortsByDate ? " or date" : ""}`);
  }
  const summary = query.get("_summary");
  if (summary === "count") request.isSummaryCount = true;
  else if (summary && summary !== "false") unsupported("_summary", "only _summary=count is supported");
  const elements = query.get("_elements");
  if (elements) request.elements = elements.split(",").map((element) => element.trim()).filter(Boolean);
  request.format = formatOf(query.get("_format"));
  for (const value of query.getAll("_include")) {
    const [from, parameter, target, ...rest] = value.split(":");
    const isPatientLink = from === definition.type && PATIENT_REFERENCES.has(parameter ?? "") && Boolean(definition.params[parameter!]) && (target === undefined || target === "Patient") && !rest.length;
    if (isPatientLink) request.includesPatients = true;
    else unsupported("_include", `only ${definition.type}:subject and ${definition.type}:patient are supported (where the type has them)`);
  }
  for (const value of query.getAll("_revinclude")) {
    const [from, parameter, target, ...rest] = value.split(":");
    const isPatientLink = definition.type === "Patient" && PATIENT_REFERENCES.has(parameter ?? "") && (options.patientBoundTypes ?? []).includes(from ?? "") && (target === undefined || target === "Patient") && !rest.length;
    if (isPatientLink) request.revincludes = [...new Set([...request.revincludes, from!])];
    else unsupported("_revinclude", "only <Type>:subject or <Type>:patient on a Patient search is supported");
  }
  if (count === "0") request.isSummaryCount = true;

  return request;
}
