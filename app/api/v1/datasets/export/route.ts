// POST /api/v1/datasets/export – the singular spelling, same contract as /api/v1/datasets/exports.
export { POST } from "@/app/api/v1/datasets/exports/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
