import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors/app-error";
import { renderTemplateHtml, validateTemplateContent } from "@/lib/templates/liquid";
import { sampleReportContext } from "@/lib/templates/sample-context";

async function renderError(content: string, context: object = sampleReportContext()) {
  try {
    await renderTemplateHtml(content, context as Record<string, unknown>);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("expected the render to fail");
}

describe("Liquid sandbox", () => {
  it("renders the spec's example against a context, escaping values", async () => {
    const html = await renderTemplateHtml(
      `<h1>{{ patient.name }}</h1>{% if include_sections.diagnosis %}<p>dx</p>{% endif %}{% for goal in goals %}<li>{{ goal.description }}</li>{% endfor %}`,
      { patient: { name: "A <b>&</b> B" }, include_sections: { diagnosis: true }, goals: [{ description: "Sleep" }] },
    );
    expect(html).toBe("<h1>A &lt;b&gt;&amp;&lt;/b&gt; B</h1><p>dx</p><li>Sleep</li>");
  });

  it("re-renders a cached template with each new context, and an edited or broken template is parsed anew", async () => {
    const template = "<p>{{ patient.name }}</p>";
    expect(await renderTemplateHtml(template, { patient: { name: "Ann" } })).toBe("<p>Ann</p>");
    expect(await renderTemplateHtml(template, { patient: { name: "Bob" } })).toBe("<p>Bob</p>");
    expect(await renderTemplateHtml("<h2>{{ patient.name }}</h2>", { patient: { name: "Bob" } })).toBe("<h2>Bob</h2>");
    // The same broken source fails every time (failures are not cached as templates).
    for (let attempt = 0; attempt < 2; attempt++) expect((await renderError("{% if x %}never closed")).message).toContain("not closed");
    // Far more distinct templates than the cache holds still render correctly.
    for (let n = 0; n < 40; n++) expect(await renderTemplateHtml(`<p>${n}:{{ patient.name }}</p>`, { patient: { name: "C" } })).toBe(`<p>${n}:C</p>`);
    expect(await renderTemplateHtml(template, { patient: { name: "Dee" } })).toBe("<p>Dee</p>");
  });

  it("validates a good template and reports a parse error with its line", async () => {
    expect(await validateTemplateContent("<p>{{ patient.name }}</p>")).toEqual({ ok: true });
    expect(await validateTemplateContent("<p>ok</p>\n<p>\n{% if patient.name %}\nno end")).toEqual({ ok: false, issues: [{ line: 3, column: 1, message: "tag {% if patient.name %} not closed" }] });
  });

  it("reports an unknown variable against the sample context, with line and column", async () => {
    const result = await validateTemplateContent("<p>one</p>\n<p>two</p>\n<p>{{ patient.nmae }}</p>");
    expect(result).toEqual({ ok: false, issues: [{ line: 3, column: 7, message: "undefined variable: patient.nmae" }] });
    expect(await validateTemplateContent("{% if include_sections.no_such_section %}x{% endif %}", "progress_report")).toMatchObject({ ok: false, issues: [{ line: 1 }] });
  });

  it("accepts templates that read every note, every plan, the scrubbing option and each claim line's provider; a misspelt field still fails", async () => {
    const notes = `{% for session in sessions %}{% for note in session.notes %}<p>{{ note.date }} {{ note.author }}: {{ note.subjective }} {{ note.assessment }}{% for item in note.action_items %}{{ item }}{% endfor %}{{ note.transcript }}{{ note.ai_notes }}</p>{% endfor %}{% if session.is_note_only %}(no session){% endif %}{% endfor %}`;
    const plans = `{% for plan in treatment_plans %}<p>{{ plan.title }} ({{ plan.status }}) {{ plan.start }}–{{ plan.end }}{% for intervention in plan.interventions %}{{ intervention }}{% endfor %}</p>{% endfor %}`;
    const scrubbed = `{% if options.scrub_third_party %}<p>Third parties removed.</p>{% endif %}`;
    for (const type of ["session_notes", "progress_report", "treatment_summary", "full_record", "insurance_report"] as const) {
      expect(await validateTemplateContent(`${notes}\n${plans}\n${scrubbed}`, type)).toEqual({ ok: true });
    }
    const lines = `{% for line in insurance.claim.service_lines %}<tr><td>{{ line.provider_name }}</td><td>{{ line.provider_npi }}</td></tr>{% endfor %}`;
    expect(await validateTemplateContent(lines, "insurance_report")).toEqual({ ok: true });

    expect(await validateTemplateContent("{% for session in sessions %}{% for note in session.notes %}\n{{ note.subjectiv }}{% endfor %}{% endfor %}", "session_notes")).toEqual({
      ok: false,
      issues: [{ line: 2, column: 4, message: "undefined variable: note.subjectiv" }],
    });
    expect(await validateTemplateContent("{% for plan in treatment_planz %}{% endfor %}", "full_record")).toMatchObject({ ok: false, issues: [{ message: "undefined variable: treatment_planz" }] });
  });

  it("refuses unknown filters", async () => {
    expect(await validateTemplateContent("{{ patient.name | shout }}")).toMatchObject({ ok: false, issues: [{ line: 1, message: "undefined filter: shout" }] });
  });

  it("refuses includes, renders and layouts (no file system)", async () => {
    for (const tag of ["{% include '/etc/passwd' %}", "{% render 'secrets' %}", "{% layout 'base' %}"]) {
      const result = await validateTemplateContent(`<p>x</p>\n${tag}`);
      expect(result).toMatchObject({ ok: false, issues: [{ line: 2 }] });
      expect((result as { issues: { message: string }[] }).issues[0]!.message).toMatch(/not allowed/);
    }
  });

  it("does not expose prototype properties", async () => {
    expect(await renderTemplateHtml("[{{ patient.constructor }}][{{ patient.__proto__ }}][{{ goals.constructor.name }}]", sampleReportContext())).toBe("[][][]");
    expect(await validateTemplateContent("{{ patient.constructor }}")).toMatchObject({ ok: false });
  });

  it("bounds loops, allocations and output size", async () => {
    const hugeLoop = await renderError("<p>a</p>\n{% for i in (1..100000000) %}{{ i }}{% endfor %}");
    expect(hugeLoop.message).toMatch(/line 2/);

    const nested = await renderError("{% for a in (1..1000) %}{% for b in (1..1000) %}x{% endfor %}{% endfor %}");
    expect(nested.message).toMatch(/line 1.*loop limit exceeded/);

    const doubling = await renderError(`{% assign s = "xxxxxxxxxxxxxxxx" %}{% for i in (1..24) %}{% assign s = s | append: s %}{% endfor %}{{ s }}`);
    expect(doubling.message).toMatch(/limit|larger than/);
  });

  it("renders every system template's sample in well under the output limit", async () => {
    const html = await renderTemplateHtml("{% for s in sessions %}{{ s.date }}{% endfor %}", sampleReportContext("session_notes"));
    expect(html).toContain("2026-01-06");
  });
});
