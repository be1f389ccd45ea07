// Delivers one export to a webhook. Pure transport: the caller records the returned attempts
// and writes the audit entry, so nothing here touches the database.

import { randomUUID } from 'node:crypto';

import { validateWebhookUrl } from './validate-webhook-url';
import {
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  signWebhookPayload,
} from './webhook-signature';

export { validateWebhookUrl, type TValidateWebhookUrlResult } from './validate-webhook-url';
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
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  now?: () => number;
};

export type TWebhookAttempt = {
  attempt: number;
  /** HTTP status, when a response arrived. */
  status?: number;
  error?: string;
  durationMs: number;
};

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
  const checked = validateWebhookUrl(options.url);
  if (!checked.ok) {
    return { ok: false, deliveryId, attempts: [], error: checked.reason };
  }

  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const bytes = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;

  const attempts: TWebhookAttempt[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const outcome = await attemptOnce(options, checked.url, bytes, deliveryId, attempt);
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

async function attemptOnce(
  options: TDeliverWebhookOptions,
  url: URL,
  bytes: Buffer,
  deliveryId: string,
  attempt: number,
): Promise<TOutcome> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  // A fresh timestamp per attempt keeps late retries inside the receiver's replay window.
  const timestamp = Math.floor(now() / 1000);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        'Content-Type': options.contentType,
        'User-Agent': 'CareExport-Webhook/1',
        [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(options.secret, timestamp, bytes),
        [WEBHOOK_DELIVERY_HEADER]: deliveryId,
      },
      body: new Uint8Array(bytes),
      // Following a redirect would send signed export data to a URL nobody validated.
      redirect: 'manual',
      signal: controller.signal,
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
    const message = controller.signal.aborted ? `Timed out after ${timeoutMs} ms` : `Network error: ${describeError(error)}`;

    return { record: { attempt, error: message, durationMs: elapsed() }, isRetryable: true };
  } finally {
    clearTimeout(timer);
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
