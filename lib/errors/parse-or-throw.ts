import type { z } from "zod";

import { AppError, type TIssue } from "@/lib/errors/app-error";

/** Turns zod issues into the API's `{ path, message }` list, paths dotted ("options.include_transcript"). */
export function toIssues(error: z.ZodError, root = "(body)"): TIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join(".") : root,
    message: issue.message,
  }));
}

/** Validates `input` with `schema`; a failure is the API's 400 naming each field and its reason. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what = "Invalid input", root = "(body)"): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = toIssues(result.error, root);
    throw new AppError("INVALID_INPUT", `${what}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`, { issues });
  }

  return result.data;
}
