// GET /api/v1/datasets/exports/{id} – a dataset job's status and per-dataset progress: the
// shared job endpoint (/api/v1/export/jobs/{id}), under the path the dataset contract names.
export { DELETE, GET } from "@/app/api/v1/export/jobs/[id]/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
