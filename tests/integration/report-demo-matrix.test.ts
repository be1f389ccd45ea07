// Every export type x format on the demo programme, as the demo therapist: queued through
// createReportExport, run by the worker, read back through the download path, then checked
// in the file's own terms (PDF text, DOCX XML, parsed CSV, JSON shape, FHIR R4 schema).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

import { beforeAll, describe, expect, it } from "vitest";

import type { TActor } from "@/lib/auth/policy";
import { verifyCredentials } from "@/lib/auth/login";
import { prisma } from "@/lib/db/client";
import { DEMO_USERS } from "@/lib/demo/demo-users";
import { seedDemo } from "@/lib/demo/seed-demo";
import { drainJobs } from "@/lib/jobs/runner";
import { createReportExport } from "@/lib/reports/create-report-export";
import { downloadExportAsActor } from "@/lib/reports/download-export";
import type { TReportContext, TReportContextWithAliases, TReportExportType } from "@/lib/reports/report-context.types";
import { REPORT_EXPORT_TYPES, REPORT_FORMATS, type TReportFormat } from "@/lib/reports/report-requests";
import { validateFhirR4 } from "@/lib/reports/testing/fhir-r4-schema";
import { parseCsv } from "@/lib/csv/parse-csv";

const META = { ipAddress: "127.0.0.1", userAgent: "vitest demo matrix", via: "test" };
const TRANSCRIPT_MARKER = "what got in the way";

type TPicked = {
  actor: TActor;
  patient: { id: string; name: string };
  period: { start: string; end: string };
  sessionIds: string[];
  sessionDates: string[];
  encounterCount: number;
  billableCount: number;
  goalCount: number;
  conditionCount: number;
  goalDescription: string;
  noteText: string;
};

let picked: TPicked;

const dayOf = (date: Date, shiftDays = 0) => new Date(date.getTime() + shiftDays * 86_400_000).toISOString().slice(0, 10);
const localDay = (date: Date) => date.toLocaleDateString("en-CA", { timeZone: "America/New_York" });

beforeAll(async () => {
  await seedDemo();
  const signIn = await verifyCredentials(DEMO_USERS.therapist.email, DEMO_USERS.therapist.password, META);
  if (!signIn.ok) throw new Error("demo therapist cannot sign in (see the login_failure audit record)");
  const user = await prisma.user.findUniqueOrThrow({ where: { email: DEMO_USERS.therapist.email }, include: { assignments: true } });
  expect(user.id).toBe(signIn.actor.id);

  // The assigned patient with the most sessions that also has several goals, notes and a plan.
  const candidates = await prisma.patient.findMany({
    where: { id: { in: user.assignments.map((assignment) => assignment.patientId) } },
    include: { _count: { select: { encounters: true, goals: true, treatmentPlans: true, conditions: true } } },
  });
  const patient = candidates
    .filter((row) => row._count.goals >= 2 && row._count.encounters >= 4 && row._count.treatmentPlans >= 1 && row._count.conditions >= 1)
    .sort((a, b) => b._count.encounters - a._count.encounters || a.id.localeCompare(b.id))[0];
  if (!patient) throw new Error("no demo patient with several sessions and goals");

  const encounters = await prisma.encounter.findMany({ where: { patientId: patient.id }, orderBy: { startAt: "asc" }, include: { sessionNotes: true } });
  const goals = await prisma.goal.findMany({ where: { patientId: patient.id }, orderBy: [{ startDate: "asc" }, { createdAt: "asc" }] });
  const withNotes = encounters.filter((encounter) => encounter.sessionNotes.some((note) => note.subjective && note.transcript));
  expect(withNotes.length).toBeGreaterThanOrEqual(3);
  const chosen = withNotes.slice(-3);

  picked = {
    actor: signIn.actor,
    patient: { id: patient.id, name: [patient.preferredName ?? patient.givenName, patient.familyName].join(" ") },
    // A day either side: the report's dates are local to the practice, the rows are UTC.
    period: { start: dayOf(encounters[0]!.startAt, -1), end: dayOf(encounters.at(-1)!.startAt, 1) },
    sessionIds: chosen.map((encounter) => encounter.id),
    sessionDates: chosen.map((encounter) => localDay(encounter.startAt)),
    encounterCount: encounters.length,
    billableCount: encounters.filter((encounter) => encounter.cptCode).length,
    goalCount: goals.length,
    conditionCount: patient._count.conditions,
    // The shortest description: it fits a table cell without wrapping in the PDF.
    goalDescription: [...goals].sort((a, b) => a.description.length - b.description.length)[0]!.description,
    noteText: chosen.at(-1)!.sessionNotes[0]!.subjective!,
  };
}, 240_000);

