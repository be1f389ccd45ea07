"use client";

// Template editor: the Liquid/HTML source beside a live PDF preview rendered by the server with
// sample data. Unsaved edits are previewed (never stored); saving makes a new version and
// refuses a template that does not parse or uses an unknown variable, naming line and reason.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

import { errorMessageOf } from "@/components/exports/use-job-events";

type TEditorTemplate = { id: string; name: string; description: string; content: string; isSystem: boolean; isLatest: boolean; format: string };
type TVersion = { id: string; version: number; is_latest: boolean; created_at: string };

const PREVIEW_DEBOUNCE_MS = 700;

export function TemplateEditor({ template, versions }: { template: TEditorTemplate; versions: TVersion[] }) {
  const router = useRouter();
  const [content, setContent] = useState(template.content);
  const [name, setName] = useState(template.name);
  const [description, setDescription] = useState(template.description);
  const [previewMode, setPreviewMode] = useState<"pdf" | "html">("pdf");
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);
  const [previewHtml, setPreviewHtml] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const previewSeq = useRef(0);
  const readOnly = template.isSystem || !template.isLatest;

  useEffect(() => {
    const seq = ++previewSeq.current;
    const timer = setTimeout(async () => {
      setPreviewing(true);
      try {
        const response = await fetch(`/api/v1/export/templates/${encodeURIComponent(template.id)}/preview`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ format: previewMode, ...(content !== template.content ? { template_content: content } : {}) }),
        });
        if (seq !== previewSeq.current) return;
        if (!response.ok) {
          setPreviewError(await errorMessageOf(response));
          return;
        }
        if (previewMode === "html") {
          setPreviewHtml(await response.text());
        } else {
          const url = URL.createObjectURL(await response.blob());
          setPreviewUrl((previous) => {
            if (previous) URL.revokeObjectURL(previous);
            return url;
          });
        }
        setPreviewError(null);
      } catch {
        if (seq === previewSeq.current) setPreviewError("The preview could not be loaded.");
      } finally {
        if (seq === previewSeq.current) setPreviewing(false);
      }
    }, PREVIEW_DEBOUNCE_MS);

    return () => clearTimeout(timer);
  }, [content, template.id, template.content, previewMode]);

  async function save() {
    setBusy(true);
    setSaveError(null);
    setNotice(null);
    try {
      const response = await fetch(`/api/v1/export/templates/${encodeURIComponent(template.id)}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, description, template_content: content }),
      });
      if (!response.ok) {
        setSaveError(await errorMessageOf(response));
        return;
      }
      const saved = (await response.json()) as { id: string; version: number };
      setNotice(`Saved as version ${saved.version}.`);
      router.push(`/admin/templates/${saved.id}`);
      router.refresh();
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    setBusy(true);
    setSaveError(null);
    try {
      const response = await fetch(`/api/v1/export/templates/${encodeURIComponent(template.id)}/copy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: `${template.name} (copy)` }) });
      if (!response.ok) {
        setSaveError(await errorMessageOf(response));
        return;
      }
      const created = (await response.json()) as { id: string };
      router.push(`/admin/templates/${created.id}`);
    } finally {
      setBusy(false);
    }
  }

  async function archive() {
    if (!window.confirm("Archive this template? Exports that used it keep their version; it will no longer be offered.")) return;
    setBusy(true);
    try {
      const response = await fetch(`/api/v1/export/templates/${encodeURIComponent(template.id)}`, { method: "DELETE" });
      if (!response.ok) {
        setSaveError(await errorMessageOf(response));
        return;
      }
      router.push("/admin/templates");
      router.refresh();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="grid-2" style={{ alignItems: "start" }}>
      <section className="card stack">
        {template.isSystem && (
          <div className="alert alert-info">
            System templates are read-only. Edit freely to preview; copy it to keep your changes.
          </div>
        )}
        {!template.isLatest && <div className="alert alert-warn">This is an earlier version, kept for the exports that used it.</div>}
        <div className="grid-2">
          <label className="field">
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} disabled={readOnly} data-testid="template-name-input" />
          </label>
          <label className="field">
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} disabled={readOnly} />
          </label>
        </div>
        <label className="field">
          Template (HTML with Liquid)
          <textarea value={content} onChange={(e) => setContent(e.target.value)} rows={28} spellCheck={false} data-testid="template-content" />
        </label>
        {saveError && (
          <div className="alert alert-danger" role="alert" data-testid="template-error">
            {saveError}
          </div>
        )}
        {notice && <div className="alert alert-ok">{notice}</div>}
        <div className="row">
          {!readOnly && (
            <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={busy} data-testid="template-save">
              Save new version
            </button>
          )}
          <button type="button" className="btn" onClick={() => void copy()} disabled={busy} data-testid="template-copy">
            Copy
          </button>
          {!template.isSystem && template.isLatest && (
            <button type="button" className="btn btn-danger" onClick={() => void archive()} disabled={busy}>
              Archive
            </button>
          )}
        </div>
        {versions.length > 1 && (
          <div>
            <h3>Versions</h3>
            <ul className="small">
              {versions.map((version) => (
                <li key={version.id}>
                  {version.id === template.id ? <strong>v{version.version}</strong> : <Link href={`/admin/templates/${version.id}`}>v{version.version}</Link>} · {version.created_at.slice(0, 10)}
                  {version.is_latest ? " (latest)" : ""}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>
      <section className="card stack" style={{ position: "sticky", top: 16 }}>
        <div className="row" style={{ justifyContent: "space-between" }}>
          <h2 style={{ margin: 0 }}>Preview</h2>
          <select value={previewMode} onChange={(e) => setPreviewMode(e.target.value as "pdf" | "html")} aria-label="Preview as" data-testid="template-preview-mode">
            <option value="pdf">PDF</option>
            <option value="html">HTML</option>
          </select>
          <span className="small muted" data-testid="template-preview-state">
            {previewing ? "Rendering…" : previewError ? "Error" : "Sample data"}
          </span>
        </div>
        {previewError && (
          <div className="alert alert-danger" data-testid="template-preview-error">
            {previewError}
          </div>
        )}
        {previewMode === "html" && previewHtml !== null ? (
          // Rendered server-side from the sandboxed template; scripts stay off in the frame.
          <iframe title="Template preview" srcDoc={previewHtml} sandbox="" style={{ width: "100%", height: 720, border: "1px solid var(--border)", borderRadius: 6 }} data-testid="template-preview-html" />
        ) : previewMode === "pdf" && previewUrl ? (
          <iframe title="Template preview" src={previewUrl} style={{ width: "100%", height: 720, border: "1px solid var(--border)", borderRadius: 6 }} data-testid="template-preview" />
        ) : (
          <div className="empty">Rendering the preview…</div>
        )}
      </section>
    </div>
  );
}
