// POST /api/v1/admin/users/{id}/caseload – admins: move all of a therapist's patients to another
// therapist ({to_user_id}) in one step; each change audited.
import { z } from "zod";

import { json } from "@/lib/http/responses";
import { route, ZIdParams, ZRouteId } from "@/lib/http/route";
import { moveCaseload } from "@/lib/patients/move-caseload";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const ZMoveCaseload = z.object({ to_user_id: ZRouteId });

export const POST = route({
  auth: "both",
  params: ZIdParams,
  policy: { action: "user.manage" },
  body: ZMoveCaseload,
  handler: async ({ actor, params, body, meta }) => {
    const result = await moveCaseload({ fromTherapistId: params.id, toTherapistId: body.to_user_id, actor: { userId: actor.id }, meta });

    return json({ moved: result.moved, already_assigned: result.alreadyAssigned });
  },
});
