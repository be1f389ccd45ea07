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
  /** Parameters left out under lenient handling, for the caller to see in the self link's absence. */
  ignored: string[];
};

const CONTROL = new Set(["_count", "_cursor", "_sort", "_summary", "_elements", "_format", "_pretty", "_total"]);

export function isStrictHandling(request: Request) {
  return /(?:^|[;,\s])handling\s*=\s*strict\b/i.test(request.headers.get("prefer") ?? "");
}

export function formatOf(value: string | null): "json" | "csv" {
  if (value === null || value === "") return "json";
  if (["json", "application/json", "application/fhir+json", "fhir+json"].includes(value)) return "json";
  if (["csv", "text/csv"].includes(value)) return "csv";
  throw invalidSearch("_format", "must be json or csv");
}

export function parseSearchRequest(definition: { params: TResourceType["params"] } & { sortsByDate: boolean }, query: URLSearchParams, options: { isStrict: boolean; isMasked: boolean }): TSearchRequest {
  const request: TSearchRequest = { filters: [], count: DEFAULT_COUNT, cursor: null, sort: null, isSummaryCount: false, elements: null, format: "json", ignored: [] };
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
  if (count === "0") request.isSummaryCount = true;

  return request;
}
