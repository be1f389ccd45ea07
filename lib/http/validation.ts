import type { z } from "zod";

import { AppError, type TIssue } from "@/lib/http/errors";

/** Turns zod issues into the API's `{ path, message }` list, paths dotted ("options.include_transcript"). */
export function toIssues(error: z.ZodError): TIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join(".") : "(body)",
    message: issue.message,
  }));
}

export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what = "Invalid input"): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = toIssues(result.error);
    throw new AppError("INVALID_INPUT", `${what}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`, { issues });
  }

  return result.data;
}

/** Query string -> plain object; repeated keys become arrays. */
export function searchParamsToObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length > 1 ? values : values[0]!;
  }

  return out;
}