function requestBody(exportType: TReportExportType, format: TReportFormat, extra: Record<string, unknown> = {}) {
  const { patient, period, sessionIds } = picked;
  switch (exportType) {
    case "session_notes":
      return { session_ids: sessionIds, format, ...extra };
    case "progress_report":
    case "insurance_report":
      return { patient_id: patient.id, start_date: period.start, end_date: period.end, format, ...extra };
    case "treatment_summary":
      return { patient_id: patient.id, format, purpose: "records", ...extra };
    case "full_record":
      return { patient_id: patient.id, format, date_range: period, ...extra };
  }
}

/** Queues one export as the demo therapist, runs the worker and returns the downloaded bytes. */
async function exportFile(exportType: TReportExportType, format: TReportFormat, extra: Record<string, unknown> = {}) {
  const created = await createReportExport(picked.actor, { exportType, body: requestBody(exportType, format, extra) }, { meta: META });
  await drainJobs();
  const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: created.job_id } });
  expect(job.status, job.errorMessage ?? "").toBe("COMPLETED");
  const response = await downloadExportAsActor(picked.actor, created.job_id, "session", META);
  const body = Buffer.from(await response.arrayBuffer());
  expect(body.length).toBe(job.fileSize);

  return { body, contentType: response.headers.get("content-type") };
}

const squash = (text: string) => text.replace(/\s+/g, " ");

function pdfText(pdf: Buffer) {
  return squash(execFileSync("/usr/bin/pdftotext", ["-", "-"], { input: pdf, maxBuffer: 64 * 1024 * 1024 }).toString("utf8"));
}

