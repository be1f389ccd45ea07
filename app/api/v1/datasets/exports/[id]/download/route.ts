// GET /api/v1/datasets/exports/{id}/download – the ZIP (owner or admin; audited), via the shared download.
export { GET } from "@/app/api/v1/export/download/[id]/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
