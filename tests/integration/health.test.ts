import { describe, expect, it } from "vitest";

import { GET as healthRoute } from "@/app/api/health/route";
import { prisma } from "@/lib/db/client";

import { call } from "../setup/http";

describe("health check", () => {
  it("answers ok on a migrated database, and 503 naming the pending migration when one is missing", async () => {
    const ok = await call(healthRoute, { path: "/api/health" });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ status: "ok", database: "ok" });

    const [latest] = await prisma.$queryRawUnsafe<{ id: string; migration_name: string }[]>(
      `SELECT "id", "migration_name" FROM "_prisma_migrations" ORDER BY "migration_name" DESC LIMIT 1`,
    );
    await prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET "rolled_back_at" = "started_at" WHERE "id" = '${latest!.id}'`);
    try {
      const pending = await call(healthRoute, { path: "/api/health" });
      expect(pending.status).toBe(503);
      expect(pending.json).toMatchObject({ status: "error", database: "migrations pending", pending: [latest!.migration_name] });
    } finally {
      await prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET "rolled_back_at" = NULL WHERE "id" = '${latest!.id}'`);
    }
    expect((await call(healthRoute, { path: "/api/health" })).status).toBe(200);
  });
});
