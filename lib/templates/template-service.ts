// Report templates: list, read, create, version, archive and copy, plus the lookup the report
// job uses. A template is a family of rows sharing `templateKey`; each save adds a version and
// moves `isLatest`, so a job keeps pointing at the exact version it rendered.
import { randomUUID } from "node:crypto";

import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { authorize } from "@/lib/auth/authorize";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { AppError, invalidInput, notFound } from "@/lib/errors/app-error";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { invalidTemplate, validateTemplateContent } from "@/lib/templates/liquid";
import { syncSystemTemplates } from "@/lib/templates/sync-system-templates";
import { resolveIncludeSections, withSectionAliases } from "@/lib/templates/section-catalog";
import type { TTemplateCreate, TTemplateFormat, TTemplateUpdate } from "@/lib/templates/template-input.types";

const TEMPLATE_SELECT = {
  id: true,
  templateKey: true,
  version: true,
  isLatest: true,
  name: true,
  description: true,
  exportType: true,
  format: true,
  templateContent: true,
  includeSections: true,
  isSystem: true,
  isArchived: true,
  createdAt: true,
  updatedAt: true,
  createdBy: { select: { id: true, name: true } },
} as const;

type TTemplateRow = {
  id: string;
  templateKey: string;
  version: number;
  isLatest: boolean;
  name: string;
  description: string | null;
  exportType: string;
  format: string;
  templateContent: string;
  includeSections: unknown;
  isSystem: boolean;
  isArchived: boolean;
  createdAt: Date;
  updatedAt: Date;
  createdBy: { id: string; name: string } | null;
};

/** The API shape (snake_case, as the spec). The content is left out of lists. */
export function toTemplateDto(row: TTemplateRow, options: { withContent: boolean }) {
  return {
    id: row.id,
    template_key: row.templateKey,
    version: row.version,
    is_latest: row.isLatest,
    name: row.name,
    description: row.description,
    export_type: row.exportType,
    format: row.format,
    // Stored in our section names; the spec's names are shown beside them (see section-catalog).
    include_sections: withSectionAliases(row.exportType as TReportExportType, (row.includeSections ?? {}) as Record<string, boolean>),
    is_system: row.isSystem,
    is_archived: row.isArchived,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    ...(options.withContent ? { template_content: row.templateContent } : {}),
  };
}

const READ_ONLY_MESSAGE = "System templates are read-only. Copy it (POST /api/v1/export/templates/{id}/copy) and edit the copy.";

async function findTemplateOrThrow(id: string) {
  const row = await prisma.exportTemplate.findUnique({ where: { id }, select: TEMPLATE_SELECT });
  if (!row) throw notFound("Template");

  return row;
}

async function assertValidContent(content: string, exportType: TReportExportType) {
  const result = await validateTemplateContent(content, exportType);
  if (!result.ok) throw invalidTemplate(result.issues);
}

function isUniqueViolation(error: unknown) {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

export async function listTemplates(actor: TActor, filter: { export_type?: TReportExportType; format?: TTemplateFormat }, meta?: TRequestMeta | null) {
  await authorize(actor, { action: "template.use" }, { meta });
  // A document template renders to PDF and DOCX alike: asking for pdf also lists `html` ones.
  const formats = filter.format && filter.format !== "html" ? [filter.format, "html"] : filter.format ? ["html"] : undefined;
  const rows = await prisma.exportTemplate.findMany({
    where: { isLatest: true, isArchived: false, ...(filter.export_type ? { exportType: filter.export_type } : {}), ...(formats ? { format: { in: formats } } : {}) },
    orderBy: [{ isSystem: "desc" }, { exportType: "asc" }, { name: "asc" }],
    select: TEMPLATE_SELECT,
  });

  return rows.map((row) => toTemplateDto(row, { withContent: false }));
}

/** One version with its content, and the family's version history. */
export async function getTemplate(actor: TActor, id: string, meta?: TRequestMeta | null) {
  await authorize(actor, { action: "template.use" }, { meta });
  const row = await findTemplateOrThrow(id);
  const versions = await prisma.exportTemplate.findMany({
    where: { templateKey: row.templateKey },
    orderBy: { version: "desc" },
    select: { id: true, version: true, isLatest: true, createdAt: true },
  });

  return { ...toTemplateDto(row, { withContent: true }), versions: versions.map((v) => ({ id: v.id, version: v.version, is_latest: v.isLatest, created_at: v.createdAt.toISOString() })) };
}

export async function createTemplate(actor: TActor, input: TTemplateCreate, meta?: TRequestMeta | null) {
  await authorize(actor, { action: "template.manage" }, { meta });
  const includeSections = resolveIncludeSections(input.export_type, input.include_sections);
  await assertValidContent(input.template_content, input.export_type);

  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.exportTemplate.create({
      data: {
        templateKey: `custom:${randomUUID()}`,
        version: 1,
        isLatest: true,
        name: input.name,
        description: input.description ?? null,
        exportType: input.export_type,
        format: input.format,
        templateContent: input.template_content,
        includeSections,
        isSystem: false,
        createdById: actor.id,
      },
      select: TEMPLATE_SELECT,
    });
    await recordAudit(tx, { action: "template_created", userId: actor.id, templateId: created.id, metadata: { templateKey: created.templateKey, version: 1, exportType: created.exportType, format: created.format }, meta });

    return created;
  });

  return toTemplateDto(row, { withContent: true });
}

