// GET /api/ready names each dependency (database, migrations, storage) and answers 503 when one
// fails; GET /api/health (liveness) is unaffected by storage.
import { writeFileSync } from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GET as healthRoute } from "@/app/api/health/route";
import { GET as readyRoute } from "@/app/api/ready/route";
import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";

import { call } from "../setup/http";
import { overrideEnv, startS3Server, type TS3TestServer } from "../setup/s3-server";

let s3: TS3TestServer;

beforeAll(async () => {
  s3 = await startS3Server("careexport-ready");
});

afterAll(async () => {
  await s3.stop();
});

const ready = () => call(readyRoute, { path: "/api/ready" });

describe("readiness", () => {
  it("is ready with local storage: every check named and ok", async () => {
    const answer = await ready();
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ status: "ready", checks: { database: "ok", migrations: "ok", storage: "ok" } });
    expect(answer.headers.get("cache-control")).toBe("no-store");
  });

  it("is ready with S3 storage, and answers 503 naming storage when the S3 server is unreachable; liveness stays 200", async () => {
    const restore = overrideEnv(s3.env);
    try {
      expect((await ready()).json).toMatchObject({ status: "ready", checks: { storage: "ok" } });

      const undoDown = overrideEnv({ S3_ENDPOINT: "http://127.0.0.1:9" });
      try {
        const down = await ready();
        expect(down.status).toBe(503);
        expect(down.json).toEqual({ status: "not ready", checks: { database: "ok", migrations: "ok", storage: "unreachable" } });
        // Nothing about hosts or errors in an answer that needs no sign-in.
        expect(down.text).not.toContain("127.0.0.1");
        expect((await call(healthRoute, { path: "/api/health" })).status).toBe(200);
      } finally {
        undoDown();
      }

      // A bucket that does not exist is not storage one can use either.
      const undoBucket = overrideEnv({ S3_BUCKET: "no-such-bucket" });
      try {
        expect(await ready()).toMatchObject({ status: 503, json: { checks: { storage: "unreachable" } } });
      } finally {
        undoBucket();
      }
    } finally {
      restore();
    }
  });

  it("answers 503 naming storage when the local storage directory cannot be created", async () => {
    const blocker = path.join(env().DATA_DIR, "blocker-file");
    writeFileSync(blocker, "x");
    const restore = overrideEnv({ STORAGE_DIR: path.join(blocker, "files") });
    try {
      expect(await ready()).toMatchObject({ status: 503, json: { status: "not ready", checks: { storage: "unreachable", database: "ok" } } });
    } finally {
      restore();
    }
  });

  it("answers 503 naming the pending migration", async () => {
    const [latest] = await prisma.$queryRawUnsafe<{ id: string; migration_name: string }[]>(`SELECT "id", "migration_name" FROM "_prisma_migrations" ORDER BY "migration_name" DESC LIMIT 1`);
    await prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET "rolled_back_at" = "started_at" WHERE "id" = '${latest!.id}'`);
    try {
      const pending = await ready();
      expect(pending.status).toBe(503);
      expect(pending.json).toEqual({ status: "not ready", checks: { database: "ok", migrations: "pending", storage: "ok" }, pending: [latest!.migration_name] });
    } finally {
      await prisma.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET "rolled_back_at" = NULL WHERE "id" = '${latest!.id}'`);
    }
    expect((await ready()).status).toBe(200);
  });
});
