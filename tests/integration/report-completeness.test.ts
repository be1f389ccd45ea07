// What a report carries, built straight from the database (no job): the full record leaves no note
// or treatment plan out and certifies only what it contains; the insurance purpose sends codes and
// a derived summary, not free narrative; a claim names the clinicians who rendered the services and
// only the diagnoses active in its period.
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { parseCsv } from "@/lib/csv/parse-csv";
import { prisma } from "@/lib/db/client";
import { thirdPartyScrubber } from "@/lib/anonymize/third-party-scrubber";
import { buildReportContext } from "@/lib/reports/build-report-context";
import { buildReportBundle } from "@/lib/reports/formats/write-fhir";
import { writeReportCsv } from "@/lib/reports/formats/write-csv";
import { pdfText } from "@/lib/render/testing/pdf-text";
import { docxText, readZipEntry } from "@/lib/render/testing/read-docx";
import { renderDocument } from "@/lib/render/render-document";
import { parseReportRequest, REPORT_EXPORT_TYPES } from "@/lib/reports/report-requests";
import type { TReportContext, TReportExportType } from "@/lib/reports/report-context.types";
import { validateFhirR4 } from "@/lib/reports/testing/fhir-r4-schema";
import { seedReportPatient } from "@/lib/reports/testing/seed-report-patient";
import { renderTemplateHtml, validateTemplateContent } from "@/lib/templates/liquid";
import { sampleReportContext } from "@/lib/templates/sample-context";

import { createUser } from "../setup/fixtures";

const template = (type: TReportExportType) => readFileSync(path.join(process.cwd(), "templates", `${type}.html.liquid`), "utf8");

async function build(exportType: TReportExportType, body: Record<string, unknown>, userId: string) {
  return buildReportContext(parseReportRequest(exportType, { format: "json", ...body }), { userId });
}

/** The seeded patient plus an addendum on the first session, a note without a session and an older plan. */
async function seedFullRecord() {
  const { user } = await createUser({ role: "THERAPIST", name: "Dana Whitfield" });
  const seeded = await seedReportPatient({ assignedTo: user.id });
  const { patient, practitioner } = seeded;
  const tag = patient.fhirId;
  await prisma.sessionNote.create({
    data: {
      fhirId: `${tag}-addendum`, patientId: patient.id, encounterId: seeded.sessions[0]!.id, practitionerId: practitioner.id,
      noteDate: new Date("2026-01-05T18:00:00Z"), status: "final", subjective: "ADDENDUM: safety plan reviewed by phone", raw: {},
    },
  });
  const loose = await prisma.sessionNote.create({
    data: {
      fhirId: `${tag}-loose`, patientId: patient.id, encounterId: null, practitionerId: practitioner.id,
      noteDate: new Date("2026-02-10T14:00:00Z"), status: "final", subjective: "UNLINKED: collateral call with school counsellor", assessment: "Stable", raw: {},
    },
  });
  await prisma.treatmentPlan.create({
    data: { fhirId: `${tag}-old-plan`, patientId: patient.id, title: "Initial anxiety plan", description: "OLD PLAN: psychoeducation", status: "completed", startDate: "2025-06-01", endDate: "2025-11-30", interventions: ["Psychoeducation"], raw: {} },
  });

  return { user, ...seeded, looseNoteId: loose.id };
}

const noteTexts = (context: TReportContext) => context.sessions.flatMap((session) => session.notes.map((note) => note.subjective));

