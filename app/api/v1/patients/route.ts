// GET /api/v1/patients – the caller's patients (therapist: assigned; admin: all), searchable and paged.
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";
import { listPatients, ZListPatientsQuery } from "@/lib/patients/list-patients";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "both",
  policy: { action: "patient.list" },
  query: ZListPatientsQuery,
  handler: async ({ actor, query }) => json(await listPatients(actor, query)),
});
