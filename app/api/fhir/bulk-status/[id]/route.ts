// GET /api/fhir/bulk-status/{id} – a Bulk Data export's status: 202 (X-Progress, Retry-After) or 200 with the manifest.
// DELETE – cancels the export and deletes its files; 404 from then on.
import { fhirRoute } from "@/lib/fhir/api/fhir-route";
import { cancelResponse, statusResponse } from "@/lib/fhir/bulk/bulk-responses";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = fhirRoute<{ id: string }>(async ({ caller, params, meta }) => statusResponse(caller, params.id, meta));

export const DELETE = fhirRoute<{ id: string }>(async ({ caller, params, meta }) => cancelResponse(caller, params.id, meta));
