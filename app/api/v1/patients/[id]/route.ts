// GET /api/v1/patients/{id} – one patient with encounters, goals, conditions and latest assessments.
import { json } from "@/lib/http/responses";
import { route, ZIdParams } from "@/lib/http/route";
import { getPatientDetail } from "@/lib/patients/get-patient";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ auth: "both", params: ZIdParams, handler: async ({ actor, params, meta }) => json(await getPatientDetail(actor, params.id, meta)) });
