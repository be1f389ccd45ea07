// A $export kick-off request -> what to export, checked. GET takes query parameters; POST a FHIR
// Parameters resource. Errors name the parameter (400 OperationOutcome); what lenient handling
// leaves out (the default, as the IG allows) is listed so the manifest can say so.
import { calendarDateProblem } from "@/lib/dates/bounded-dates";
import { RESOURCE_TYPES } from "@/lib/fhir/api/resource-types";
import { QUESTIONNAIRE_TYPE } from "@/lib/fhir/api/fhir-access";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";
import { BULK_SINCE_LAST_SUCCESSFUL_RUN } from "@/lib/fhir/bulk/bulk-types";

export const OUTPUT_FORMATS = ["application/fhir+ndjson", "application/ndjson", "ndjson"];

/** Every type a bulk export can write. */
export const BULK_TYPES = [...RESOURCE_TYPES.map((definition) => definition.type), QUESTIONNAIRE_TYPE];

const MAX_BODY_BYTES = 100_000;

export type TKickOffInput = {
  outputFormat: string | null;
  /** "last_successful_run": since the caller's last delivered export (lib/fhir/bulk/bulk-watermark.ts). */
  since: Date | typeof BULK_SINCE_LAST_SUCCESSFUL_RUN | null;
  types: string[] | null;
  typeFilters: { type: string; query: string }[];
  elements: string[] | null;
  /** References as given (Patient/<id> or <id>). */
  patients: string[];
  includeAssociatedData: string[];
  unknown: string[];
};

const invalid = (name: string, message: string) => invalidSearch(name, message);

/** _since: a FHIR instant (or a date), not in the future. */
export function parseSince(value: string, now = new Date()): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))?$/.exec(value.trim());
  if (!match) throw invalid("_since", "must be a FHIR instant, e.g. 2024-01-01T00:00:00Z");
  const [, year, month, day, hour = "00", minute = "00", second = "00"] = match;
  const [h, mi, s] = [hour, minute, second].map(Number) as [number, number, number];
  // The one date rule (lib/dates): a day that exists, 1900-01-01 .. 2100-12-31.
  const dateProblem = calendarDateProblem(`${year}-${month}-${day}`);
  if (dateProblem) throw invalid("_since", dateProblem);
  if (h > 23 || mi > 59 || s > 59) throw invalid("_since", "is not a valid time of day");
  const since = new Date(match[4] ? value.trim() : `${year}-${month}-${day}T00:00:00Z`);
  if (Number.isNaN(since.getTime())) throw invalid("_since", "is not a valid date and time");
  if (since.getTime() > now.getTime()) throw invalid("_since", "is in the future");

  return since;
}

type TParameter = { name?: unknown; [key: string]: unknown };

function valueOf(parameter: TParameter, index: number): string {
  const keys = Object.keys(parameter).filter((key) => key.startsWith("value"));
  if (keys.length !== 1) throw invalid(`parameter[${index}]`, "needs exactly one value[x]");
  const value = parameter[keys[0]!];
  if (keys[0] === "valueReference") {
    const reference = (value as { reference?: unknown } | null)?.reference;
    if (typeof reference !== "string" || !reference) throw invalid(`parameter[${index}].valueReference`, "needs a reference");
    return reference;
  }
  if (typeof value !== "string" || !value) throw invalid(`parameter[${index}].${keys[0]}`, "must be a non-empty string");

  return value;
}

/** The kick-off's parameters as name/value pairs: the query string, and for POST the Parameters body. */
export async function kickOffPairs(request: Request): Promise<[string, string][]> {
  const pairs: [string, string][] = [...new URL(request.url).searchParams];
  if (request.method !== "POST") return pairs;
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw invalid("body", `is larger than ${MAX_BODY_BYTES} bytes`);
  if (!text.trim()) return pairs;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid("body", "must be a FHIR Parameters resource in JSON");
  }
  const resource = body as { resourceType?: unknown; parameter?: unknown };
  if (resource?.resourceType !== "Parameters") throw invalid("body.resourceType", "must be Parameters");
  if (resource.parameter !== undefined && !Array.isArray(resource.parameter)) throw invalid("body.parameter", "must be an array");
  for (const [index, parameter] of ((resource.parameter ?? []) as TParameter[]).entries()) {
    if (!parameter || typeof parameter !== "object" || typeof parameter.name !== "string" || !parameter.name) throw invalid(`parameter[${index}].name`, "is required");
    pairs.push([parameter.name, valueOf(parameter, index)]);
  }

  return pairs;
}

const ELEMENT_RE = /^(?:([A-Z][A-Za-z]+)\.)?([a-z][A-Za-z0-9]*)$/;

export function parseKickOff(pairs: [string, string][], now = new Date()): TKickOffInput {
  const input: TKickOffInput = { outputFormat: null, since: null, types: null, typeFilters: [], elements: null, patients: [], includeAssociatedData: [], unknown: [] };
  for (const [name, raw] of pairs) {
    const value = raw.trim();
    switch (name) {
      case "_outputFormat":
        if (!OUTPUT_FORMATS.includes(value)) throw invalid("_outputFormat", `must be one of ${OUTPUT_FORMATS.join(", ")}`);
        input.outputFormat = value;
        break;
      case "_since":
        input.since = value === BULK_SINCE_LAST_SUCCESSFUL_RUN ? BULK_SINCE_LAST_SUCCESSFUL_RUN : parseSince(value, now);
        break;
      case "_type":
        for (const type of value.split(",").map((part) => part.trim()).filter(Boolean)) {
          if (!BULK_TYPES.includes(type)) throw invalid("_type", `${type.slice(0, 64)} is not a type this server exports (${BULK_TYPES.join(", ")})`);
          input.types = [...new Set([...(input.types ?? []), type])];
        }
        break;
      case "_typeFilter": {
        const question = value.indexOf("?");
        const type = question > 0 ? value.slice(0, question) : "";
        if (!BULK_TYPES.includes(type)) throw invalid("_typeFilter", "must be <Type>?<search parameters> with a type this server exports");
        input.typeFilters.push({ type, query: value.slice(question + 1) });
        break;
      }
      case "_elements":
        for (const element of value.split(",").map((part) => part.trim()).filter(Boolean)) {
          const match = ELEMENT_RE.exec(element);
          if (!match || (match[1] && !BULK_TYPES.includes(match[1]))) throw invalid("_elements", `${element.slice(0, 64)} is not an element name (name or Type.name)`);
          input.elements = [...(input.elements ?? []), element];
        }
        break;
      case "patient":
        input.patients.push(...value.split(",").map((part) => part.trim()).filter(Boolean));
        break;
      case "includeAssociatedData":
        input.includeAssociatedData.push(...value.split(",").map((part) => part.trim()).filter(Boolean));
        break;
      default:
        input.unknown.push(name);
    }
  }

  return input;
}
