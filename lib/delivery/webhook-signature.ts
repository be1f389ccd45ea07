import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_TIMESTAMP_HEADER = 'X-CareExport-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'X-CareExport-Signature';
export const WEBHOOK_DELIVERY_HEADER = 'X-CareExport-Delivery';

/**
 * `sha256=<hex>` HMAC-SHA256 over `${timestamp}.${body}`. Binding the timestamp into the MAC
 * lets receivers reject replays of an old, validly signed request.
 */
export function signWebhookPayload(secret: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

  return `sha256=${mac.digest('hex')}`;
}

export type TVerifyWebhookSignatureOptions = {
  secret: string;
  /** The X-CareExport-Timestamp header (unix seconds); missing headers simply fail. */
  timestamp: string | number | null | undefined;
  /** The raw request body exactly as received; re-serialised JSON will not verify. */
  body: Buffer | string;
  /** The X-CareExport-Signature header. */
  signature: string | null | undefined;
  /** Maximum clock difference accepted, in seconds. Default 300. */
  toleranceSeconds?: number;
  now?: Date | number;
};

/** For receivers (and tests): true only for a fresh, correctly signed request. */
export function verifyWebhookSignature(options: TVerifyWebhookSignatureOptions): boolean {
  const { secret, body, signature } = options;
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);

  const timestampText = options.timestamp === null || options.timestamp === undefined ? '' : String(options.timestamp);
  if (!/^\d{1,12}$/.test(timestampText) || typeof signature !== 'string' || !/^sha256=[0-9a-f]{64}$/i.test(signature)) {
    return false;
  }
  const timestamp = Number(timestampText);
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) {
    return false;
  }

  const expected = Buffer.from(signWebhookPayload(secret, timestamp, body).slice('sha256='.length), 'hex');
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');

  // Both are 32 bytes here (the format check above guarantees it), as timingSafeEqual requires.
  return timingSafeEqual(expected, given);
}
