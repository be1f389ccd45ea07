// The policy questions a schedule raises, asked at creation and again before every run: the
// owner must still be allowed to produce what the schedule exports.
import { decide, type TActor, type TDatasetTier, type TDecision, type TPolicyRequest } from "@/lib/auth/policy";
import type { TDb } from "@/lib/db/client";
import { webhookDeliveryModeOf } from "@/lib/delivery/webhook-file";
import { isPatientAssigned } from "@/lib/patients/patient-scope";

export type TScheduleSubject = {
  exportType: string;
  patientId: string | null;
  datasetExport: unknown;
  /** Where and how it is delivered (webhook file mode is a policy question); absent: not asked. */
  deliveryMethod?: string;
  parameters?: unknown;
};

export const DATASET_EXPORT_TYPE = "dataset";

export function datasetTierOf(subject: TScheduleSubject): TDatasetTier | null {
  if (subject.exportType !== DATASET_EXPORT_TYPE) return null;

  return ((subject.datasetExport as { tier?: TDatasetTier } | null)?.tier ?? "anon") as TDatasetTier;
}

/** The policy requests whose allowance the schedule needs, in the order they are asked. */
export async function schedulePolicyRequests(db: TDb, actor: TActor, subject: TScheduleSubject): Promise<TPolicyRequest[]> {
  const tier = datasetTierOf(subject);
  const webhookFile: TPolicyRequest[] = subject.deliveryMethod === "webhook" && webhookDeliveryModeOf(subject.parameters) === "file" ? [{ action: "schedule.webhook-file", isIdentified: tier === null || tier === "pii" }] : [];
  if (tier) return [{ action: "dataset.export", tier }, ...webhookFile];
  if (subject.patientId === null) return [{ action: "template.use" }, { action: "report.export-practice-wide" }, ...webhookFile];

  return [{ action: "template.use" }, { action: "report.export", isAssigned: await isPatientAssigned(db, actor, subject.patientId) }, ...webhookFile];
}

/** The first refusal among the schedule's requests, or allowed. */
export async function decideScheduleRun(db: TDb, actor: TActor, subject: TScheduleSubject): Promise<TDecision> {
  for (const request of await schedulePolicyRequests(db, actor, subject)) {
    const decision = decide(actor, request);
    if (!decision.allowed) return decision;
  }

  return { allowed: true };
}
