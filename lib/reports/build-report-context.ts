// Loads what one report needs from the database and shapes it as TReportContext: the single object
// the Liquid templates, JSON, CSV and FHIR writers all read. Scoping (period, sessions, plan),
// include_sections and redaction (options, purpose presets) are applied HERE, once, so every
// format leaves out the same things.
import { thirdPartyScrubber } from "@/lib/anonymize/third-party-scrubber";
import { prisma, type TDb } from "@/lib/db/client";
import { env } from "@/lib/env";
import { getQuestionnaire } from "@/lib/fhir/questionnaire-catalog";
import { conditionBelongsToPeriod } from "@/lib/reports/condition-in-period";
import type { TReportContext, TReportContextWithAliases, TReportExportType, TReportNote, TReportPurpose, TReportTreatmentPlan } from "@/lib/reports/report-context.types";
import type { TReportRequest } from "@/lib/reports/report-requests";
import { withSpecAliases } from "@/lib/reports/spec-aliases";

type TOptions = TReportContext["options"];

export type TBuildReportContextOptions = {
  /** The user the report is produced for (the therapist block and signature). */
  userId: string;
  now?: Date;
  db?: TDb;
};

/** One context for a request; for session notes, `encounterIds` picks the sessions (all of one patient). */
type TScope = {
  exportType: TReportExportType;
  patientId: string;
  period: { start: string; end: string } | null;
  purpose: TReportPurpose | null;
  includeSections: Record<string, boolean>;
  options: TOptions;
  treatmentPlanId: string | null;
  sessionIds: string[] | null;
};

/** The sessions a session-notes request names, resolved to (patient, encounter or note id). */
export type TResolvedSession = { requestedId: string; patientId: string; encounterId: string | null; noteId: string | null };

/**
 * A session id is an Encounter id; a SessionNote id (a note without an encounter) is accepted too.
 * Returns the resolved ones and the ids that match nothing.
 */
export async function resolveSessionIds(db: TDb, ids: string[]): Promise<{ found: TResolvedSession[]; missing: string[] }> {
  const unique = [...new Set(ids)];
  const encounters = await db.encounter.findMany({ where: { id: { in: unique } }, select: { id: true, patientId: true } });
  const byEncounter = new Map(encounters.map((row) => [row.id, row]));
  const rest = unique.filter((id) => !byEncounter.has(id));
  const notes = rest.length ? await db.sessionNote.findMany({ where: { id: { in: rest } }, select: { id: true, patientId: true, encounterId: true } }) : [];
  const byNote = new Map(notes.map((row) => [row.id, row]));
  const found: TResolvedSession[] = [];
  const missing: string[] = [];
  for (const id of unique) {
    const encounter = byEncounter.get(id);
    const note = byNote.get(id);
    if (encounter) found.push({ requestedId: id, patientId: encounter.patientId, encounterId: encounter.id, noteId: null });
    else if (note) found.push({ requestedId: id, patientId: note.patientId, encounterId: note.encounterId, noteId: note.id });
    else missing.push(id);
  }

  return { found, missing };
}

function scopeFor(request: TReportRequest, patientId: string, sessionIds: string[] | null): TScope {
  const options: TOptions = { ...request.options };
  const base = { exportType: request.export_type, patientId, options, treatmentPlanId: null, sessionIds, purpose: null };
  switch (request.export_type) {
    case "session_notes":
      return { ...base, period: null, includeSections: {} };
    case "progress_report":
      return { ...base, period: { start: request.start_date, end: request.end_date }, includeSections: request.include_sections };
    case "treatment_summary":
      return { ...base, period: null, purpose: request.purpose, treatmentPlanId: request.treatment_plan_id ?? null, includeSections: request.include_sections };
    case "full_record":
      return { ...base, period: request.date_range ?? null, includeSections: request.include_sections };
    case "insurance_report":
      return { ...base, period: { start: request.start_date, end: request.end_date }, purpose: "insurance", includeSections: {} };
  }
}

/** Builds the context of a patient-level report (progress, summary, full record, insurance). */
export async function buildReportContext(request: TReportRequest, options: TBuildReportContextOptions): Promise<TReportContextWithAliases> {
  if (request.export_type === "session_notes") {
    const { found } = await resolveSessionIds(options.db ?? prisma, request.session_ids);
    const patientId = found[0]?.patientId;
    if (!patientId) throw new Error("No session of the request exists");
    return buildContext(scopeFor(request, patientId, request.session_ids), options);
  }

  return buildContext(scopeFor(request, request.patient_id, null), options);
}

