// PUT /api/v1/admin/users/{id}/assignments – admins: assign ({patient_id, assigned: true}) or unassign a patient to a therapist (audited).
import { z } from "zod";

import { authorize } from "@/lib/auth/authorize";
import { authedRoute, json, readJsonBody } from "@/lib/http/route";
import { parseOrThrow } from "@/lib/http/validation";
import { setPatientAssignment } from "@/lib/patients/assign-patient";
import { getUserOrThrow } from "@/lib/users/get-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZAssignment = z.object({ patient_id: z.string().trim().min(1, "is required").max(100), assigned: z.boolean("must be true or false") });

export const PUT = authedRoute<{ id: string }>(async ({ request, actor, params, meta }) => {
  await authorize(actor, { action: "user.manage" }, { meta });
  const body = parseOrThrow(ZAssignment, await readJsonBody(request), "Invalid assignment");
  await setPatientAssignment({ therapistId: params.id, patientId: body.patient_id, isAssigned: body.assigned, actor: { userId: actor.id }, meta });

  return json(await getUserOrThrow(params.id));
});
