// CarePlan (treatment plan or referral service), Goal and CareTeam -> rows.
import { EXTENSIONS } from "@/lib/fhir/fhir-conventions";
import { codingOf, conceptText, datePart, extensionNumber, extensionOf } from "@/lib/fhir/import/fhir-elements";
import type { TCarePlan, TCareTeam, TGoal } from "@/lib/fhir/import/fhir-schemas";
import type { TMapContext, TRowData } from "@/lib/fhir/import/map-context";

/** FHIR CarePlan.status -> referral status, for referral plans sent without the extension. */
const REFERRAL_STATUS_BY_FHIR_STATUS: Record<string, string> = { draft: "eligible", active: "accepted", completed: "completed", revoked: "declined" };

export function mapTreatmentPlan(resource: TCarePlan, ctx: TMapContext): TRowData {
  const interventions = (resource.activity ?? []).map((activity) => activity.detail?.description ?? conceptText(activity.detail?.code)).filter((text): text is string => Boolean(text));

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    title: resource.title ?? "Treatment plan",
    description: resource.description ?? null,
    status: resource.status,
    interventions,
    startDate: datePart(resource.period?.start),
    endDate: datePart(resource.period?.end),
  };
}

export function mapReferralCarePlan(resource: TCarePlan, ctx: TMapContext): TRowData {
  const category = resource.category?.map((concept) => codingOf(concept)?.code ?? concept.text).find(Boolean) ?? null;
  const referralStatus = extensionOf(resource.extension, EXTENSIONS.referralStatus)?.valueCode;

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    title: resource.title ?? conceptText(resource.category?.[0]) ?? "Care plan",
    category,
    status: referralStatus ?? REFERRAL_STATUS_BY_FHIR_STATUS[resource.status] ?? resource.status,
    intent: resource.intent ?? null,
    description: resource.description ?? null,
    startDate: datePart(resource.period?.start),
    endDate: datePart(resource.period?.end),
  };
}

/** "baseline: 18" in a Goal note, for senders that cannot add extensions. */
function noteNumber(goal: TGoal, label: string) {
  for (const note of goal.note ?? []) {
    const match = new RegExp(`\\b${label}\\s*[:=]\\s*(-?\\d+(?:\\.\\d+)?)`, "i").exec(note.text);
    if (match) return Number(match[1]);
  }

  return null;
}

/** How far current has moved from baseline toward target, 0-100; null unless all three are numbers. */
export function goalProgressPercent(baseline: number | null, target: number | null, current: number | null) {
  if (baseline === null || target === null || current === null || baseline === target) return null;
  const percent = ((baseline - current) / (baseline - target)) * 100;

  return Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
}

export function mapGoal(resource: TGoal, ctx: TMapContext, goalKey: string): TRowData {
  const target = resource.target?.[0];
  const baselineExtension = extensionOf(resource.extension, EXTENSIONS.goalBaseline);
  const baselineValue = extensionNumber(baselineExtension) ?? noteNumber(resource, "baseline");
  const currentValue = extensionNumber(extensionOf(resource.extension, EXTENSIONS.goalCurrent)) ?? noteNumber(resource, "current");
  const targetValue = target?.detailQuantity?.value ?? target?.detailInteger ?? null;
  const planReference = resource.addresses?.find((reference) => reference.reference.startsWith("CarePlan/"));

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    treatmentPlanId: ctx.goalPlans.get(goalKey) ?? ctx.rowId(planReference, "treatmentPlan"),
    description: resource.description.text ?? resource.description.coding!.find((coding) => coding.display)!.display,
    measure: target?.measure ? conceptText(target.measure) : null,
    unit: target?.detailQuantity?.unit ?? baselineExtension?.valueQuantity?.unit ?? null,
    baselineValue,
    targetValue,
    currentValue,
    progressPercent: goalProgressPercent(baselineValue, targetValue, currentValue),
    lifecycleStatus: resource.lifecycleStatus,
    achievementStatus: codingOf(resource.achievementStatus)?.code ?? resource.achievementStatus?.text ?? null,
    startDate: resource.startDate ?? null,
    targetDate: target?.dueDate ?? null,
  };
}

export function mapCareTeam(resource: TCareTeam, ctx: TMapContext): TRowData {
  const members = (resource.participant ?? [])
    .map((participant) => participant.member?.reference)
    .filter((reference): reference is string => Boolean(reference?.startsWith("Practitioner/")))
    .map((reference) => reference.slice("Practitioner/".length));

  return {
    patientId: ctx.rowId(resource.subject, "patient"),
    name: resource.name ?? null,
    status: resource.status ?? null,
    members,
  };
}
