// A separate worker process that claims the next delivery job and runs it: the delivery-job test
// kills it (SIGKILL) in the middle of a delivery. Prints "claimed <id>" once it holds the job.
import { disconnectPrisma } from "@/lib/db/client";
import { claimNextJob } from "@/lib/jobs/claim-job";
import { DELIVERY_JOB_KIND } from "@/lib/jobs/definitions/delivery";
import { runClaimedJob } from "@/lib/jobs/run-job";

const workerId = process.argv[2] ?? `delivery-worker-${process.pid}`;
const job = await claimNextJob(workerId, new Date(), { kinds: [DELIVERY_JOB_KIND] });
process.stdout.write(`claimed ${job?.id ?? "none"}\n`);
if (job) process.stdout.write(`outcome ${await runClaimedJob(job, workerId)}\n`);
await disconnectPrisma();
