import { recordAudit } from "@/lib/audit/record";
import type { TRequestMeta } from "@/lib/audit/request-meta";
import { decide, type TActor, type TPolicyRequest } from "@/lib/auth/policy";
import { AppError } from "@/lib/errors/app-error";

export type TDenialContext = {
  meta?: TRequestMeta | null;
  patientId?: string | null;
  exportJobId?: string | null;
  dataset?: string | null;
  scheduleId?: string | null;
  /**
   * Who really asked, when not the actor in person: "signed-link" (the policy was asked for the
   * link's owner, but the request came from whoever held the URL).
   */
  actorLabel?: string | null;
  /** Extra ids for the record (a token id...). Never patient names or other PII. */
  details?: Record<string, unknown>;
};

/**
 * Asks the policy; on a refusal writes `access_denied` (in its own transaction, so the record
 * survives the failed request) and throws the 403 or 404 the policy chose.
 */
export async function authorize(actor: TActor, request: TPolicyRequest, context: TDenialContext = {}) {
  const decision = decide(actor, request);
  if (decision.allowed) return;

  await recordAudit(null, {
    action: "access_denied",
    outcome: "denied",
    userId: actor.id,
    actorLabel: context.actorLabel ?? null,
    patientId: context.patientId ?? null,
    exportJobId: context.exportJobId ?? null,
    dataset: context.dataset ?? null,
    scheduleId: context.scheduleId ?? null,
    metadata: { ...context.details, policyAction: request.action, reason: decision.reason, status: decision.status },
    meta: context.meta,
  });

  throw decision.status === 404 ? new AppError("NOT_FOUND", "Not found") : new AppError("FORBIDDEN", "You do not have access to this");
}
