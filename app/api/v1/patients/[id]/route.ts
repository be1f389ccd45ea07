// GET /api/v1/patients/{id} – one patient with encounters, goals, conditions and latest assessments.
import { authedRoute, json } from "@/lib/http/route";
import { getPatientDetail } from "@/lib/patients/get-patient";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute<{ id: string }>(async ({ actor, params, meta }) => json(await getPatientDetail(actor, params.id, meta)));