describe("full record: the whole record, and a certification of exactly what it holds", () => {
  it("keeps every note (several per session, and notes without a session) and every treatment plan, in every format", async () => {
    const { user, patient, sessions, looseNoteId } = await seedFullRecord();
    const context = await build("full_record", { patient_id: patient.id }, user.id);

    const first = context.sessions.find((session) => session.id === sessions[0]!.id)!;
    expect(first.notes.map((note) => note.subjective)).toEqual([expect.stringContaining("Session 1:"), "ADDENDUM: safety plan reviewed by phone"]);
    expect(first.notes[1]).toMatchObject({ date: "2026-01-05", author: "Dana Whitfield, LCSW" });
    const loose = context.sessions.find((session) => session.id === looseNoteId)!;
    expect(loose).toMatchObject({ is_note_only: true, cpt_code: null, units: null, date: "2026-02-10", note: { subjective: "UNLINKED: collateral call with school counsellor" } });
    expect(noteTexts(context)).toHaveLength(6);
    // In date order, the note between the second and third session.
    expect(context.sessions.map((session) => session.date)).toEqual(["2026-01-05", "2026-01-19", "2026-02-02", "2026-02-10", "2026-03-16"]);
    expect(context.timeline).toContainEqual({ date: "2026-02-10", kind: "note", text: "Clinical note by Dana Whitfield, LCSW (no session recorded)" });
    // The summary counts sessions held, not notes.
    expect(context.summary.treatment_provided).toMatch(/^4 sessions /);

    expect(context.treatment_plans.map((plan) => plan.title).sort()).toEqual(["Depression treatment plan", "Initial anxiety plan"]);
    expect(context.treatment_plan?.title).toBe("Depression treatment plan");

    const rows = parseCsv(writeReportCsv(context).toString("utf8"));
    const notes = rows.filter((row) => row[1] === "note");
    expect(notes).toHaveLength(6);
    expect(notes.map((row) => row[7])).toEqual(expect.arrayContaining([expect.stringContaining("ADDENDUM"), expect.stringContaining("UNLINKED")]));
    expect(rows.filter((row) => row[1] === "session")).toHaveLength(4);
    expect(rows.filter((row) => row[1] === "treatment_plan").map((row) => row[4]).sort()).toEqual(["Depression treatment plan", "Initial anxiety plan"]);

    const bundle = buildReportBundle(context) as { entry: { resource: { resourceType: string; context?: unknown; title?: string } }[] };
    expect(validateFhirR4(bundle)).toEqual({ valid: true, errors: [] });
    const ofType = (type: string) => bundle.entry.map((entry) => entry.resource).filter((resource) => resource.resourceType === type);
    expect(ofType("DocumentReference")).toHaveLength(6);
    expect(ofType("DocumentReference").filter((resource) => !resource.context)).toHaveLength(1);
    expect(ofType("Encounter")).toHaveLength(4);
    expect(ofType("CarePlan").map((resource) => resource.title).sort()).toEqual(["Depression treatment plan", "Initial anxiety plan"]);

    const html = await renderTemplateHtml(template("full_record"), context);
    expect(html).toContain("ADDENDUM: safety plan reviewed by phone");
    expect(html).toContain("UNLINKED: collateral call with school counsellor");
    expect(html).toContain("note without a session");
    expect(html).not.toContain("true and complete copy");
    expect(html).toContain("does not store attachments");
    expect(html).toMatch(/every clinical note \(without transcripts, without AI-assisted notes, without action items\)/);
  }, 30_000);

  it("the PDF and DOCX print every treatment plan and certify every plan", async () => {
    const { user, patient } = await seedFullRecord();
    const context = await build("full_record", { patient_id: patient.id }, user.id);
    expect(context.treatment_plans).toHaveLength(2);
    const html = await renderTemplateHtml(template("full_record"), context);
    for (const text of ["Depression treatment plan", "Initial anxiety plan", "OLD PLAN: psychoeducation", "Psychoeducation", "every treatment plan and all goals"]) expect(html).toContain(text);
    expect(html).not.toContain("earlier plans");
    expect(html).not.toContain("the current treatment plan");

    const text = pdfText(await renderDocument(html, "pdf", { title: "full_record" }));
    if (text !== null) {
      const flat = text.replace(/\s+/g, " ");
      expect(flat).toContain("Depression treatment plan (active) · 2025-12-01 to ongoing · current plan");
      expect(flat).toContain("Initial anxiety plan (completed) · 2025-06-01 to 2025-11-30");
      expect(flat).toContain("OLD PLAN: psychoeducation");
      expect(flat).toContain("every treatment plan and all goals");
    }
    const body = docxText(readZipEntry(await renderDocument(html, "docx", { title: "full_record" }), "word/document.xml") ?? "");
    for (const expected of ["Depression treatment plan", "Initial anxiety plan", "OLD PLAN: psychoeducation"]) expect(body).toContain(expected);

    // Treatment plans switched off: no plan, and the certification does not claim any.
    const withoutPlans = await renderTemplateHtml(template("full_record"), await build("full_record", { patient_id: patient.id, include_sections: { treatment_plans: false } }, user.id));
    expect(withoutPlans).not.toContain("<h2>Treatment Plans</h2>");
    expect(withoutPlans).not.toContain("OLD PLAN: psychoeducation");
    expect(withoutPlans).not.toContain("every treatment plan");
  }, 30_000);

  it("notes switched off drop the note-only rows too; a date range keeps the notes of its period", async () => {
    const { user, patient, looseNoteId } = await seedFullRecord();
    const withoutNotes = await build("full_record", { patient_id: patient.id, include_sections: { notes: false } }, user.id);
    expect(withoutNotes.sessions.map((session) => session.id)).not.toContain(looseNoteId);
    expect(withoutNotes.sessions.every((session) => session.note === null && session.notes.length === 0)).toBe(true);
    const html = await renderTemplateHtml(template("full_record"), withoutNotes);
    expect(html).not.toContain("every clinical note");

    // Sessions switched off, notes on: the notes stay (they live on their sessions), the table of sessions goes.
    const notesWithoutSessions = await build("full_record", { patient_id: patient.id, include_sections: { sessions: false } }, user.id);
    expect(noteTexts(notesWithoutSessions)).toEqual(noteTexts(await build("full_record", { patient_id: patient.id }, user.id)));
    const notesHtml = await renderTemplateHtml(template("full_record"), notesWithoutSessions);
    expect(notesHtml).toContain("UNLINKED: collateral call with school counsellor");
    expect(notesHtml).toContain("every clinical note");

    const february = await build("full_record", { patient_id: patient.id, date_range: { start: "2026-02-01", end: "2026-02-28" } }, user.id);
    expect(noteTexts(february)).toEqual([expect.stringContaining("Session 3:"), "UNLINKED: collateral call with school counsellor"]);
  });

  it("a copy with third parties scrubbed says so in its certification", async () => {
    const { user, patient } = await seedFullRecord();
    const scrubbed = await build("full_record", { patient_id: patient.id, options: { scrub_third_party: true } }, user.id);
    expect(scrubbed.options.scrub_third_party).toBe(true);
    expect(await renderTemplateHtml(template("full_record"), scrubbed)).toContain("true copy, with third-party names, phone numbers and email addresses removed from the note text, of");
    const verbatim = await build("full_record", { patient_id: patient.id }, user.id);
    expect(await renderTemplateHtml(template("full_record"), verbatim)).toContain("true copy of the following parts");
  });

  it("a progress report's session table shows the assessment of every note of a session", async () => {
    const { user, patient, sessions } = await seedFullRecord();
    await prisma.sessionNote.updateMany({ where: { encounterId: sessions[0]!.id, subjective: { startsWith: "ADDENDUM" } }, data: { assessment: "Risk reassessed: low" } });
    const context = await build("progress_report", { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-01-31" }, user.id);
    expect(await renderTemplateHtml(template("progress_report"), context)).toContain("Improving / Risk reassessed: low");
  });

  it("session notes carry every note of a session", async () => {
    const { user, sessions } = await seedFullRecord();
    const context = await build("session_notes", { session_ids: [sessions[0]!.id] }, user.id);
    expect(noteTexts(context)).toEqual([expect.stringContaining("Session 1:"), "ADDENDUM: safety plan reviewed by phone"]);
    const html = await renderTemplateHtml(template("session_notes"), context);
    expect(html).toContain("ADDENDUM: safety plan reviewed by phone");
    expect(html).toContain("Note 2 of 2");
  });
});

describe("purpose presets: minimum necessary for insurance, more for transfer", () => {
  const REASON = "Low mood since the fight with neighbour Pat Quill (call 555-222-3333)";

  async function seedWithNarrative() {
    const seeded = await seedFullRecord();
    await prisma.encounter.update({ where: { id: seeded.sessions[0]!.id }, data: { reasonText: REASON } });
    await prisma.treatmentPlan.update({ where: { id: seeded.plan.id }, data: { description: "Involve sister Jordan Keller in two sessions" } });
    return seeded;
  }

  it("insurance (report and summary): presenting problem from the coded diagnoses, no plan description, no notes", async () => {
    const { user, patient, plan } = await seedWithNarrative();
    const report = await build("insurance_report", { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31", options: { include_transcript: true } }, user.id);
    const summary = await build("treatment_summary", { patient_id: patient.id, treatment_plan_id: plan.id, purpose: "insurance" }, user.id);
    for (const context of [report, summary]) {
      expect(context.summary.presenting_problem).toBe("Major depressive disorder, recurrent, moderate (F33.1)");
      expect(context.treatment_plan?.description ?? null).toBeNull();
      expect(context.treatment_plans.every((entry) => entry.description === null)).toBe(true);
      expect(context.sessions.every((session) => session.note === null && session.notes.length === 0)).toBe(true);
      const json = JSON.stringify(context);
      for (const text of ["Pat Quill", "555-222-3333", "Jordan Keller", "ADDENDUM", "UNLINKED"]) expect(json).not.toContain(text);
    }
    const html = await renderTemplateHtml(template("insurance_report"), report);
    expect(html).not.toContain("Pat Quill");
  });

  it("transfer keeps the narrative, contact details and notes (per the options), scrubbed when asked", async () => {
    const { user, patient, plan } = await seedWithNarrative();
    const transfer = await build("treatment_summary", { patient_id: patient.id, treatment_plan_id: plan.id, purpose: "transfer" }, user.id);
    expect(transfer.purpose).toBe("transfer");
    expect(transfer.summary.presenting_problem).toBe(REASON);
    expect(transfer.treatment_plan?.description).toBe("Involve sister Jordan Keller in two sessions");
    expect(transfer.patient.phone).toBe("555-100-2000");
    expect(transfer.sessions[0]!.notes.map((note) => note.subjective)).toHaveLength(2);
    expect(transfer.sessions.every((session) => session.transcript === null)).toBe(true);

    const scrubbed = await build("treatment_summary", { patient_id: patient.id, purpose: "transfer", options: { scrub_third_party: true } }, user.id);
    expect(scrubbed.summary.presenting_problem).toBe("Low mood since the fight with neighbour [name removed] (call [phone removed])");
  });
});

describe("insurance claim: rendering providers and the period's diagnoses", () => {
  it("names the encounters' clinicians (each line its own), never the user who ran the export", async () => {
    const { patient, sessions, practitioner } = await seedFullRecord();
    const { user: admin } = await createUser({ role: "ADMIN", name: "Office Admin" });
    await prisma.user.update({ where: { id: admin.id }, data: { npi: "1999999999", credentials: "MBA" } });
    const body = { patient_id: patient.id, start_date: "2026-01-01", end_date: "2026-03-31" };

    const single = await build("insurance_report", body, admin.id);
    expect(single.insurance?.claim).toMatchObject({ provider_name: "Dana Whitfield, LCSW", provider_npi: "1234567893" });

    const other = await prisma.practitioner.create({ data: { fhirId: `${patient.fhirId}-pr2`, givenName: "Sam", familyName: "Ortiz", credentials: "PhD", npi: "1588667638", raw: {} } });
    await prisma.encounter.update({ where: { id: sessions[3]!.id }, data: { practitionerId: other.id } });
    const several = await build("insurance_report", body, admin.id);
    const claim = several.insurance!.claim;
    expect(claim.provider_npi).toBeNull();
    expect(claim.provider_name).toMatch(/several rendering providers/i);
    expect(claim.service_lines.map((line) => [line.date, line.provider_npi])).toEqual([
      ["2026-01-05", practitioner.npi], ["2026-01-19", practitioner.npi], ["2026-02-02", practitioner.npi], ["2026-03-16", "1588667638"],
    ]);
    expect(JSON.stringify(several.insurance)).not.toContain("1999999999");

    const rows = parseCsv(writeReportCsv(several).toString("utf8"));
    expect(rows.slice(1).map((row) => [row[3], row[4]])).toEqual([
      ["1234567893", "Dana Whitfield, LCSW"], ["1234567893", "Dana Whitfield, LCSW"], ["1234567893", "Dana Whitfield, LCSW"], ["1588667638", "Sam Ortiz, PhD"],
    ]);
    const html = await renderTemplateHtml(template("insurance_report"), several);
    expect(html).toContain("Sam Ortiz, PhD (1588667638)");
  });

  it("lists the diagnoses of the period: not ones resolved before it, nor ones that start after it, but ones resolved after it", async () => {
    const { user, patient } = await seedFullRecord();
    const condition = (code: string, clinicalStatus: string, onsetDate: string, raw: object = {}) =>
      prisma.condition.create({ data: { fhirId: `${patient.fhirId}-${code}`, patientId: patient.id, icd10Code: code, display: `Dx ${code}`, clinicalStatus, onsetDate, raw } });
    // Resolved in 2025 (its record changed then): before the period.
    await condition("F41.1", "resolved", "2024-01-01", { meta: { lastUpdated: "2025-06-01T09:00:00Z" } });
    await condition("F43.10", "resolved", "2025-10-01", { abatementDateTime: "2026-02-01" });
    await condition("F42.2", "remission", "2025-01-01", { abatementDateTime: "2025-12-01" });
    await condition("F50.00", "active", "2026-05-01");
    // Treated all period and resolved after it, with no abatement date: its status changed later.
    await condition("F33.0", "resolved", "2025-09-01", { meta: { lastUpdated: "2026-06-15T12:00:00Z" } });

    const period = { start_date: "2026-01-01", end_date: "2026-03-31" };
    const context = await build("insurance_report", { patient_id: patient.id, ...period }, user.id);
    expect(context.insurance?.claim.diagnosis_codes).toEqual(["F33.0", "F43.10", "F33.1"]);
    expect(context.diagnoses.map((diagnosis) => diagnosis.code)).toEqual(["F33.0", "F43.10", "F33.1"]);
    expect(context.summary.medical_necessity).toContain("(F33.0)");
    const html = await renderTemplateHtml(template("insurance_report"), context);
    expect(html).toContain("F33.0");
    expect(html).not.toContain("None recorded");
    // A progress report of the period lists the same diagnoses: one rule.
    const progress = await build("progress_report", { patient_id: patient.id, ...period }, user.id);
    expect(progress.diagnoses.map((diagnosis) => diagnosis.code)).toEqual(["F33.0", "F43.10", "F33.1"]);
    // A treatment summary describes the whole course, resolved diagnoses included.
    const summary = await build("treatment_summary", { patient_id: patient.id, purpose: "insurance" }, user.id);
    expect(summary.diagnoses).toHaveLength(6);
  });
});

describe("third-party scrubbing", () => {
  const scrub = thirdPartyScrubber({ emergencyContactName: "Jordan Keller", givenName: "Morgan", familyName: "Reportson", preferredName: null });

  it("removes names given as labelled mentions or after a relationship word, with phones, emails and the emergency contact", () => {
    expect(scrub("Name: Jane Doe. Contact: Robert Miles; emergency contact: Ann Lee")).toBe("Name: [name removed]. Contact: [name removed]; emergency contact: [name removed]");
    expect(scrub("Argued with neighbour Pat Quill and her Sister Maria; spoke with Dr. Ross")).toBe("Argued with neighbour [name removed] and her Sister [name removed]; spoke with Dr. Ross");
    expect(scrub("Keller called from (555) 867-5309, jordan@example.net")).toBe("[name removed] called from [phone removed], [email removed]");
  });

  it("keeps the patient's own name, and words that are not names", () => {
    expect(scrub("Name: Morgan Reportson. Saw friend Monday; mother She said no")).toBe("Name: Morgan Reportson. Saw friend Monday; mother She said no");
    expect(scrub(null)).toBeNull();
  });

  it("applies to note text in a report", async () => {
    const { user, patient, sessions } = await seedFullRecord();
    await prisma.sessionNote.update({ where: { id: sessions[1]!.noteId }, data: { objective: "Collateral: Tom Baker (coach)" } });
    const context = await build("session_notes", { session_ids: [sessions[1]!.id], options: { scrub_third_party: true } }, user.id);
    expect(context.sessions[0]!.notes[0]?.objective).toBe("Collateral: [name removed] (coach)");
    expect(context.sessions[0]!.note?.subjective).toContain("sister [name removed] called from [phone removed], [email removed]");
    expect(context.patient.id).toBe(patient.id);
  });
});

/** Every key path of a value ("sessions[].notes[].author"), through objects and array elements that are there. */
function keyPaths(value: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keyPaths(item, `${prefix}[]`, out);
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.add(path);
      keyPaths(child, path, out);
    }
  }
  return out;
}

describe("the template sample has the shape of a built context", () => {
  it("carries every field a built context has, so a template that validates reads fields that exist", async () => {
    const { user, patient, sessions, plan } = await seedFullRecord();
    const everything = { include_transcript: true, include_ai_notes: true, include_action_items: true, scrub_third_party: true };
    const period = { start_date: "2026-01-01", end_date: "2026-03-31" };
    const built: Record<(typeof REPORT_EXPORT_TYPES)[number], TReportContext> = {
      session_notes: await build("session_notes", { session_ids: [sessions[0]!.id], options: everything }, user.id),
      progress_report: await build("progress_report", { patient_id: patient.id, ...period, options: everything }, user.id),
      treatment_summary: await build("treatment_summary", { patient_id: patient.id, treatment_plan_id: plan.id, purpose: "records", options: everything }, user.id),
      full_record: await build("full_record", { patient_id: patient.id, options: everything }, user.id),
      insurance_report: await build("insurance_report", { patient_id: patient.id, ...period }, user.id),
    };
    const anyReal = new Set<string>();
    for (const type of REPORT_EXPORT_TYPES) {
      const real = keyPaths(built[type]);
      const sample = keyPaths(sampleReportContext(type));
      expect([...real].filter((path) => !sample.has(path)), type).toEqual([]);
      for (const path of real) anyReal.add(path);
    }
    // And the sample invents no field: it fills lists a type leaves empty (every list non-empty, so
    // validation walks every branch), but with fields some built context has.
    for (const type of REPORT_EXPORT_TYPES) expect([...keyPaths(sampleReportContext(type))].filter((path) => !anyReal.has(path)), type).toEqual([]);
    expect(built.full_record.sessions.some((session) => session.is_note_only)).toBe(true);

    // A custom template written against the real fields passes the save-time check and renders the real record.
    const custom = "{% for plan in treatment_plans %}<h2>{{ plan.title }}</h2>{% endfor %}{% for session in sessions %}{% for note in session.notes %}<p>{{ note.subjective }}</p>{% endfor %}{% endfor %}";
    expect(await validateTemplateContent(custom, "full_record")).toEqual({ ok: true });
    const html = await renderTemplateHtml(custom, built.full_record);
    for (const text of ["<h2>Depression treatment plan</h2>", "<h2>Initial anxiety plan</h2>", "ADDENDUM: safety plan reviewed by phone", "UNLINKED: collateral call"]) expect(html).toContain(text);
  }, 30_000);
});
