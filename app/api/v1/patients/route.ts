// GET /api/v1/patients – the caller's patients (therapist: assigned; admin: all), searchable and paged.
import { authorize } from "@/lib/auth/authorize";
import { authedRoute, json } from "@/lib/http/route";
import { parseOrThrow, searchParamsToObject } from "@/lib/http/validation";
import { listPatients, ZListPatientsQuery } from "@/lib/patients/list-patients";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = authedRoute(async ({ request, actor, meta }) => {
  await authorize(actor, { action: "patient.list" }, { meta });
  const query = parseOrThrow(ZListPatientsQuery, searchParamsToObject(new URL(request.url).searchParams), "Invalid query");

  return json(await listPatients(actor, query));
});