/** Saves a new version; the previous one stays for the jobs that rendered with it. */
export async function updateTemplate(actor: TActor, id: string, input: TTemplateUpdate, meta?: TRequestMeta | null) {
  await authorize(actor, { action: "template.manage" }, { meta });
  const current = await findTemplateOrThrow(id);
  if (current.isSystem) throw new AppError("CONFLICT", READ_ONLY_MESSAGE);
  if (current.isArchived) throw new AppError("CONFLICT", "This template is archived; copy it to make changes.");
  if (!current.isLatest) throw new AppError("CONFLICT", "This is not the latest version of the template; edit the latest one.");
  const exportType = current.exportType as TReportExportType;
  if (input.export_type && input.export_type !== exportType) throw invalidInput("export_type", `cannot change (${exportType}); create a new template instead`);

  const content = input.template_content ?? current.templateContent;
  const includeSections = resolveIncludeSections(exportType, input.include_sections, current.includeSections as Record<string, boolean>);
  await assertValidContent(content, exportType);
  const next = {
    name: input.name ?? current.name,
    description: input.description === undefined ? current.description : input.description,
    format: input.format ?? current.format,
    templateContent: content,
    includeSections,
  };
  const changed = Object.entries({ name: current.name, description: current.description, format: current.format, templateContent: current.templateContent, includeSections: current.includeSections })
    .filter(([key, before]) => JSON.stringify(before) !== JSON.stringify(next[key as keyof typeof next]))
    .map(([key]) => key);

  try {
    const row = await prisma.$transaction(async (tx) => {
      // Only the row that is still latest may be superseded: a concurrent save loses here.
      const demoted = await tx.exportTemplate.updateMany({ where: { id: current.id, isLatest: true }, data: { isLatest: false } });
      if (demoted.count !== 1) throw new AppError("CONFLICT", "The template was changed meanwhile; reload it and try again.");
      const created = await tx.exportTemplate.create({
        data: { templateKey: current.templateKey, version: current.version + 1, isLatest: true, exportType, isSystem: false, createdById: actor.id, ...next },
        select: TEMPLATE_SELECT,
      });
      await recordAudit(tx, {
        action: "template_updated",
        userId: actor.id,
        templateId: created.id,
        metadata: { templateKey: current.templateKey, fromVersion: current.version, toVersion: created.version, previousId: current.id, changed },
        meta,
      });

      return created;
    });

    return toTemplateDto(row, { withContent: true });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", "The template was changed meanwhile; reload it and try again.");
    throw error;
  }
}

/** Hides every version from lists and new edits; jobs and schedules that used it keep working. */
export async function archiveTemplate(actor: TActor, id: string, meta?: TRequestMeta | null) {
  await authorize(actor, { action: "template.manage" }, { meta });
  const current = await findTemplateOrThrow(id);
  if (current.isSystem) throw new AppError("CONFLICT", "System templates are read-only and cannot be archived.");
  if (current.isArchived) return { id: current.id, template_key: current.templateKey, is_archived: true };

  await prisma.$transaction(async (tx) => {
    await tx.exportTemplate.updateMany({ where: { templateKey: current.templateKey }, data: { isArchived: true } });
    await recordAudit(tx, { action: "template_archived", userId: actor.id, templateId: current.id, metadata: { templateKey: current.templateKey, version: current.version }, meta });
  });

  return { id: current.id, template_key: current.templateKey, is_archived: true };
}

/** A new, editable template family starting from any template's content (typically a system one). */
export async function copyTemplate(actor: TActor, id: string, input: { name?: string }, meta?: TRequestMeta | null) {
  await authorize(actor, { action: "template.manage" }, { meta });
  const source = await findTemplateOrThrow(id);

  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.exportTemplate.create({
      data: {
        templateKey: `custom:${randomUUID()}`,
        version: 1,
        isLatest: true,
        name: input.name ?? `${source.name} (copy)`,
        description: source.description,
        exportType: source.exportType,
        format: source.format,
        templateContent: source.templateContent,
        includeSections: source.includeSections ?? {},
        isSystem: false,
        createdById: actor.id,
      },
      select: TEMPLATE_SELECT,
    });
    await recordAudit(tx, {
      action: "template_created",
      userId: actor.id,
      templateId: created.id,
      metadata: { templateKey: created.templateKey, version: 1, exportType: created.exportType, copiedFromId: source.id, copiedFromVersion: source.version },
      meta,
    });

    return created;
  });

  return toTemplateDto(row, { withContent: true });
}

/**
 * The template a report job renders with: the given version exactly (even if superseded or
 * archived since the job was queued), or the latest system template for the export type.
 * 404 for an unknown id, 400 when the template is for another export type.
 */
export async function resolveTemplateForExport(exportType: TReportExportType, format: "pdf" | "docx", templateId?: string): Promise<{ id: string; content: string; version: number }> {
  if (templateId) {
    const row = await prisma.exportTemplate.findUnique({ where: { id: templateId }, select: { id: true, exportType: true, templateContent: true, version: true } });
    if (!row) throw notFound("Template");
    if (row.exportType !== exportType) throw invalidInput("template_id", `is a ${row.exportType} template; this export needs a ${exportType} template`);

    return { id: row.id, content: row.templateContent, version: row.version };
  }

  const findSystem = () =>
    prisma.exportTemplate.findFirst({
      where: { exportType, isSystem: true, isLatest: true, isArchived: false },
      orderBy: { version: "desc" },
      select: { id: true, templateContent: true, version: true },
    });
  // A fresh database (tests, first start) may not have synced the built-in templates yet.
  const row = (await findSystem()) ?? (await syncSystemTemplates(prisma).then(findSystem));
  if (!row) throw new AppError("INTERNAL", `No system template for ${exportType} (${format})`);

  return { id: row.id, content: row.templateContent, version: row.version };
}
