// GET /api/health – liveness with a database round trip, and whether the schema is this release's.
import { databaseHealth } from "@/lib/db/health";
import { json } from "@/lib/http/responses";
import { route } from "@/lib/http/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({
  auth: "none",
  // Load balancers and monitors poll this from one address; it reads nothing of anyone's.
  rateLimit: false,
  handler: async () => {
    const health = await databaseHealth();
    if (health.ok) return json({ status: "ok", database: "ok" });
    if (health.database === "unreachable") return json({ status: "error", database: "unreachable" }, 503);

    // Migration names are not secrets; they tell the operator what `npm start` would apply.
    return json({ status: "error", database: "migrations pending", pending: health.pending, hint: "Start with `npm start`: it applies migrations first." }, 503);
  },
});
