// PUT /api/v1/admin/users/{id}/assignments – admins: assign ({patient_id, assigned: true}) or unassign a patient to a therapist (audited).
import { z } from "zod";

import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";
import { setPatientAssignment } from "@/lib/patients/assign-patient";
import { getUserOrThrow } from "@/lib/users/get-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZAssignment = z.object({ patient_id: z.string().trim().min(1, "is required").max(100), assigned: z.boolean("must be true or false") });

export const PUT = route({
  auth: "both",
  params: ZIdParams,
  policy: { action: "user.manage" },
  body: ZAssignment,
  handler: async ({ actor, params, body, meta }) => {
    await setPatientAssignment({ therapistId: params.id, patientId: body.patient_id, isAssigned: body.assigned, actor: { userId: actor.id }, meta });

    return json(await getUserOrThrow(params.id));
  },
});
