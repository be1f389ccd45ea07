// Goal and CarePlan (treatment plans and referral services), shared by the report writer and the API.
import { CODE_SYSTEMS, EXTENSIONS, REFERRAL_STATUSES } from "@/lib/fhir/fhir-conventions";
import { CARE_PLAN_STATUS, compact, GOAL_LIFECYCLE, isFhirDate, present, type TMeta, type TReference } from "@/lib/fhir/serialize/fhir-values";

export type TGoalInput = {
  id: string;
  meta?: TMeta | null;
  /** A lifecycle status, or an achievement status (which then goes to achievementStatus). */
  status?: string | null;
  achievementStatus?: string | null;
  description: string;
  subject: TReference;
  measure?: string | null;
  unit?: string | null;
  baseline?: number | null;
  target?: number | null;
  current?: number | null;
  progressPercent?: number | null;
  start?: string | null;
  due?: string | null;
};

export function buildGoalResource(input: TGoalInput) {
  const isLifecycle = Boolean(input.status && GOAL_LIFECYCLE.has(input.status));
  const achievement = input.achievementStatus ?? (input.status && !isLifecycle ? input.status : null);
  const quantity = (value: number) => compact({ value, unit: input.unit });

  return compact({
    resourceType: "Goal",
    id: input.id,
    meta: input.meta,
    lifecycleStatus: isLifecycle ? input.status : "active",
    achievementStatus: achievement ? { text: achievement } : null,
    description: { text: input.description },
    subject: input.subject,
    startDate: isFhirDate(input.start) ? input.start : null,
    target:
      input.target !== null && input.target !== undefined
        ? [compact({ measure: input.measure ? { text: input.measure } : null, detailQuantity: quantity(input.target), dueDate: isFhirDate(input.due) ? input.due : null })]
        : [],
    extension: present([
      input.baseline !== null && input.baseline !== undefined ? { url: EXTENSIONS.goalBaseline, valueQuantity: quantity(input.baseline) } : null,
      input.current !== null && input.current !== undefined ? { url: EXTENSIONS.goalCurrent, valueQuantity: quantity(input.current) } : null,
    ]),
    note: input.progressPercent !== null && input.progressPercent !== undefined ? [{ text: `Progress ${input.progressPercent}%` }] : [],
  });
}

export type TCarePlanInput = {
  id: string;
  meta?: TMeta | null;
  status?: string | null;
  /** Referral services: eligible | accepted | declined | completed (CarePlan.status then carries the nearest FHIR one). */
  referralStatus?: string | null;
  intent?: string | null;
  category: string;
  title?: string | null;
  description?: string | null;
  subject: TReference;
  start?: string | null;
  end?: string | null;
  addresses?: TReference[];
  goals?: TReference[];
  interventions?: string[];
};

/** Referral statuses travel in their extension; CarePlan.status carries the nearest FHIR one. */
const FHIR_STATUS_OF_REFERRAL: Record<string, string> = { eligible: "draft", accepted: "active", completed: "completed", declined: "revoked" };
const INTENTS = new Set(["proposal", "plan", "order", "option"]);

export function buildCarePlanResource(input: TCarePlanInput) {
  const referralStatus = input.referralStatus && (REFERRAL_STATUSES as readonly string[]).includes(input.referralStatus) ? input.referralStatus : null;
  const status = referralStatus ? FHIR_STATUS_OF_REFERRAL[referralStatus]! : input.status && CARE_PLAN_STATUS.has(input.status) ? input.status : "unknown";
  const start = isFhirDate(input.start) ? input.start : null;
  const end = isFhirDate(input.end) ? input.end : null;

  return compact({
    resourceType: "CarePlan",
    id: input.id,
    meta: input.meta,
    extension: referralStatus ? [{ url: EXTENSIONS.referralStatus, valueCode: referralStatus }] : [],
    status,
    intent: input.intent && INTENTS.has(input.intent) ? input.intent : "plan",
    category: [{ coding: [{ system: CODE_SYSTEMS.carePlanCategory, code: input.category }] }],
    title: input.title,
    description: input.description,
    subject: input.subject,
    period: start || end ? compact({ start, end }) : null,
    addresses: input.addresses ?? [],
    goal: input.goals ?? [],
    activity: (input.interventions ?? []).map((intervention) => ({ detail: { status: "in-progress", description: intervention } })),
  });
}
