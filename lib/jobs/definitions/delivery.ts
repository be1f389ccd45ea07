// The delivery of a scheduled run: its export's file (or the news that the export failed) to the
// schedule's target — a folder or bucket, email, or a webhook. Queued in the transaction that
// finishes the run's export job (lib/schedules/enqueue-run-delivery.ts), at most once per run.
import { z } from "zod";

import { defineJob, exponentialBackoff } from "@/lib/jobs/define-job";

export const DELIVERY_JOB_KIND = "delivery";

export const ZDeliveryJobPayload = z.strictObject({ runId: z.string().min(1).max(100) });
export type TDeliveryJobPayload = z.infer<typeof ZDeliveryJobPayload>;

export const deliveryJob = defineJob({
  kind: DELIVERY_JOB_KIND,
  version: 1,
  payload: ZDeliveryJobPayload,
  produces: "nothing",
  // A refused delivery (SMTP or the webhook saying no) is an outcome, recorded on the run, not
  // retried here (the webhook retries inside one attempt). Attempts are for a worker that
  // stopped mid-delivery or an unexpected error; the third interruption fails the run.
  retry: { maxAttempts: 3, backoffMs: exponentialBackoff(30_000) },
  loadHandler: async () => (await import("@/lib/schedules/deliver-scheduled-job")).deliverScheduledRun,
  onFailed: async (tx, failure) => (await import("@/lib/schedules/deliver-scheduled-job")).recordDeliveryGivenUp(tx, failure),
});
