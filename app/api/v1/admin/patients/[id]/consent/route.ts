// PUT /api/v1/admin/patients/{id}/consent – admins: opt a patient out of data sharing ({opt_out: true, reason}) or
// clear the opt-out ({opt_out: false, reason}). Stored as a Consent, audited with the reason.
// GET: the current opt-out and the consent decisions behind it.
import { z } from "zod";

import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";
import { CONSENT_REASON_MAX_LENGTH, consentHistory, setDataSharingOptOut } from "@/lib/patients/consent";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZConsentDecision = z
  .object({
    opt_out: z.boolean("must be true (opt out of data sharing) or false (clear the opt-out)"),
    reason: z.string("is required: state why").trim().min(1, "is required: state why").max(CONSENT_REASON_MAX_LENGTH, `must be at most ${CONSENT_REASON_MAX_LENGTH} characters`),
  })
  .strict();

export const GET = route({
  auth: "both",
  params: ZIdParams,
  policy: { action: "patient.consent-manage" },
  handler: async ({ params }) => json(await consentHistory(params.id)),
});

export const PUT = route({
  auth: "both",
  params: ZIdParams,
  body: ZConsentDecision,
  handler: async ({ actor, params, body, meta }) => json(await setDataSharingOptOut(actor, params.id, { optOut: body.opt_out, reason: body.reason }, meta)),
});
