import { describe, expect, it } from "vitest";

import { POST as copyRoute } from "@/app/api/v1/export/templates/[id]/copy/route";
import { POST as previewRoute } from "@/app/api/v1/export/templates/[id]/preview/route";
import { DELETE as archiveRoute, GET as getRoute, PUT as updateRoute } from "@/app/api/v1/export/templates/[id]/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/export/templates/route";
import { prisma } from "@/lib/db/client";
import { pdfText } from "@/lib/render/testing/pdf-text";
import { docxText, readZipEntry } from "@/lib/render/testing/read-docx";
import { syncSystemTemplates } from "@/lib/templates/sync-system-templates";
import { resolveTemplateForExport } from "@/lib/templates/template-service";

import { createUser } from "../setup/fixtures";
import { call, tokenFor } from "../setup/http";

const GOOD_CONTENT = `<h1>Custom progress for {{ patient.name }}</h1>
{% if include_sections.goal_progress %}
<table><thead><tr><th>Goal</th><th>Progress</th></tr></thead>
<tbody>{% for goal in goals %}<tr><td>{{ goal.description }}</td><td>{{ goal.progress_percent }}%</td></tr>{% endfor %}</tbody></table>
{% endif %}
<footer><p>Page {page} of {pages}</p></footer>`;

const body = (overrides: Record<string, unknown> = {}) => ({
  name: "Clinic progress report",
  description: "Short form",
  export_type: "progress_report",
  format: "pdf",
  template_content: GOOD_CONTENT,
  include_sections: { goal_progress: true, assessments: false },
  ...overrides,
});

async function admin() {
  const { user } = await createUser({ role: "ADMIN" });

  return { user, token: await tokenFor(user.id) };
}

