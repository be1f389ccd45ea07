// GET /api/health – liveness with a database round trip.
import { prisma } from "@/lib/db/client";
import { json, publicRoute } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = publicRoute(async () => {
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
  } catch {
    return json({ status: "error", database: "unreachable" }, 503);
  }

  return json({ status: "ok", database: "ok" });
});
