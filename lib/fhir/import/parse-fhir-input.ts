// Turns an import file (a Bundle, or NDJSON with one resource per line) into a flat list of
// raw resources with their position, before any validation.
import { AppError, type TIssue } from "@/lib/errors/app-error";
import { assertJsonDepth, assertSafeJsonText, jsonTextMayHoldUnsafe, MAX_JSON_DEPTH } from "@/lib/input/input-guards";

export type TImportFormat = "bundle" | "ndjson" | "auto";

export const BUNDLE_TYPES = ["batch", "transaction", "collection", "searchset"] as const;

export type TRawEntry = {
  /** 0-based position in the file: the bundle entry, or the non-blank NDJSON line. */
  index: number;
  resource: unknown;
  fullUrl?: string;
  /** A batch/transaction entry with `request.method: "DELETE"`: its `request.url`, and no resource. */
  deleteUrl?: string;
};

/** Bundle types whose entries carry a `request` that the import honours (DELETE). */
const REQUEST_BUNDLE_TYPES = new Set(["batch", "transaction"]);

function invalid(message: string, issues: TIssue[]): never {
  throw new AppError("INVALID_INPUT", message, { issues });
}

function entriesOfBundle(bundle: Record<string, unknown>, allowedTypes: readonly string[]): TRawEntry[] {
  if (!allowedTypes.includes(String(bundle.type))) {
    invalid(`Bundle.type must be one of ${allowedTypes.join(", ")} (got ${JSON.stringify(bundle.type ?? null)})`, [{ path: "Bundle.type", message: `must be one of ${allowedTypes.join(", ")}` }]);
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) invalid("Bundle.entry must be an array", [{ path: "Bundle.entry", message: "must be an array" }]);

  return entries.map((entry, index) => {
    const request = (entry as { request?: { method?: unknown; url?: unknown } } | null)?.request;
    if (REQUEST_BUNDLE_TYPES.has(String(bundle.type)) && request?.method === "DELETE") {
      return { index, resource: undefined, deleteUrl: typeof request.url === "string" ? request.url : "" };
    }
    const resource = (entry as { resource?: unknown } | null)?.resource;
    if (!resource || typeof resource !== "object") {
      invalid(`resource ${index}: Bundle.entry[${index}] has no resource`, [{ path: `resource ${index}`, message: "entry has no resource" }]);
    }
    const fullUrl = (entry as { fullUrl?: unknown }).fullUrl;

    return { index, resource, fullUrl: typeof fullUrl === "string" ? fullUrl : undefined };
  });
}

function entriesOfNdjson(text: string): TRawEntry[] {
  const entries: TRawEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let line = 0; line < lines.length; line++) {
    const source = lines[line]!.trim();
    if (!source) continue;
    let resource: unknown;
    try {
      resource = JSON.parse(source);
    } catch {
      invalid(`resource ${entries.length} (line ${line + 1}): not valid JSON`, [{ path: `resource ${entries.length} (line ${line + 1})`, message: "not valid JSON" }]);
    }
    entries.push({ index: entries.length, resource });
  }

  return entries;
}

export type TParseOptions = { format?: TImportFormat; bundleTypes?: readonly string[] };

/**
 * The same bounds as an API body (lib/input/input-guards.ts), for the CLI's files too: nesting
 * (a Bundle adds three levels around each resource), NUL and unpaired surrogates in any string.
 */
export function parseFhirInput(input: string | Buffer, options: TParseOptions = {}): TRawEntry[] {
  const text = (typeof input === "string" ? input : input.toString("utf8")).replace(/^\uFEFF/, "");
  assertJsonDepth(text, MAX_JSON_DEPTH + 3, "Invalid import file", "(file)");
  const entries = parseEntries(text, options);
  // The walk names the resource and path of a bad string; it is only needed when the text may hold one.
  if (jsonTextMayHoldUnsafe(text)) {
    for (const entry of entries) assertSafeJsonText(entry.resource, [`resource ${entry.index}`], "Invalid import file");
  }

  return entries;
}

function parseEntries(text: string, { format = "auto", bundleTypes = BUNDLE_TYPES }: TParseOptions): TRawEntry[] {
  if (!text.trim()) invalid("The file is empty", [{ path: "(file)", message: "empty" }]);

  if (format === "ndjson") return entriesOfNdjson(text);

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (format === "bundle") invalid("The file is not valid JSON", [{ path: "(file)", message: "not valid JSON" }]);

    // auto: not one JSON document, so it should be NDJSON.
    return entriesOfNdjson(text);
  }
  const isBundle = Boolean(parsed && typeof parsed === "object" && (parsed as { resourceType?: unknown }).resourceType === "Bundle");
  if (isBundle) return entriesOfBundle(parsed as Record<string, unknown>, bundleTypes);
  if (format === "bundle") invalid("Expected a FHIR Bundle (resourceType \"Bundle\")", [{ path: "resourceType", message: "must be Bundle" }]);

  // auto: a single resource is a one-line NDJSON file.
  return [{ index: 0, resource: parsed }];
}
