// A separate process that claims jobs until none is left and prints the ids it took, one JSON
// line: the job-claims test runs two of these at once against one database. It starts claiming
// at START_AT (epoch ms) so both processes race from the same instant.
import { claimNextJob } from "@/lib/jobs/claim-job";
import { disconnectPrisma } from "@/lib/db/client";

const workerId = process.argv[2] ?? `claimer-${process.pid}`;
const startAt = Number(process.env.START_AT ?? Date.now());

await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
const claimed: string[] = [];
for (;;) {
  const job = await claimNextJob(workerId);
  if (!job) break;
  claimed.push(job.id);
}
process.stdout.write(`${JSON.stringify({ workerId, claimed })}\n`);
await disconnectPrisma();
