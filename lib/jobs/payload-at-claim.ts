import type { TJobDefinition } from "@/lib/jobs/define-job";
import { PermanentJobError } from "@/lib/jobs/job-types";

/**
 * The stored payload as its kind reads it today: upgraded from an older schema version when the
 * kind knows how, then validated. A row that fails is data the job cannot run, so the job fails
 * for good with a message naming the fields (never their values); the worker carries on.
 */
export function payloadAtClaim(definition: Pick<TJobDefinition, "version" | "payload" | "upgrade">, job: { kind: string; parameters: unknown; payloadVersion: number }): unknown {
  let stored: unknown = job.parameters;
  if (job.payloadVersion !== definition.version) {
    if (job.payloadVersion > definition.version || !definition.upgrade) {
      throw new PermanentJobError(`The job's payload is version ${job.payloadVersion}, which this server cannot read ("${job.kind}" payloads are version ${definition.version}).`);
    }
    stored = definition.upgrade(stored, job.payloadVersion);
  }
  const parsed = definition.payload.safeParse(stored);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join(".") || "(payload)"))].slice(0, 5);
    throw new PermanentJobError(`The job's stored payload does not match the "${job.kind}" schema (${fields.join(", ")}), so it cannot run.`);
  }

  return parsed.data;
}
