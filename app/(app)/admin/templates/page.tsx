import type { Metadata } from "next";
import Link from "next/link";

import { Forbidden } from "@/components/forbidden";
import { canViewPage, pageRequestMeta } from "@/lib/auth/page-access";
import { requirePageActor } from "@/lib/auth/session";
import { listTemplates } from "@/lib/templates/template-service";

export const metadata: Metadata = { title: "Templates" };
export const dynamic = "force-dynamic";

const label = (value: string) => value.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

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
      <div className="table-wrap">
        <table className="table" data-testid="templates-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Export type</th>
              <th>Format</th>
              <th>Version</th>
              <th>Kind</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {templates.length === 0 && (
              <tr>
                <td colSpan={6} className="empty">
                  No templates yet.
                </td>
              </tr>
            )}
            {templates.map((template) => (
              <tr key={template.id} data-testid="template-row">
                <td>
                  <Link href={`/admin/templates/${template.id}`}>{template.name}</Link>
                  {template.description && <div className="small muted">{template.description}</div>}
                </td>
                <td>{label(template.export_type)}</td>
                <td>{template.format.toUpperCase()}</td>
                <td>v{template.version}</td>
                <td>{template.is_system ? <span className="badge badge-info">system</span> : <span className="badge">custom</span>}</td>
                <td className="small nowrap">{template.updated_at.slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
