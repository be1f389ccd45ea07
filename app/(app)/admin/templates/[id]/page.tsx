import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { Forbidden } from "@/components/forbidden";
import { TemplateEditor } from "@/components/templates/template-editor";
import { TemplateReference } from "@/components/templates/template-reference";
import { canViewPage, pageRequestMeta } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { AppError } from "@/lib/errors/app-error";
import type { TReportExportType } from "@/lib/reports/report-context.types";
import { getTemplate } from "@/lib/templates/template-service";

export const metadata: Metadata = { title: "Edit template" };
export const dynamic = "force-dynamic";

export default async function TemplatePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "template.manage" }))) return <Forbidden what="templates" />;
  const { id } = await params;
  let template: Awaited<ReturnType<typeof getTemplate>>;
  try {
    template = await getTemplate(actor, id, await pageRequestMeta());
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") notFound();
    throw error;
  }

  return (
    <>
      <div className="page-header">
        <div>
          <p className="small muted">
            <Link href="/admin/templates">Templates</Link> /
          </p>
          <h1 data-testid="template-name">{template.name}</h1>
          <p className="muted" data-testid="template-meta">
            {template.export_type.replace(/_/g, " ")} · {template.format.toUpperCase()} · version {template.version}
            {template.is_system ? " · system template (read-only)" : ""}
          </p>
        </div>
      </div>
      <TemplateEditor
        key={template.id}
        template={{ id: template.id, name: template.name, description: template.description ?? "", content: template.template_content ?? "", isSystem: template.is_system, isLatest: template.is_latest, format: template.format }}
        versions={template.versions}
      />
      <TemplateReference exportType={template.export_type as TReportExportType} />
    </>
  );
}
