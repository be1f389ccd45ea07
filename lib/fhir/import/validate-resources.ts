// Step 1 of an import: every resource is checked (shape, dates, codes, formats) before any
// reference is resolved or row written. All problems are collected, so one run names them all.
import type { z } from "zod";

import { DELIVERY_FORMATS, EXTENSIONS, REFERRAL_STATUSES } from "@/lib/fhir/fhir-conventions";
import { RESOURCE_SCHEMAS, RESOURCE_TYPES, FHIR_ID_RE, type TParsedResource, type TResourceType } from "@/lib/fhir/import/fhir-schemas";
import type { TRawEntry } from "@/lib/fhir/import/parse-fhir-input";
import { decodeSessionNote } from "@/lib/fhir/session-note-content";
import { AppError, type TIssue } from "@/lib/errors/app-error";

export type TValidResource = {
  index: number;
  type: TResourceType;
  id: string;
  /** "Type/id", the key references use. */
  key: string;
  fullUrl?: string;
  /** The resource exactly as sent: stored in `raw` and compared on re-import. */
  raw: Record<string, unknown>;
  data: TParsedResource;
};

/** Issues beyond this are counted but not listed: the first ones are what a person fixes first. */
const MAX_LISTED_ISSUES = 100;

export function resourceLabel(index: number, type: unknown, id: unknown) {
  const typeText = typeof type === "string" && type ? type : "?";
  const idText = typeof id === "string" && id ? id : "?";

  return `resource ${index} (${typeText}/${idText})`;
}

function zodPath(path: readonly PropertyKey[]) {
  return path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), "") || "(resource)";
}

function zodMessage(issue: z.core.$ZodIssue) {
  return /received undefined$/.test(issue.message) ? "required" : issue.message;
}

/** Checks zod cannot express without knowing our conventions. */
function conventionIssues(resource: TParsedResource): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const checkCode = (url: string, allowed: readonly string[]) =>
    resource.extension?.forEach((extension, index) => {
      if (extension.url === url && !allowed.includes(extension.valueCode ?? "")) {
        issues.push({ path: `extension[${index}].valueCode`, message: `must be one of ${allowed.join(", ")}` });
      }
    });

  if (resource.resourceType === "Encounter") {
    checkCode(EXTENSIONS.deliveryFormat, DELIVERY_FORMATS);
    const { start, end } = resource.period;
    if (end && Date.parse(end) < Date.parse(start)) issues.push({ path: "period.end", message: "is before period.start" });
  }
  if (resource.resourceType === "CarePlan") checkCode(EXTENSIONS.referralStatus, REFERRAL_STATUSES);
  if (resource.resourceType === "DocumentReference") {
    const attachment = resource.content[0]!.attachment;
    const decoded = decodeSessionNote(attachment.contentType, attachment.data);
    if (!decoded.ok) issues.push({ path: "content[0].attachment", message: decoded.reason });
  }

  return issues;
}

export function validateResources(entries: TRawEntry[]): TValidResource[] {
  const issues: TIssue[] = [];
  const valid: TValidResource[] = [];
  const seen = new Map<string, number>();

  for (const entry of entries) {
    const raw = entry.resource as Record<string, unknown>;
    const label = resourceLabel(entry.index, raw?.resourceType, raw?.id);
    const type = raw?.resourceType;
    if (typeof type !== "string" || !(RESOURCE_TYPES as string[]).includes(type)) {
      const reason = typeof type === "string" ? `unsupported resource type ${type} (supported: ${RESOURCE_TYPES.join(", ")})` : "required";
      issues.push({ path: `${label}: resourceType`, message: reason });
      continue;
    }
    // The id is the upsert key: without it a re-import would duplicate the resource.
    if (typeof raw.id !== "string" || !FHIR_ID_RE.test(raw.id)) {
      issues.push({ path: `${label}: id`, message: raw.id === undefined ? "required (resources are upserted by id)" : "must be 1-64 letters, digits, '-' or '.'" });
      continue;
    }
    const key = `${type}/${raw.id}`;
    const previous = seen.get(key);
    if (previous !== undefined) {
      issues.push({ path: `${label}: id`, message: `duplicate of resource ${previous}` });
      continue;
    }
    seen.set(key, entry.index);

    const result = RESOURCE_SCHEMAS[type as TResourceType].safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) issues.push({ path: `${label}: ${zodPath(issue.path)}`, message: zodMessage(issue) });
      continue;
    }
    const data = result.data as TParsedResource;
    const extra = conventionIssues(data);
    if (extra.length) {
      for (const issue of extra) issues.push({ path: `${label}: ${issue.path}`, message: issue.message });
      continue;
    }
    valid.push({ index: entry.index, type: type as TResourceType, id: raw.id, key, fullUrl: entry.fullUrl, raw, data });
  }

  throwIfIssues(issues);

  return valid;
}

/** One AppError for the whole file: the message is the first issue (one line, CLI-friendly). */
export function throwIfIssues(issues: TIssue[]) {
  if (issues.length === 0) return;
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? "s" : ""})` : "";

  throw new AppError("INVALID_INPUT", `${first.path}: ${first.message}${more}`, { issues: issues.slice(0, MAX_LISTED_ISSUES) });
}
