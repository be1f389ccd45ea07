// GET /api/ready – readiness: the database reachable, this release's migrations applied and the
// file storage reachable, each named; 503 when one fails or the instance is shutting down.
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";
import { checkReadiness } from "@/lib/lifecycle/check-readiness";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "none",
  handler: async () => {
    const { isReady, ...readiness } = await checkReadiness();

    return json(readiness, isReady ? 200 : 503);
  },
});
