// Webhook file mode: the export file itself in the POST body, not a notice naming it. Same
// transport as notices (lib/delivery/webhook.ts: HMAC signature over timestamp and body, the
// delivery id, retries with backoff, the outbound guard against private addresses), plus headers
// that let the receiver check and name the file. The receiver contract is in README ("Webhook
// delivery").
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";

import { deliverWebhook, type TDeliverWebhookResult } from "@/lib/delivery/webhook";

export const WEBHOOK_DELIVERY_MODES = ["notice", "file"] as const;
export type TWebhookDeliveryMode = (typeof WEBHOOK_DELIVERY_MODES)[number];

export const WEBHOOK_EVENT_HEADER = "X-CareExport-Event";
export const WEBHOOK_CONTENT_SHA256_HEADER = "X-CareExport-Content-SHA256";
export const WEBHOOK_SCHEDULE_HEADER = "X-CareExport-Schedule";
export const WEBHOOK_JOB_HEADER = "X-CareExport-Job";
export const WEBHOOK_SCHEDULED_FOR_HEADER = "X-CareExport-Scheduled-For";
export const WEBHOOK_FILE_EVENT = "scheduled_export.file";

/**
 * The largest file sent in one POST. The body is held in memory so each retry sends the same
 * signed bytes; a larger export fails its delivery with this limit named (notice mode has none).
 */
export const WEBHOOK_FILE_MAX_BYTES = 100 * 1024 * 1024;

/** A schedule's webhook mode, from its stored parameters ("notice" unless it asked for the file). */
export function webhookDeliveryModeOf(parameters: unknown): TWebhookDeliveryMode {
  return (parameters as { delivery_mode?: unknown } | null)?.delivery_mode === "file" ? "file" : "notice";
}

export type TDeliverWebhookFileOptions = {
  url: string;
  secret: string;
  deliveryId: string;
  open: () => Promise<Readable>;
  fileName: string;
  contentType: string;
  /** SHA-256 (hex) the job recorded for the file: the bytes read are checked against it before sending. */
  sha256: string;
  scheduleId: string;
  jobId: string;
  scheduledFor: Date;
  /** Tests shorten the backoff. */
  baseDelayMs?: number;
};

async function readCapped(stream: Readable, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      return null;
    }
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks);
}

/** Quotes a file name for Content-Disposition (RFC 6266): ASCII fallback plus the UTF-8 form. */
function contentDisposition(fileName: string) {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");

  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export async function deliverWebhookFile(options: TDeliverWebhookFileOptions): Promise<TDeliverWebhookResult & { bytes?: number }> {
  const body = await readCapped(await options.open(), WEBHOOK_FILE_MAX_BYTES);
  if (!body) return { ok: false, deliveryId: options.deliveryId, attempts: [], error: `The file is larger than the ${WEBHOOK_FILE_MAX_BYTES / 1024 / 1024} MB a webhook file delivery sends; use delivery_mode "notice"` };
  // What the receiver is told to check must be what it gets: a stored file that changed is not sent.
  const sha256 = createHash("sha256").update(body).digest("hex");
  if (sha256 !== options.sha256) return { ok: false, deliveryId: options.deliveryId, attempts: [], error: "The stored file does not match its recorded SHA-256; not sent" };

  const result = await deliverWebhook({
    url: options.url,
    secret: options.secret,
    body,
    contentType: options.contentType,
    deliveryId: options.deliveryId,
    baseDelayMs: options.baseDelayMs,
    headers: {
      [WEBHOOK_EVENT_HEADER]: WEBHOOK_FILE_EVENT,
      [WEBHOOK_CONTENT_SHA256_HEADER]: sha256,
      [WEBHOOK_SCHEDULE_HEADER]: options.scheduleId,
      [WEBHOOK_JOB_HEADER]: options.jobId,
      [WEBHOOK_SCHEDULED_FOR_HEADER]: options.scheduledFor.toISOString(),
      "Content-Disposition": contentDisposition(options.fileName),
    },
  });

  return { ...result, bytes: body.length };
}
