// GET /api/fhir/bulk-files/{id}/{name} – one NDJSON file of a finished export, to its exporter with a token covering its type.
import { fhirRoute } from "@/lib/fhir/api/fhir-route";
import { serveBulkFile } from "@/lib/fhir/bulk/bulk-export-status";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = fhirRoute<{ id: string; name: string }>(async ({ caller, params, meta }) => serveBulkFile(caller, params.id, params.name, meta));