/** The context of one session (the ZIP batch of session notes: one document per session). */
export async function buildSessionNoteContext(request: TReportRequest & { export_type: "session_notes" }, sessionId: string, patientId: string, options: TBuildReportContextOptions) {
  return buildContext(scopeFor(request, patientId, [sessionId]), options);
}

// ───────────────────────────── loading ─────────────────────────────

const DAY_MS = 86_400_000;

// toLocaleDateString with options builds a new Intl formatter on every call (tens of µs, called
// for every row); one formatter per time zone gives the same string.
let dayFormat: { timeZone: string; format: Intl.DateTimeFormat } | null = null;

/** YYYY-MM-DD of an instant in the practice's time zone (a 23:30 session stays on its own day). */
function localDate(date: Date): string {
  const timeZone = env().PRACTICE_TIMEZONE;
  if (dayFormat?.timeZone !== timeZone) dayFormat = { timeZone, format: new Intl.DateTimeFormat("en-CA", { timeZone }) };

  return dayFormat.format.format(date);
}

/** A UTC window surely containing the local period; rows are then filtered by their local date. */
function widenedWindow(period: { start: string; end: string } | null) {
  if (!period) return undefined;
  return { gte: new Date(Date.parse(`${period.start}T00:00:00Z`) - DAY_MS), lte: new Date(Date.parse(`${period.end}T23:59:59.999Z`) + DAY_MS) };
}

function inPeriod(date: string | null, period: { start: string; end: string } | null) {
  if (!period) return true;
  if (!date) return false;
  const day = date.slice(0, 10);
  return day >= period.start && day <= period.end;
}