/** The visible text of word/document.xml: runs joined within a paragraph, paragraphs by a space. */
function docxText(docx: Buffer, file: string) {
  const path = `${file}.docx`;
  // unzip reads a file, not stdin.
  writeFileSync(path, docx);
  const xml = execFileSync("/usr/bin/unzip", ["-p", path, "word/document.xml"], { maxBuffer: 64 * 1024 * 1024 }).toString("utf8");
  expect(xml).toContain("<w:document");
  const paragraphs = xml.split(/<\/w:p>/).map((paragraph) => [...paragraph.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((match) => match[1]).join(""));
  const decode = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

  return squash(decode(paragraphs.join(" ")));
}

/** What a clinician must find in every document of this type. */
function expectDocumentMentions(text: string, exportType: TReportExportType) {
  expect(text).toContain(picked.patient.name);
  if (exportType === "session_notes") {
    // A session note has no period or goal list: it names each session's date instead.
    for (const date of picked.sessionDates) expect(text).toContain(date);
    return;
  }
  if (exportType !== "treatment_summary") expect(text).toContain(`${picked.period.start} to ${picked.period.end}`);
  expect(text).toContain(squash(picked.goalDescription));
}

const CONTEXT_KEYS = [
  "export_type", "generated_at", "practice", "period", "purpose", "include_sections", "options", "patient", "therapist", "diagnoses", "treatment_plan", "treatment_plans",
  "goals", "assessments", "assessment_trends", "sessions", "observations", "referrals", "summary", "insurance", "timeline",
  // The product spec's names (spec-aliases.ts).
  "start_date", "end_date", "claim_info", "clinical_summary",
].sort();

const tmpBase = () => `${process.env.DATA_DIR ?? "/tmp"}/matrix-${Math.random().toString(36).slice(2)}`;

describe("every export type x format on the demo data, as the demo therapist", () => {
  for (const exportType of REPORT_EXPORT_TYPES) {
    for (const format of REPORT_FORMATS) {
      it(`${exportType} as ${format}`, async () => {
        const { body, contentType } = await exportFile(exportType, format);
        switch (format) {
          case "pdf":
            expect(body.subarray(0, 5).toString("latin1")).toBe("%PDF-");
            expectDocumentMentions(pdfText(body), exportType);
            break;
          case "docx":
            expect(body.subarray(0, 2).toString("latin1")).toBe("PK");
            expectDocumentMentions(docxText(body, tmpBase()), exportType);
            break;
          case "json": {
            expect(contentType).toBe("application/json");
            const context = JSON.parse(body.toString("utf8")) as TReportContextWithAliases;
            expect(Object.keys(context).sort()).toEqual(CONTEXT_KEYS);
            expect(context).toMatchObject({ export_type: exportType, patient: { id: picked.patient.id, name: picked.patient.name }, therapist: { name: DEMO_USERS.therapist.name } });
            expect(context.practice).toEqual({ name: expect.any(String), address: expect.any(String), phone: expect.any(String) });
            expect(context.practice.address).not.toBe("");
            const expectedSessions = exportType === "session_notes" ? picked.sessionIds.length : picked.encounterCount;
            expect(context.sessions).toHaveLength(expectedSessions);
            if (exportType !== "session_notes") expect(context.goals).toHaveLength(picked.goalCount);
            expect(context.insurance === null).toBe(exportType !== "insurance_report");
            expect(context.claim_info === null).toBe(exportType !== "insurance_report");
            break;
          }
          case "csv": {
            expect(contentType).toBe("text/csv; charset=utf-8");
            const rows = parseCsv(body.toString("utf8"));
            const [header, ...data] = rows;
            expect(header!.length).toBeGreaterThan(3);
            for (const row of data) expect(row).toHaveLength(header!.length);
            const column = (name: string) => header!.indexOf(name);
            if (exportType === "session_notes") {
              expect(data).toHaveLength(picked.sessionIds.length);
              expect(data.map((row) => row[column("session_id")])).toEqual(picked.sessionIds);
            } else if (exportType === "insurance_report") {
              expect(data).toHaveLength(picked.billableCount);
              expect(data.every((row) => /^\d{5}$/.test(row[column("cpt_code")]!))).toBe(true);
            } else {
              expect(header).toEqual(["patient_id", "section", "date", "code", "name", "value", "status", "detail"]);
              const count = (section: string) => data.filter((row) => row[1] === section).length;
              expect(count("goal")).toBe(picked.goalCount);
              expect(count("session")).toBe(picked.encounterCount);
              expect(count("diagnosis")).toBe(picked.conditionCount);
              expect(data.find((row) => row[1] === "patient" && row[4] === "name")?.[5]).toBe(picked.patient.name);
            }
            break;
          }
          case "fhir": {
            expect(contentType).toBe("application/fhir+json");
            const bundle = JSON.parse(body.toString("utf8"));
            const result = validateFhirR4(bundle);
            expect(result.errors).toEqual([]);
            expect(result.valid).toBe(true);
            const types = bundle.entry.map((entry: { resource: { resourceType: string } }) => entry.resource.resourceType);
            expect(types).toContain("Patient");
            expect(types.filter((type: string) => type === "Encounter")).toHaveLength(exportType === "session_notes" ? picked.sessionIds.length : picked.encounterCount);
            break;
          }
        }
      });
    }
  }
});

describe("redaction presets on the demo data", () => {
  it("purpose insurance leaves out note text and transcripts, even when include_transcript is asked", async () => {
    const options = { include_transcript: true, include_ai_notes: true, include_action_items: true };
    const json = JSON.parse((await exportFile("treatment_summary", "json", { purpose: "insurance", options })).body.toString("utf8")) as TReportContext;
    expect(json.sessions.length).toBeGreaterThan(0);
    expect(json.sessions.every((session) => session.note === null && session.transcript === null && session.ai_notes === null && session.action_items.length === 0)).toBe(true);
    expect(json.patient).toMatchObject({ phone: null, email: null, address: null });
    expect(json.diagnoses.length).toBe(picked.conditionCount);

    const pdf = pdfText((await exportFile("treatment_summary", "pdf", { purpose: "insurance", options })).body);
    expect(pdf).toContain(picked.patient.name);
    expect(pdf).not.toContain(TRANSCRIPT_MARKER);
    expect(pdf).not.toContain(squash(picked.noteText));
    const fhir = (await exportFile("treatment_summary", "fhir", { purpose: "insurance", options })).body.toString("utf8");
    expect(fhir).not.toContain("DocumentReference");
    const docx = docxText((await exportFile("insurance_report", "docx", { options })).body, tmpBase());
    expect(docx).toContain(picked.patient.name);
    expect(docx).not.toContain(TRANSCRIPT_MARKER);
  });

  it("purpose records with include_transcript true carries note text and transcripts; the default leaves transcripts out", async () => {
    const options = { include_transcript: true };
    const json = JSON.parse((await exportFile("session_notes", "json", { options })).body.toString("utf8")) as TReportContext;
    expect(json.sessions.every((session) => session.transcript?.includes(TRANSCRIPT_MARKER))).toBe(true);
    expect(json.sessions.at(-1)!.note?.subjective).toBe(picked.noteText);

    const pdf = pdfText((await exportFile("session_notes", "pdf", { options })).body);
    expect(pdf).toContain(TRANSCRIPT_MARKER);
    const docx = docxText((await exportFile("full_record", "docx", { options })).body, tmpBase());
    expect(docx).toContain(TRANSCRIPT_MARKER);
    const summary = JSON.parse((await exportFile("treatment_summary", "json", { purpose: "records", options })).body.toString("utf8")) as TReportContext;
    expect(summary.sessions.some((session) => session.note?.subjective)).toBe(true);
    expect(summary.sessions.some((session) => session.transcript?.includes(TRANSCRIPT_MARKER))).toBe(true);

    const byDefault = pdfText((await exportFile("session_notes", "pdf")).body);
    expect(byDefault).toContain(picked.patient.name);
    expect(byDefault).not.toContain(TRANSCRIPT_MARKER);
  });
});
