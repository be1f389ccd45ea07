// Request bodies of the template API (the spec's field names). include_sections: lib/templates/section-catalog.ts.
import { z } from "zod";

import { REPORT_EXPORT_TYPES } from "@/lib/reports/report-requests";
import { MAX_TEMPLATE_CHARS } from "@/lib/templates/liquid";

/**
 * The document a template is meant for. `html` templates are document templates that render to
 * PDF and DOCX alike (the system templates are `html`); `pdf` / `docx` say which one an author
 * designed for, but every template can produce both.
 */
export const TEMPLATE_FORMATS = ["pdf", "docx", "html"] as const;
export type TTemplateFormat = (typeof TEMPLATE_FORMATS)[number];

const ZExportType = z.enum(REPORT_EXPORT_TYPES, { message: `must be one of ${REPORT_EXPORT_TYPES.join(", ")}` });
const ZTemplateFormat = z.enum(TEMPLATE_FORMATS, { message: `must be one of ${TEMPLATE_FORMATS.join(", ")}` });

export const ZTemplateCreate = z.object({
  name: z.string({ message: "is required" }).trim().min(1, "is required").max(200, "at most 200 characters"),
  description: z.string().trim().max(2000, "at most 2000 characters").nullish(),
  export_type: ZExportType,
  format: ZTemplateFormat,
  template_content: z.string({ message: "is required" }).min(1, "is required").max(MAX_TEMPLATE_CHARS, `at most ${MAX_TEMPLATE_CHARS} characters`),
  include_sections: z.record(z.string(), z.boolean({ message: "must be true or false" })).optional(),
});
export type TTemplateCreate = z.infer<typeof ZTemplateCreate>;

export const ZTemplateUpdate = ZTemplateCreate.partial().refine((value) => Object.values(value).some((field) => field !== undefined), { message: "send at least one field to change" });
export type TTemplateUpdate = z.infer<typeof ZTemplateUpdate>;

export const ZTemplateCopy = z.object({ name: z.string().trim().min(1, "is required").max(200, "at most 200 characters").optional() }).default({});

export const ZTemplateListQuery = z.object({
  export_type: ZExportType.optional(),
  format: z.enum(["pdf", "docx", "html"], { message: "must be pdf, docx or html" }).optional(),
});

export const ZTemplatePreview = z
  .object({
    format: z.enum(["pdf", "docx", "html", "json"], { message: "must be pdf, docx, html or json" }).optional(),
    /** Unsaved content from the editor: previewed against the same sample, never stored. */
    template_content: z.string().min(1, "is required").max(MAX_TEMPLATE_CHARS, `at most ${MAX_TEMPLATE_CHARS} characters`).optional(),
  })
  .default({});