function ageOn(birthDate: string | null, on: Date): number | null {
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return null;
  const [year, month, day] = birthDate.split("-").map(Number) as [number, number, number];
  const today = localDate(on);
  const [ty, tm, td] = today.split("-").map(Number) as [number, number, number];
  return ty - year - (tm < month || (tm === month && td < day) ? 1 : 0);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

const joinAddress = (parts: (string | null | undefined)[]) => parts.filter((part) => part && part.trim()).join(", ") || null;

async function buildContext(scope: TScope, { userId, now = new Date(), db = prisma }: TBuildReportContextOptions): Promise<TReportContextWithAliases> {
  const window = widenedWindow(scope.period);
  const sessionFilter = scope.sessionIds ? { OR: [{ id: { in: scope.sessionIds } }, { sessionNotes: { some: { id: { in: scope.sessionIds } } } }] } : {};
  // The goals of the named plan, or all the patient's goals when none is named (or it turns out not to exist).
  const goalsQuery = (treatmentPlanId: string | null) =>
    db.goal.findMany({ where: { patientId: scope.patientId, ...(treatmentPlanId ? { treatmentPlanId } : {}) }, orderBy: [{ startDate: "asc" }, { createdAt: "asc" }] });
  // One round: every query is issued at once (on PostgreSQL they run side by side); none waits for the plan.
  const [patient, user, conditions, plans, referrals, namedPlanGoals, responses, encounters, looseNotes, observations] = await Promise.all([
    db.patient.findUniqueOrThrow({ where: { id: scope.patientId } }),
    db.user.findUnique({ where: { id: userId }, include: { practitioner: { include: { organization: true } } } }),
    db.condition.findMany({ where: { patientId: scope.patientId }, orderBy: [{ onsetDate: "asc" }, { icd10Code: "asc" }] }),
    db.treatmentPlan.findMany({ where: { patientId: scope.patientId }, orderBy: [{ startDate: "desc" }, { createdAt: "desc" }] }),
    db.carePlan.findMany({ where: { patientId: scope.patientId, category: "referral" }, orderBy: { startDate: "asc" } }),
    goalsQuery(scope.treatmentPlanId),
    scope.sessionIds
      ? Promise.resolve([])
      : db.questionnaireResponse.findMany({ where: { patientId: scope.patientId, authoredAt: window }, orderBy: { authoredAt: "asc" } }),
    db.encounter.findMany({
      where: { patientId: scope.patientId, startAt: window, ...sessionFilter },
      orderBy: { startAt: "asc" },
      include: { practitioner: true, sessionNotes: { orderBy: [{ noteDate: "asc" }, { createdAt: "asc" }], include: { practitioner: true } } },
    }),
    // Notes without an encounter (the FHIR import creates them): the ones a session-notes request
    // names, and all of them in a full record, which must not leave any part of the record out.
    scope.sessionIds
      ? db.sessionNote.findMany({ where: { id: { in: scope.sessionIds }, encounterId: null }, include: { practitioner: true } })
      : scope.exportType === "full_record"
        ? db.sessionNote.findMany({ where: { patientId: scope.patientId, encounterId: null, noteDate: window }, orderBy: [{ noteDate: "asc" }, { createdAt: "asc" }], include: { practitioner: true } })
        : Promise.resolve([]),
    scope.sessionIds ? Promise.resolve([]) : db.observation.findMany({ where: { patientId: scope.patientId, effectiveAt: window }, orderBy: { effectiveAt: "asc" } }),
  ]);
  const plan = pickPlan(plans, scope.treatmentPlanId);
  const isInsurance = scope.purpose === "insurance";
  const goals = scope.treatmentPlanId && !plan ? await goalsQuery(null) : namedPlanGoals;

  const options: TReportContext["options"] = {
    include_transcript: scope.options.include_transcript,
    include_ai_notes: scope.options.include_ai_notes,
    include_action_items: scope.options.include_action_items,
    scrub_third_party: scope.options.scrub_third_party,
  };
  const scrub = scope.options.scrub_third_party ? thirdPartyScrubber(patient) : (text: string | null) => text;

  const periodEncounters = encounters.filter((encounter) => inPeriod(localDate(encounter.startAt), scope.period));
  const visits: TReportContext["sessions"] = periodEncounters.map((encounter) => {
    const practitioner = encounter.practitioner ?? null;
    const notes = encounter.sessionNotes.map((note) => noteOf(note, options, scrub));
    return {
      id: encounter.id,
      date: localDate(encounter.startAt),
      cpt_code: encounter.cptCode,
      cpt_description: encounter.cptDisplay,
      delivery_format: encounter.deliveryFormat,
      duration_minutes: encounter.endAt ? Math.round((encounter.endAt.getTime() - encounter.startAt.getTime()) / 60_000) : null,
      units: encounter.units,
      practitioner: practitioner ? practitionerName(practitioner) : null,
      is_note_only: false,
      ...firstNoteFields(notes[0] ?? null),
      notes,
    };
  });
  const noteOnlyRows: TReportContext["sessions"] = looseNotes
    .filter((note) => inPeriod(localDate(note.noteDate), scope.period))
    .map((note) => {
      const entry = noteOf(note, options, scrub);
      return {
        id: note.id,
        date: entry.date,
        cpt_code: null,
        cpt_description: null,
        delivery_format: null,
        duration_minutes: null,
        units: null,
        practitioner: entry.author,
        is_note_only: true,
        ...firstNoteFields(entry),
        notes: [entry],
      };
    });
  // Stable: on one day, the visits first, then notes written without one.
  const sessions = [...visits, ...noteOnlyRows].sort((a, b) => a.date.localeCompare(b.date));

  const assessments = responses
    .filter((response) => inPeriod(localDate(response.authoredAt), scope.period))
    .map((response) => ({
      questionnaire: response.questionnaire,
      name: getQuestionnaire(response.questionnaire)?.title ?? response.questionnaire.toUpperCase(),
      date: localDate(response.authoredAt),
      score: response.totalScore,
      severity: response.severity,
    }));

  const diagnoses = conditions.map((condition) => ({ code: condition.icd10Code || null, description: condition.display, onset: condition.onsetDate, status: condition.clinicalStatus }));
  // The diagnoses of the period (lib/reports/condition-in-period): what a progress report, an
  // insurance report and its claim list, and what a summary's medical necessity names.
  const activeDiagnoses = diagnoses.filter((_, index) => conditionBelongsToPeriod(conditions[index]!, scope.period));
  const goalRows = goals.map((goal) => ({
    description: goal.description,
    measure: goal.measure,
    baseline: goal.baselineValue,
    target: goal.targetValue,
    current: goal.currentValue,
    progress_percent: goal.progressPercent === null ? null : Math.round(goal.progressPercent),
    status: goal.achievementStatus ?? goal.lifecycleStatus,
  }));
  const therapist = {
    name: user?.name ?? "",
    credentials: user?.credentials ?? user?.practitioner?.credentials ?? null,
    npi: user?.npi ?? user?.practitioner?.npi ?? null,
    organization: user?.practitioner?.organization?.name ?? env().PRACTICE_NAME,
  };

  const context: TReportContext = {
    export_type: scope.exportType,
    generated_at: now.toISOString(),
    // The letterhead is the practice's own configuration, not whichever Organization row an import brought in.
    practice: { name: env().PRACTICE_NAME, address: env().PRACTICE_ADDRESS, phone: env().PRACTICE_PHONE },
    period: scope.period,
    purpose: scope.exportType === "treatment_summary" ? scope.purpose : null,
    include_sections: { ...scope.includeSections },
    options,
    patient: {
      id: patient.id,
      name: [patient.preferredName ?? patient.givenName, patient.familyName].join(" "),
      given_name: patient.givenName,
      family_name: patient.familyName,
      birth_date: patient.birthDate,
      age: ageOn(patient.birthDate, now),
      gender: patient.gender,
      mrn: patient.mrn,
      member_id: patient.insuranceMemberId ?? patient.medicaidId,
      payer: patient.insurancePayer,
      phone: patient.phone ?? patient.mobilePhone,
      email: patient.email,
      address: joinAddress([patient.addressLine, patient.city, [patient.state, patient.postalCode].filter(Boolean).join(" ")]),
    },
    therapist,
    diagnoses: PERIOD_DIAGNOSES_TYPES.has(scope.exportType) ? activeDiagnoses : diagnoses,
    treatment_plan: plan ? planOf(plan) : null,
    treatment_plans: scope.exportType === "full_record" ? plans.map(planOf) : plan ? [planOf(plan)] : [],
    goals: goalRows,
    assessments,
    assessment_trends: trendsOf(assessments),
    sessions,
    observations: observations
      .filter((observation) => inPeriod(localDate(observation.effectiveAt), scope.period))
      .map((observation) => ({
        code: observation.code || null,
        name: observation.display,
        date: localDate(observation.effectiveAt),
        value: observation.valueNumber !== null ? `${observation.valueNumber}${observation.unit ? ` ${observation.unit}` : ""}` : (observation.valueString ?? ""),
      })),
    referrals: referrals.map((referral) => ({ service: referral.title, status: referral.status, date: referral.startDate })),
    summary: { presenting_problem: null, treatment_provided: null, progress: null, medical_necessity: null, recommendations: null, prognosis: null },
    insurance: null,
    timeline: [],
  };
  // The encounter's reason is free text that may name other people: never for a payer (minimum necessary).
  const reasonText = isInsurance ? null : scrub(periodEncounters.find((encounter) => encounter.reasonText)?.reasonText ?? null);
  context.summary = summarize({ ...context, sessions: visits }, reasonText, activeDiagnoses);
  if (scope.exportType === "insurance_report") context.insurance = claimOf(context, activeDiagnoses, periodEncounters);
  if (scope.exportType === "full_record") context.timeline = timelineOf(context, plans);

  return withSpecAliases(applySections(isInsurance ? applyInsurancePurpose(context, activeDiagnoses) : context));
}

type TPlanRow = { id: string; title: string; description: string | null; status: string; interventions: unknown; startDate: string | null; endDate: string | null };

function planOf(plan: TPlanRow): TReportTreatmentPlan {
  return { id: plan.id, title: plan.title, description: plan.description, start: plan.startDate, end: plan.endDate, status: plan.status, interventions: stringArray(plan.interventions) };
}

/** Reports that list the diagnoses of their period; the others (full record, treatment summary, notes) list them all. */
const PERIOD_DIAGNOSES_TYPES = new Set<TReportExportType>(["progress_report", "insurance_report"]);

function pickPlan(plans: TPlanRow[], wantedId: string | null) {
  if (wantedId) return plans.find((plan) => plan.id === wantedId) ?? null;
  return plans.find((plan) => plan.status === "active") ?? plans[0] ?? null;
}

function practitionerName(practitioner: { prefix: string | null; givenName: string; familyName: string; credentials: string | null }) {
  return `${practitioner.givenName} ${practitioner.familyName}${practitioner.credentials ? `, ${practitioner.credentials}` : ""}`;
}

type TNoteRow = {
  id: string;
  noteDate: Date;
  practitioner: { prefix: string | null; givenName: string; familyName: string; credentials: string | null } | null;
  subjective: string | null;
  objective: string | null;
  assessment: string | null;
  plan: string | null;
  transcript: string | null;
  aiNotes: string | null;
  actionItems: unknown;
};

function noteOf(note: TNoteRow, options: TReportContext["options"], scrub: (text: string | null) => string | null): TReportNote {
  return {
    id: note.id,
    date: localDate(note.noteDate),
    author: note.practitioner ? practitionerName(note.practitioner) : null,
    subjective: scrub(note.subjective),
    objective: scrub(note.objective),
    assessment: scrub(note.assessment),
    plan: scrub(note.plan),
    transcript: options.include_transcript ? scrub(note.transcript) : null,
    ai_notes: options.include_ai_notes ? scrub(note.aiNotes) : null,
    action_items: options.include_action_items ? stringArray(note.actionItems).map((item) => scrub(item) ?? "") : [],
  };
}

/** The session's single-note fields (what templates written before `notes` read): its first note. */
function firstNoteFields(note: TReportNote | null) {
  if (!note) return { note: null, transcript: null, ai_notes: null, action_items: [] as string[] };
  return {
    note: { subjective: note.subjective, objective: note.objective, assessment: note.assessment, plan: note.plan },
    transcript: note.transcript,
    ai_notes: note.ai_notes,
    action_items: note.action_items,
  };
}

function trendsOf(assessments: TReportContext["assessments"]): TReportContext["assessment_trends"] {
  const byKey = new Map<string, TReportContext["assessments"]>();
  for (const assessment of assessments) byKey.set(assessment.questionnaire, [...(byKey.get(assessment.questionnaire) ?? []), assessment]);

  return [...byKey.entries()]
    .map(([key, rows]) => {
      const points = rows.filter((row) => row.score !== null).map((row) => ({ date: row.date, score: row.score as number }));
      const first = points[0]?.score ?? null;
      const last = points.at(-1)?.score ?? null;
      return {
        questionnaire: key,
        name: rows[0]!.name,
        max_score: getQuestionnaire(key)?.scoring?.max ?? null,
        points,
        first,
        last,
        change: first !== null && last !== null ? last - first : null,
      };
    })
    .filter((trend) => trend.points.length > 0);
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Plain-language summary lines derived from the data (the clinician reviews and signs the document). */
function summarize(context: TReportContext, reasonText: string | null, active: TReportContext["diagnoses"]): TReportContext["summary"] {
  const diagnosisText = active.map((diagnosis) => `${diagnosis.description}${diagnosis.code ? ` (${diagnosis.code})` : ""}`).join("; ");
  const services = [...new Set(context.sessions.map((session) => session.cpt_description ?? session.cpt_code).filter(Boolean))];
  const firstDate = context.sessions[0]?.date;
  const lastDate = context.sessions.at(-1)?.date;
  const progressed = context.goals.filter((goal) => goal.progress_percent !== null);
  const averageProgress = progressed.length ? Math.round(progressed.reduce((sum, goal) => sum + (goal.progress_percent ?? 0), 0) / progressed.length) : null;
  const trendText = context.assessment_trends
    .filter((trend) => trend.points.length > 1)
    .map((trend) => `${trend.name} ${trend.first} to ${trend.last}`)
    .join("; ");
  const latestSeverity = [...context.assessments].reverse().find((assessment) => assessment.severity);
  const lastPlan = [...context.sessions].reverse().find((session) => session.note?.plan)?.note?.plan ?? null;

  return {
    presenting_problem: reasonText ?? (diagnosisText || null),
    treatment_provided: context.sessions.length
      ? `${plural(context.sessions.length, "session")}${firstDate ? ` from ${firstDate} to ${lastDate}` : ""}${services.length ? `: ${services.join(", ")}` : ""}${
          context.treatment_plan?.interventions.length ? `. Interventions: ${context.treatment_plan.interventions.join(", ")}` : ""
        }.`
      : null,
    progress:
      averageProgress !== null || trendText
        ? [averageProgress !== null ? `Average goal progress ${averageProgress}% across ${plural(progressed.length, "goal")}` : null, trendText ? `Scores: ${trendText}` : null]
            .filter(Boolean)
            .join(". ") + "."
        : null,
    medical_necessity: diagnosisText
      ? `Continued treatment is indicated for ${diagnosisText}${latestSeverity ? `; latest ${latestSeverity.name} severity ${latestSeverity.severity}` : ""}.`
      : null,
    recommendations: lastPlan,
    prognosis: averageProgress === null ? null : averageProgress >= 66 ? "Good" : averageProgress >= 33 ? "Fair" : "Guarded",
  };
}

type TPractitionerRow = { prefix: string | null; givenName: string; familyName: string; credentials: string | null; npi: string | null };

/**
 * The claim: the rendering provider is the clinician of the encounters billed (each line names its
 * own), never whoever ran the export; with several, the claim-level provider says so and is left
 * without an NPI. Diagnosis codes are those active during the period.
 */
function claimOf(
  context: TReportContext,
  activeDiagnoses: TReportContext["diagnoses"],
  encounters: { id: string; practitioner: TPractitionerRow | null }[],
): NonNullable<TReportContext["insurance"]> {
  const providerOf = new Map(encounters.map((encounter) => [encounter.id, encounter.practitioner]));
  const lines = context.sessions
    .filter((session) => session.cpt_code)
    .map((session) => {
      const provider = providerOf.get(session.id) ?? null;
      return {
        date: session.date,
        cpt_code: session.cpt_code as string,
        units: session.units ?? 1,
        description: session.cpt_description,
        provider_name: provider ? practitionerName(provider) : null,
        provider_npi: provider?.npi ?? null,
      };
    });
  const providers = [...new Map(lines.map((line) => [`${line.provider_npi ?? ""}|${line.provider_name ?? ""}`, line])).values()];
  const single = providers.length === 1 ? providers[0]! : null;

  return {
    claim: {
      provider_npi: single?.provider_npi ?? null,
      provider_name: single ? (single.provider_name ?? "Not recorded") : providers.length > 1 ? "Several rendering providers: see each service line" : "Not recorded",
      member_id: context.patient.member_id,
      payer: context.patient.payer,
      diagnosis_codes: [...new Set(activeDiagnoses.map((diagnosis) => diagnosis.code).filter((code): code is string => Boolean(code)))],
      service_lines: lines,
      total_units: lines.reduce((sum, line) => sum + line.units, 0),
    },
  };
}

function timelineOf(context: TReportContext, plans: TPlanRow[]): TReportContext["timeline"] {
  const events: TReportContext["timeline"] = [
    ...context.diagnoses.filter((diagnosis) => diagnosis.onset && inPeriod(diagnosis.onset, context.period)).map((diagnosis) => ({ date: diagnosis.onset!.slice(0, 10), kind: "diagnosis", text: `${diagnosis.code ?? ""} ${diagnosis.description}`.trim() })),
    ...plans.filter((plan) => plan.startDate && inPeriod(plan.startDate, context.period)).map((plan) => ({ date: plan.startDate!.slice(0, 10), kind: "treatment_plan", text: `Treatment plan started: ${plan.title}` })),
    ...context.sessions.map((session) =>
      session.is_note_only
        ? { date: session.date, kind: "note", text: `Clinical note${session.practitioner ? ` by ${session.practitioner}` : ""} (no session recorded)` }
        : { date: session.date, kind: "session", text: [session.cpt_description ?? session.cpt_code ?? "Session", session.delivery_format].filter(Boolean).join(" · ") },
    ),
    ...context.assessments.map((assessment) => ({ date: assessment.date, kind: "assessment", text: `${assessment.name}: ${assessment.score ?? "-"}${assessment.severity ? ` (${assessment.severity})` : ""}` })),
    ...context.referrals.filter((referral) => referral.date && inPeriod(referral.date, context.period)).map((referral) => ({ date: referral.date!.slice(0, 10), kind: "referral", text: `${referral.service} (${referral.status})` })),
  ];

  return events.sort((a, b) => a.date.localeCompare(b.date));
}

const withoutDescription = (plan: TReportTreatmentPlan): TReportTreatmentPlan => ({ ...plan, description: null });

/**
 * Minimum necessary for payers (the insurance report, and a treatment summary for insurance): codes,
 * dates, services, goal progress and a summary derived from them. Psychotherapy note content,
 * contact details, free narrative that may name third parties (the encounter's reason, which never
 * reaches summary.presenting_problem here, and the plan's description), on a claim the diagnoses
 * not active in its period, and everything else are dropped.
 */
function applyInsurancePurpose(context: TReportContext, activeDiagnoses: TReportContext["diagnoses"]): TReportContext {
  return {
    ...context,
    options: { ...context.options, include_transcript: false, include_ai_notes: false, include_action_items: false },
    patient: { ...context.patient, phone: null, email: null, address: null },
    // A claim lists what was active in its period; a treatment summary describes the whole course.
    diagnoses: context.export_type === "insurance_report" ? activeDiagnoses : context.diagnoses,
    treatment_plan: context.treatment_plan ? withoutDescription(context.treatment_plan) : null,
    treatment_plans: context.treatment_plans.map(withoutDescription),
    sessions: context.sessions.map((session) => ({ ...session, note: null, transcript: null, ai_notes: null, action_items: [], notes: [] })),
    observations: [],
    referrals: [],
    timeline: [],
    summary: { ...context.summary, recommendations: null },
  };
}

/** include_sections switched off empty the matching parts, so JSON/CSV/FHIR leave out what the document leaves out. */
function applySections(context: TReportContext): TReportContext {
  const off = (name: string) => context.include_sections[name] === false;
  const out = { ...context };
  const dropDemographics = () => {
    out.patient = { ...out.patient, birth_date: null, age: null, gender: null, mrn: null, member_id: null, payer: null, phone: null, email: null, address: null };
  };
  switch (context.export_type) {
    case "progress_report":
      if (off("patient_info")) dropDemographics();
      if (off("treatment_goals") && off("goal_progress")) out.goals = [];
      else if (off("goal_progress")) out.goals = out.goals.map((goal) => ({ ...goal, current: null, progress_percent: null }));
      if (off("treatment_goals")) Object.assign(out, { treatment_plan: null, treatment_plans: [] });
      if (off("assessments")) Object.assign(out, { assessments: [], assessment_trends: [] });
      if (off("session_summary")) out.sessions = [];
      if (off("clinical_observations")) out.observations = [];
      // What the document's Recommendations section shows, and the spec's medical_necessity section (its alias).
      if (off("recommendations")) out.summary = { ...out.summary, recommendations: null, prognosis: null, medical_necessity: null };
      if (off("diagnosis")) out.diagnoses = [];
      break;
    case "treatment_summary":
      if (off("diagnosis")) out.diagnoses = [];
      if (off("treatment_plan")) Object.assign(out, { treatment_plan: null, treatment_plans: [] });
      if (off("interventions_used")) {
        out.treatment_plan = out.treatment_plan ? { ...out.treatment_plan, interventions: [] } : null;
        out.treatment_plans = out.treatment_plans.map((plan) => ({ ...plan, interventions: [] }));
        out.summary = { ...out.summary, treatment_provided: null };
      }
      if (off("progress_summary")) Object.assign(out, { goals: [], assessments: [], assessment_trends: [], summary: { ...out.summary, progress: null } });
      if (off("prognosis")) out.summary = { ...out.summary, prognosis: null };
      break;
    case "full_record":
      if (off("demographics")) dropDemographics();
      if (off("treatment_plans")) Object.assign(out, { treatment_plan: null, treatment_plans: [], goals: [] });
      if (off("notes")) {
        out.sessions = out.sessions
          .filter((session) => !session.is_note_only)
          .map((session) => ({ ...session, note: null, transcript: null, ai_notes: null, action_items: [], notes: [] }));
      }
      // The notes live on their sessions: with notes wanted the sessions stay (the document's table of
      // sessions follows its own switch), or a copy certifying "every clinical note" would hold none.
      if (off("sessions") && off("notes")) out.sessions = [];
      if (off("assessments")) Object.assign(out, { assessments: [], assessment_trends: [] });
      if (off("timeline")) out.timeline = [];
      break;
    default:
      break;
  }

  return out;
}