describe("templates API", () => {
  it("creates a template (201, audited) and refuses a therapist's POST with 403", async () => {
    const { user, token } = await admin();
    const created = await call(createRoute, { path: "/api/v1/export/templates", token, body: body() });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ version: 1, is_latest: true, is_system: false, export_type: "progress_report", format: "pdf", template_content: GOOD_CONTENT });
    // Unlisted sections default to on; listed ones keep their value.
    expect(created.json.include_sections).toMatchObject({ goal_progress: true, assessments: false, diagnosis: true });
    expect(await prisma.exportAuditLog.count({ where: { action: "template_created", userId: user.id, templateId: created.json.id as string } })).toBe(1);

    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const refused = await call(createRoute, { path: "/api/v1/export/templates", token: await tokenFor(therapist.id), body: body() });
    expect(refused.status).toBe(403);
    expect(await prisma.exportAuditLog.count({ where: { action: "access_denied", userId: therapist.id } })).toBe(1);
  });

  it("refuses a template that fails to parse or uses an unknown variable, naming line and reason; nothing saved", async () => {
    const { token } = await admin();
    const before = await prisma.exportTemplate.count();

    const unclosed = await call(createRoute, { path: "/api/v1/export/templates", token, body: body({ template_content: "<p>a</p>\n{% for goal in goals %}\n<p>{{ goal.description }}</p>" }) });
    expect(unclosed.status).toBe(400);
    expect(unclosed.json.issues).toEqual([{ path: "template_content", message: "line 2, column 1: tag {% for goal in goals %} not closed" }]);

    const unknown = await call(createRoute, { path: "/api/v1/export/templates", token, body: body({ template_content: "<p>a</p>\n<p>b</p>\n<p>{{ patient.favourite_colour }}</p>" }) });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatch(/line 3.*undefined variable: patient\.favourite_colour/);

    const include = await call(createRoute, { path: "/api/v1/export/templates", token, body: body({ template_content: "{% include 'header' %}" }) });
    expect(include.status).toBe(400);
    expect(include.json.error).toMatch(/line 1.*not allowed/);

    const badFields = await call(createRoute, { path: "/api/v1/export/templates", token, body: { name: "", export_type: "nope", format: "pdf", template_content: "x" } });
    expect(badFields.status).toBe(400);
    expect((badFields.json.issues as { path: string }[]).map((issue) => issue.path).sort()).toEqual(["export_type", "name"]);

    const badSection = await call(createRoute, { path: "/api/v1/export/templates", token, body: body({ include_sections: { goal_progres: true } }) });
    expect(badSection.status).toBe(400);
    expect(badSection.json.issues).toEqual([expect.objectContaining({ path: "include_sections.goal_progres" })]);

    expect(await prisma.exportTemplate.count()).toBe(before);
  });

  it("saves a custom template that lists every note of each session, every treatment plan and each claim line's provider", async () => {
    const { token } = await admin();
    const content = `<h1>Record of {{ patient.name }}</h1>
{% for plan in treatment_plans %}<h2>Plan: {{ plan.title }} ({{ plan.status }})</h2>{% for intervention in plan.interventions %}<p>{{ intervention }}</p>{% endfor %}{% endfor %}
{% for session in sessions %}{% for note in session.notes %}<p>{{ note.date }}{% if session.is_note_only %} (no session){% endif %} {{ note.author }}: {{ note.subjective }}</p>{% endfor %}{% endfor %}
{% if options.scrub_third_party %}<p>Third parties removed (best effort).</p>{% endif %}`;
    const created = await call(createRoute, { path: "/api/v1/export/templates", token, body: body({ name: "Every plan and note", export_type: "full_record", include_sections: {}, template_content: content }) });
    expect(created.status).toBe(201);
    const id = created.json.id as string;

    const preview = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "html" } });
    expect(preview.status).toBe(200);
    for (const text of ["Plan: Depression and anxiety: CBT treatment plan (active)", "Plan: Initial assessment and stabilisation plan (completed)", "2026-02-18 Dana Whitfield, PhD, LP: Addendum:", "2026-02-10 (no session)", "Third parties removed"]) {
      expect(preview.text).toContain(text);
    }

    const updated = await call(updateRoute, {
      method: "PUT",
      path: `/api/v1/export/templates/${id}`,
      token,
      params: { id },
      body: { template_content: `${content}\n{% for session in sessions %}{% for note in session.notes %}{{ note.assesment }}{% endfor %}{% endfor %}` },
    });
    expect(updated.status).toBe(400);
    expect(updated.json.error).toMatch(/line 5.*undefined variable: note\.assesment/);

    const claim = `{% for line in insurance.claim.service_lines %}<p>{{ line.date }} {{ line.cpt_code }} {{ line.provider_name }} ({{ line.provider_npi }})</p>{% endfor %}`;
    const insurance = await call(createRoute, { path: "/api/v1/export/templates", token, body: body({ name: "Claim lines", export_type: "insurance_report", include_sections: {}, template_content: claim }) });
    expect(insurance.status).toBe(201);
  });

  it("saves an update as a new version, keeps the old one, and moves isLatest", async () => {
    const { user, token } = await admin();
    const created = await call(createRoute, { path: "/api/v1/export/templates", token, body: body() });
    const v1 = created.json.id as string;

    const updated = await call(updateRoute, { method: "PUT", path: `/api/v1/export/templates/${v1}`, token, params: { id: v1 }, body: { name: "Renamed", template_content: "<h1>v2 {{ patient.name }}</h1>" } });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ version: 2, is_latest: true, name: "Renamed", template_key: created.json.template_key, description: "Short form" });
    const v2 = updated.json.id as string;
    expect(v2).not.toBe(v1);

    const old = await prisma.exportTemplate.findUniqueOrThrow({ where: { id: v1 } });
    expect(old).toMatchObject({ isLatest: false, version: 1, templateContent: GOOD_CONTENT });
    expect(await prisma.exportAuditLog.findFirst({ where: { action: "template_updated", templateId: v2, userId: user.id } })).toMatchObject({ metadata: expect.objectContaining({ fromVersion: 1, toVersion: 2 }) });

    // The superseded version can still be read and resolved (a job that used it), but not edited.
    const history = await call(getRoute, { path: `/api/v1/export/templates/${v1}`, token, params: { id: v1 } });
    expect(history.json.versions).toEqual([expect.objectContaining({ id: v2, version: 2, is_latest: true }), expect.objectContaining({ id: v1, version: 1, is_latest: false })]);
    expect(await resolveTemplateForExport("progress_report", "pdf", v1)).toEqual({ id: v1, content: GOOD_CONTENT, version: 1 });
    const stale = await call(updateRoute, { method: "PUT", path: `/api/v1/export/templates/${v1}`, token, params: { id: v1 }, body: { name: "x" } });
    expect(stale.status).toBe(409);

    const list = await call(listRoute, { path: "/api/v1/export/templates?export_type=progress_report", token });
    const ids = (list.json.templates as { id: string }[]).map((t) => t.id);
    expect(ids).toContain(v2);
    expect(ids).not.toContain(v1);

    const badUpdate = await call(updateRoute, { method: "PUT", path: `/api/v1/export/templates/${v2}`, token, params: { id: v2 }, body: { template_content: "{{ goals | bogus }}" } });
    expect(badUpdate.status).toBe(400);
    expect(badUpdate.json.error).toMatch(/line 1.*undefined filter: bogus/);
    expect(await prisma.exportTemplate.count({ where: { templateKey: created.json.template_key as string } })).toBe(2);
  });

  it("archives: gone from lists, still resolvable for jobs, audited", async () => {
    const { user, token } = await admin();
    const created = await call(createRoute, { path: "/api/v1/export/templates", token, body: body() });
    const id = created.json.id as string;
    const archived = await call(archiveRoute, { method: "DELETE", path: `/api/v1/export/templates/${id}`, token, params: { id } });
    expect(archived.status).toBe(200);
    expect(archived.json).toMatchObject({ id, is_archived: true });
    const list = await call(listRoute, { path: "/api/v1/export/templates", token });
    expect((list.json.templates as { id: string }[]).map((t) => t.id)).not.toContain(id);
    expect((await resolveTemplateForExport("progress_report", "docx", id)).id).toBe(id);
    expect(await prisma.exportAuditLog.count({ where: { action: "template_archived", templateId: id, userId: user.id } })).toBe(1);
    const edit = await call(updateRoute, { method: "PUT", path: `/api/v1/export/templates/${id}`, token, params: { id }, body: { name: "x" } });
    expect(edit.status).toBe(409);
  });

  it("syncs system templates idempotently; they are listed, read-only, and copyable", async () => {
    const first = await syncSystemTemplates(prisma);
    const second = await syncSystemTemplates(prisma);
    expect(first.created.length + first.unchanged.length).toBe(5);
    expect(second).toEqual({ created: [], updated: [], unchanged: ["session_notes", "progress_report", "treatment_summary", "full_record", "insurance_report"] });
    expect(await prisma.exportTemplate.count({ where: { isSystem: true, isLatest: true } })).toBe(5);

    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const therapistList = await call(listRoute, { path: "/api/v1/export/templates?export_type=insurance_report&format=docx", token: await tokenFor(therapist.id) });
    expect(therapistList.status).toBe(200);
    const system = (therapistList.json.templates as { id: string; is_system: boolean; export_type: string; template_content?: string }[]).find((t) => t.is_system)!;
    expect(system).toMatchObject({ export_type: "insurance_report" });
    expect(system.template_content).toBeUndefined();

    const { token } = await admin();
    const put = await call(updateRoute, { method: "PUT", path: `/api/v1/export/templates/${system.id}`, token, params: { id: system.id }, body: { name: "Mine now" } });
    expect(put.status).toBe(409);
    expect(put.json.error).toMatch(/System templates are read-only/);
    const del = await call(archiveRoute, { method: "DELETE", path: `/api/v1/export/templates/${system.id}`, token, params: { id: system.id } });
    expect(del.status).toBe(409);

    const copy = await call(copyRoute, { path: `/api/v1/export/templates/${system.id}/copy`, token, params: { id: system.id }, body: { name: "Our insurance report" } });
    expect(copy.status).toBe(201);
    expect(copy.json).toMatchObject({ name: "Our insurance report", is_system: false, version: 1, export_type: "insurance_report" });
    const editCopy = await call(updateRoute, { method: "PUT", path: `/api/v1/export/templates/${copy.json.id}`, token, params: { id: copy.json.id as string }, body: { description: "edited" } });
    expect(editCopy.status).toBe(200);

    // Default resolution: the latest system template for the type; a wrong type is a 400, unknown id 404.
    expect((await resolveTemplateForExport("insurance_report", "pdf")).id).toBe(system.id);
    await expect(resolveTemplateForExport("progress_report", "pdf", system.id)).rejects.toMatchObject({ status: 400 });
    await expect(resolveTemplateForExport("progress_report", "pdf", "no-such-template")).rejects.toMatchObject({ status: 404 });
  });

  it("previews with sample data as PDF, DOCX and HTML; a bad template gives 400 with the line", async () => {
    const { token } = await admin();
    const created = await call(createRoute, { path: "/api/v1/export/templates", token, body: body() });
    const id = created.json.id as string;

    const pdf = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const pdfResponse = await previewRoute(new Request(`http://t/api/v1/export/templates/${id}/preview`, { method: "POST", headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id }) });
    const pdfBytes = Buffer.from(await pdfResponse.arrayBuffer());
    expect(pdfBytes.subarray(0, 5).toString()).toBe("%PDF-");
    const text = pdfText(pdfBytes);
    if (text !== null) {
      expect(text).toContain("Custom progress for Jordan A. Rivera");
      expect(text).toContain("Reduce depressive symptoms to the mild range");
      expect(text).toContain("Page 1 of 1");
    }

    const docxResponse = await previewRoute(
      new Request(`http://t/api/v1/export/templates/${id}/preview`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ format: "docx" }) }),
      { params: Promise.resolve({ id }) },
    );
    expect(docxResponse.headers.get("content-type")).toMatch(/wordprocessingml/);
    expect(docxText(readZipEntry(Buffer.from(await docxResponse.arrayBuffer()), "word/document.xml") ?? "")).toContain("Custom progress for Jordan A. Rivera");

    const html = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "html", template_content: "<p>Draft for {{ patient.given_name }}</p>" } });
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toMatch(/text\/html/);
    expect(html.text).toBe("<p>Draft for Jordan</p>");

    const json = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "json" } });
    expect(json.json).toMatchObject({ sample_context: { export_type: "progress_report" } });

    const bad = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "pdf", template_content: "<p>ok</p>\n{{ patient.name | nope }}" } });
    expect(bad.status).toBe(400);
    expect(bad.json.issues).toEqual([{ path: "template_content", message: "line 2, column 1: undefined filter: nope" }]);
    const letterhead = Array.from({ length: 70 }, (_, i) => `<p>Letterhead line ${i}</p>`).join("");
    const tall = await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token, params: { id }, body: { format: "pdf", template_content: `<header>${letterhead}</header><p>Body</p>` } });
    expect(tall.status).toBe(400);
    expect(tall.json.issues).toEqual([{ path: "template_content", message: "the page header and footer leave no room for the report on the page: shorten them" }]);

    // Therapists may preview a stored template, not unsaved content.
    const { user: therapist } = await createUser({ role: "THERAPIST" });
    const therapistToken = await tokenFor(therapist.id);
    expect((await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token: therapistToken, params: { id }, body: { format: "html" } })).status).toBe(200);
    expect((await call(previewRoute, { path: `/api/v1/export/templates/${id}/preview`, token: therapistToken, params: { id }, body: { format: "html", template_content: "<p>x</p>" } })).status).toBe(403);
    const { user: analyst } = await createUser({ role: "ANALYST" });
    expect((await call(listRoute, { path: "/api/v1/export/templates", token: await tokenFor(analyst.id) })).status).toBe(403);
    expect((await call(getRoute, { path: "/api/v1/export/templates/nope", token, params: { id: "nope" } })).status).toBe(404);
  });
});
