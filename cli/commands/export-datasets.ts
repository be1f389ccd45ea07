// npm run cli -- export:datasets: the same bulk export as the API, run in this process and
// written to a file. Audited as a command-line export (via "cli") in the operator's name.
import { createWriteStream, statSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";

import { recordAudit } from "@/lib/audit/record";
import { CLI_META } from "@/lib/audit/request-meta";
import { ACTOR_SELECT } from "@/lib/auth/actor";
import type { TActor } from "@/lib/auth/policy";
import { prisma } from "@/lib/db/client";
import { createDatasetExport } from "@/lib/datasets/create-dataset-export";
import { jobLeaseMs } from "@/lib/jobs/claim-job";
import type { TJobProgress } from "@/lib/jobs/job-types";
import { runClaimedJob } from "@/lib/jobs/run-job";
import { storage } from "@/lib/storage";

import { CliUsageError, parseFlags } from "../args";

export const summary = "Export a dataset tier to a ZIP file (anon | pii | metrics)";
export const usage =
  "npm run cli -- export:datasets --tier anon|pii|metrics --out FILE.zip|DIR [--datasets a,b] [--since DATE] [--profile safe-harbor|standard] [--reason TEXT] [--as EMAIL]\n" +
  "  --as: the user the export is made for and audited under (default: the first active admin).";

async function operator(email: string | undefined): Promise<TActor> {
  const user = email
    ? await prisma.user.findUnique({ where: { email }, select: ACTOR_SELECT })
    : await prisma.user.findFirst({ where: { role: "ADMIN", isDisabled: false }, orderBy: { createdAt: "asc" }, select: ACTOR_SELECT });
  if (!user || user.isDisabled) throw new CliUsageError(email ? `no active user ${email}` : "no active admin user; create one or pass --as EMAIL");

  return { id: user.id, email: user.email, name: user.name, role: user.role, piiAccess: user.piiAccess };
}

/** One line for the operator, e.g. "42% writing encounters: 210,000 of 500,000 rows". */
export function describeProgress(progress: TJobProgress): string {
  const stage = progress.stage ?? "working";
  const current = stage.startsWith("writing ") ? progress.datasets?.[stage.slice("writing ".length)] : undefined;
  const rows = current ? `: ${current.rows.toLocaleString("en-US")} of ${current.total.toLocaleString("en-US")} rows` : "";

  return `${Math.floor(progress.percent)}% ${stage}${rows}`;
}

/**
 * Prints the job's progress to stderr while it runs (a million rows take tens of seconds): a new
 * line when the stage changes or the share grows by 5 points, read from the job row as the page does.
 */
function printProgressOf(jobId: string) {
  let last: { stage?: string; percent: number } | null = null;
  let stopped = false;
  const timer = setInterval(async () => {
    const job = await prisma.exportJob.findUnique({ where: { id: jobId }, select: { progress: true } }).catch(() => null);
    const progress = job?.progress as TJobProgress | null | undefined;
    // A read still in flight when the job ended must not print after the result.
    if (stopped || !progress || typeof progress.percent !== "number") return;
    if (last && last.stage === progress.stage && progress.percent - last.percent < 5) return;
    last = { stage: progress.stage, percent: progress.percent };
    console.error(`  ${describeProgress(progress)}`);
  }, 1_000);

  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Runs our own job here (claimed by id, compare-and-set), retrying as the worker would. */
async function runJobHere(jobId: string) {
  const workerId = `cli:${hostname()}:${process.pid}`;
  const stopProgress = printProgressOf(jobId);
  try {
    return await claimAndRun(jobId, workerId);
  } finally {
    stopProgress();
  }
}

async function claimAndRun(jobId: string, workerId: string) {
  for (;;) {
    const job = await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } });
    if (["COMPLETED", "FAILED", "CANCELLED", "EXPIRED"].includes(job.status)) return job;
    const wait = job.status === "PENDING" ? job.runAfter.getTime() - Date.now() : 1_000;
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5_000)));
      continue;
    }
    const claimed = await prisma.exportJob.updateMany({
      where: { id: jobId, status: "PENDING" },
      data: { status: "PROCESSING", leaseOwner: workerId, leaseExpiresAt: new Date(Date.now() + jobLeaseMs()), attempts: { increment: 1 }, startedAt: new Date() },
    });
    // Someone else's worker took it: wait for it to finish.
    if (claimed.count === 1) await runClaimedJob(await prisma.exportJob.findUniqueOrThrow({ where: { id: jobId } }), workerId);
  }
}

export async function run(argv: string[]) {
  const { flags } = parseFlags(argv, { tier: { required: true }, out: { required: true }, datasets: {}, since: {}, profile: {}, reason: {}, as: {} });
  const actor = await operator(flags.as as string | undefined);
  const started = await createDatasetExport(
    actor,
    {
      tier: String(flags.tier),
      datasets: typeof flags.datasets === "string" ? flags.datasets.split(",").map((name) => name.trim()).filter(Boolean) : undefined,
      since: flags.since as string | undefined,
      profile: flags.profile as string | undefined,
      reason: flags.reason as string | undefined,
    },
    { meta: CLI_META, skipRateLimit: true },
  );
  console.error(`Queued dataset export ${started.job_id}; running it here...`);
  const job = await runJobHere(started.job_id);
  if (job.status !== "COMPLETED" || !job.fileKey) {
    console.error(`export:datasets: the export ${job.status.toLowerCase()}: ${job.errorMessage ?? "no file"}`);
    return 1;
  }
  const out = String(flags.out);
  const isDirectory = !out.toLowerCase().endsWith(".zip") || (statSync(out, { throwIfNoEntry: false })?.isDirectory() ?? false);
  const target = isDirectory ? path.join(out, job.fileName!) : out;
  await pipeline(await storage().get(job.fileKey), createWriteStream(target, { mode: 0o600 }));
  await recordAudit(null, { action: "downloaded", userId: actor.id, exportJobId: job.id, dataset: (job.parameters as { tier?: string }).tier ?? null, metadata: { via: "cli", size: job.fileSize }, meta: CLI_META });
  console.log(`${target} (${job.fileSize} bytes, sha256 ${job.checksum})`);

  return 0;
}
