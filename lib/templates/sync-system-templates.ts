// Copies the built-in templates (templates/<export_type>.html.liquid) into ExportTemplate rows.
// Idempotent: an unchanged file does nothing; a changed file becomes a new version, so jobs
// that rendered with the old one still point at it. Called by the demo seed / startup, and
// lazily by resolveTemplateForExport on a fresh database.
import { readFile } from "node:fs/promises";
import path from "node:path";

import { recordAudit } from "@/lib/audit/record";
import { prisma, type TDb, type TTx } from "@/lib/db/client";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { REPORT_EXPORT_TYPES } from "@/lib/reports/report-requests";
import { templateIssueText, validateTemplateContent } from "@/lib/templates/liquid";
import { sectionNamesOf } from "@/lib/templates/section-catalog";

export const SYSTEM_TEMPLATE_DIRECTORY = path.join(process.cwd(), "templates");

const SYSTEM_TEMPLATE_NAMES: Record<TReportExportType, { name: string; description: string }> = {
  session_notes: { name: "Session note (standard)", description: "SOAP note per session with service details, optional action items, AI notes and transcript, and clinician signature." },
  progress_report: { name: "Progress report (standard)", description: "Diagnoses, goals and goal progress, PHQ-9 / GAD-7 trends, session summary, observations, recommendations and signature." },
  treatment_summary: { name: "Treatment summary (standard)", description: "Diagnoses, plan, interventions, progress and prognosis for insurance, transfer of care or records requests." },
  full_record: { name: "Full clinical record (standard)", description: "Demographics, plans, sessions, SOAP notes, assessments and timeline." },
  insurance_report: { name: "Insurance report (standard)", description: "Claim structure: provider NPI, member ID, ICD-10 codes, CPT service lines and units, clinical summary with medical necessity." },
};

export type TSyncResult = { created: string[]; updated: string[]; unchanged: string[] };

export function systemTemplateKey(exportType: TReportExportType) {
  return `system:${exportType}`;
}

async function syncOne(tx: TTx, exportType: TReportExportType, content: string): Promise<"created" | "updated" | "unchanged"> {
  const key = systemTemplateKey(exportType);
  const latest = await tx.exportTemplate.findFirst({ where: { templateKey: key }, orderBy: { version: "desc" }, select: { id: true, version: true, templateContent: true, isLatest: true } });
  if (latest && latest.templateContent === content) {
    if (!latest.isLatest) await tx.exportTemplate.update({ where: { id: latest.id }, data: { isLatest: true } });
    return "unchanged";
  }
  if (latest) await tx.exportTemplate.updateMany({ where: { templateKey: key, isLatest: true }, data: { isLatest: false } });
  const version = (latest?.version ?? 0) + 1;
  const created = await tx.exportTemplate.create({
    data: {
      templateKey: key,
      version,
      isLatest: true,
      ...SYSTEM_TEMPLATE_NAMES[exportType],
      exportType,
      format: "html",
      templateContent: content,
      includeSections: Object.fromEntries(sectionNamesOf(exportType).map((name) => [name, true])),
      isSystem: true,
    },
    select: { id: true },
  });
  await recordAudit(tx, {
    action: latest ? "template_updated" : "template_created",
    actorLabel: "system",
    templateId: created.id,
    metadata: { templateKey: key, version, source: `templates/${exportType}.html.liquid` },
  });

  return latest ? "updated" : "created";
}

export async function syncSystemTemplates(db: TDb = prisma, directory = SYSTEM_TEMPLATE_DIRECTORY): Promise<TSyncResult> {
  const result: TSyncResult = { created: [], updated: [], unchanged: [] };
  for (const exportType of REPORT_EXPORT_TYPES) {
    const file = path.join(directory, `${exportType}.html.liquid`);
    const content = await readFile(file, "utf8");
    // A broken built-in template is a release bug: fail loudly rather than store it.
    const validation = await validateTemplateContent(content, exportType);
    if (!validation.ok) throw new Error(`templates/${exportType}.html.liquid: ${validation.issues.map(templateIssueText).join("; ")}`);

    try {
      const outcome = "$transaction" in db ? await db.$transaction((tx) => syncOne(tx, exportType, content)) : await syncOne(db, exportType, content);
      result[outcome].push(exportType);
    } catch (error) {
      // Another instance synced the same version at the same moment: theirs stands.
      if ((error as { code?: string }).code === "P2002") result.unchanged.push(exportType);
      else throw error;
    }
  }

  return result;
}
