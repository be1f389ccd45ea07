import type { Metadata } from "next";

import { Forbidden } from "@/components/forbidden";
import { TemplatesTable } from "@/components/templates/templates-table";
import { canViewPage, pageRequestMeta } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { listTemplates } from "@/lib/templates/template-service";

export const metadata: Metadata = { title: "Templates" };
export const dynamic = "force-dynamic";

export default async function TemplatesPage() {
  const actor = await requirePageActor();
  if (!(await canViewPage(actor, { action: "template.manage" }))) return <Forbidden what="templates" />;
  const templates = await listTemplates(actor, {}, await pageRequestMeta());

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Templates</h1>
          <p className="muted">HTML with Liquid tags, rendered to PDF and DOCX. System templates are read-only: copy one to adapt it. Saving keeps earlier versions for the exports that used them.</p>
        </div>
      </div>
      <TemplatesTable
        templates={templates.map((template) => ({
          id: template.id,
          name: template.name,
          description: template.description ?? null,
          export_type: template.export_type,
          format: template.format,
          version: template.version,
          is_system: template.is_system,
          updated_at: template.updated_at,
        }))}
      />
    </>
  );
}
