// Job claims across processes: two worker processes claiming from one database at the same
// instant never take the same job, and on PostgreSQL a row another transaction holds is skipped
// (FOR UPDATE SKIP LOCKED) rather than waited on.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import pg from "pg";
import { describe, expect, it } from "vitest";

import { isPostgres, prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { claimNextJob } from "@/lib/jobs/claim-job";

import { createUser } from "../setup/fixtures";

const run = promisify(execFile);

async function queueJobs(count: number) {
  const { user } = await createUser({ role: "ANALYST" });
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    // createdAt apart, so "oldest first" is well defined.
    const job = await prisma.exportJob.create({ data: { kind: "dataset", exportType: "dataset", format: "zip", userId: user.id, parameters: {}, createdAt: new Date(Date.now() - (count - n) * 1_000) } });
    ids.push(job.id);
  }

  return ids;
}

function claimerProcess(workerId: string, startAt: number) {
  const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");

  return run(tsx, ["tests/setup/claim-loop.ts", workerId], { env: { ...process.env, START_AT: String(startAt) }, timeout: 60_000 }).then(
    ({ stdout }) => JSON.parse(stdout.trim().split("\n").pop()!) as { workerId: string; claimed: string[] },
  );
}

describe("job claims", () => {
  it("two worker processes claiming at the same instant each take different jobs, and together all of them", async () => {
    const ids = await queueJobs(40);
    const startAt = Date.now() + 4_000;
    const [a, b] = await Promise.all([claimerProcess("process-a", startAt), claimerProcess("process-b", startAt)]);

    const all = [...a.claimed, ...b.claimed];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([...ids].sort());
    const rows = await prisma.exportJob.findMany({ where: { id: { in: ids } } });
    for (const row of rows) {
      expect(row.status).toBe("PROCESSING");
      expect(row.attempts).toBe(1);
      expect(row.leaseOwner).toBe(a.claimed.includes(row.id) ? "process-a" : "process-b");
      expect(row.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    }
  });

  it.runIf(isPostgres())("PostgreSQL: a job whose row another transaction has locked is skipped, not waited on", async () => {
    await prisma.exportJob.updateMany({ where: { status: "PENDING" }, data: { status: "CANCELLED" } });
    const [oldest, next] = await queueJobs(2);
    const holder = new pg.Client({ connectionString: env().DATABASE_URL });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT "id" FROM "ExportJob" WHERE "id" = $1 FOR UPDATE`, [oldest]);
      // Without SKIP LOCKED this claim would block on the held row until the transaction ends.
      const claimed = await claimNextJob("skipper");
      expect(claimed?.id).toBe(next);
      expect(await claimNextJob("skipper")).toBeNull();
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    expect((await claimNextJob("after-release"))?.id).toBe(oldest);
  });
});
