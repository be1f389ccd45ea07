// GET /api/v1/datasets/exports/{id}/events – progress as Server-Sent Events (the shared job stream).
export { GET } from "@/app/api/v1/export/jobs/[id]/events/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
