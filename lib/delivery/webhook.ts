// Delivers one export to a webhook. Pure transport: the caller records the returned attempts
// and writes the audit entry, so nothing here touches the database. Requests go through
// lib/outbound: the target is vetted again at send time and the vetted address is the one used.

import { randomUUID } from 'node:crypto';

import { OutboundRefusedError, outboundFetch } from '@/lib/outbound';

import { webhookUrlProblem } from './validate-webhook-url';
import {
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  signWebhookPayload,
} from './webhook-signature';

export { validateWebhookUrl, webhookUrlProblem } from './validate-webhook-url';
export {
  signWebhookPayload,
  verifyWebhookSignature,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type TVerifyWebhookSignatureOptions,
} from './webhook-signature';

export type TDeliverWebhookOptions = {
  url: string;
  /** HMAC key shared with the receiver. */
  secret: string;
  body: Buffer | string;
  contentType: string;
  /** Total tries including the first. Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each time, with jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Ceiling for one backoff delay, including a server's Retry-After. Default 30 s. */
  maxDelayMs?: number;
  /** Per-attempt limit covering connect, headers and body. Default 10 s. */
  timeoutMs?: number;
  /** Sent as X-CareExport-Delivery on every attempt so receivers can drop duplicates. */
  deliveryId?: string;
  /** More headers (file mode: the file's name and SHA-256); they cannot replace the signature's. */
  headers?: Record<string, string>;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  now?: () => number;
};

export type TWebhookAttempt = {
  attempt: number;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** What went wrong, in full (connection errors, refusals): for admins and the audit trail only. */
  error?: string;
  durationMs: number;
};

/**
 * All a schedule's owner is told of a failed webhook delivery. "Connection refused", "timed out"
 * and "HTTP 302" (and how many attempts each took: errors are retried, a 3xx or 4xx is not) are
 * what a port scanner reads, so owners get one answer; admins read the attempts in the audit trail.
 */
export const WEBHOOK_FAILED_FOR_OWNER = 'delivery failed (HTTP error / unreachable)';

export type TDeliverWebhookResult = {
  ok: boolean;
  deliveryId: string;
  attempts: TWebhookAttempt[];
  /** Why delivery failed for good (invalid URL, final status, attempts exhausted). */
  error?: string;
};

type TOutcome = { record: TWebhookAttempt; isRetryable: boolean; retryAfterMs?: number };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function deliverWebhook(options: TDeliverWebhookOptions): Promise<TDeliverWebhookResult> {
  const deliveryId = options.deliveryId ?? randomUUID();
  const problem = webhookUrlProblem(options.url);
  if (problem) {
    return { ok: false, deliveryId, attempts: [], error: `Webhook URL ${problem}` };
  }

  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const bytes = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;

  const attempts: TWebhookAttempt[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const outcome = await attemptOnce(options, bytes, deliveryId, attempt);
    attempts.push(outcome.record);
    if (outcome.record.status !== undefined && outcome.record.status >= 200 && outcome.record.status < 300) {
      return { ok: true, deliveryId, attempts };
    }
    if (!outcome.isRetryable) {
      return { ok: false, deliveryId, attempts, error: outcome.record.error };
    }
    if (attempt < maxAttempts) {
      // Equal jitter (half fixed, half random) spreads retries from many schedules that
      // failed together without ever retrying sooner than half the nominal backoff.
      const nominal = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      const jittered = nominal / 2 + (nominal / 2) * random();
      const delay = Math.max(jittered, Math.min(outcome.retryAfterMs ?? 0, maxDelayMs));
      await sleep(Math.round(delay));
    }
  }

  return { ok: false, deliveryId, attempts, error: `Gave up after ${maxAttempts} attempts: ${attempts.at(-1)?.error}` };
}

async function attemptOnce(options: TDeliverWebhookOptions, bytes: Buffer, deliveryId: string, attempt: number): Promise<TOutcome> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  // A fresh timestamp per attempt keeps late retries inside the receiver's replay window.
  const timestamp = Math.floor(now() / 1000);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  try {
    const response = await outboundFetch(options.url, {
      method: 'POST',
      headers: {
        ...options.headers,
        'Content-Type': options.contentType,
        'User-Agent': 'CareExport-Webhook/1',
        [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(options.secret, timestamp, bytes),
        [WEBHOOK_DELIVERY_HEADER]: deliveryId,
      },
      body: new Uint8Array(bytes),
      // outboundFetch follows no redirect: that would send the signed notice to a URL nobody vetted.
      timeoutMs,
      maxBytes: 64 * 1024,
    });
    // The body is never needed, but it must be drained or cancelled to free the socket.
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    const record: TWebhookAttempt = { attempt, status, durationMs: elapsed() };
    if (status >= 200 && status < 300) {
      return { record, isRetryable: false };
    }
    if (status === 429 || status >= 500) {
      return {
        record: { ...record, error: `HTTP ${status}` },
        isRetryable: true,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()),
      };
    }
    const reason = status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`;

    return { record: { ...record, error: reason }, isRetryable: false };
  } catch (error) {
    // Refused (the host now resolves somewhere private): trying again would be refused again.
    if (error instanceof OutboundRefusedError) {
      return { record: { attempt, error: `Refused: ${error.detail}`, durationMs: elapsed() }, isRetryable: false };
    }
    const message = error instanceof Error && error.name === 'TimeoutError' ? `Timed out after ${timeoutMs} ms` : `Network error: ${describeError(error)}`;

    return { record: { attempt, error: message, durationMs: elapsed() }, isRetryable: true };
  }
}

function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim()) * 1000;
  }
  const at = Date.parse(value);

  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    // undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
    const cause = (error as Error & { cause?: unknown }).cause;
    const detail = cause instanceof Error ? cause.message : undefined;

    return detail ? `${error.message} (${detail})` : error.message;
  }

  return String(error);
}
