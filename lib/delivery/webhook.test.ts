import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { setOutboundAllowList } from '@/tests/setup/outbound';

import { deliverWebhook, signWebhookPayload, validateWebhookUrl, verifyWebhookSignature } from './webhook';

const SECRET = 'whsec_test_4f2a';

type THandler = (req: IncomingMessage, body: Buffer, res: ServerResponse, index: number) => void;
type TSeen = { headers: IncomingMessage['headers']; body: Buffer; isVerified: boolean };

const servers: Server[] = [];

// The receivers below listen on loopback, which only an operator's allow-list lets through.
beforeEach(() => setOutboundAllowList('127.0.0.1'));

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

// A real receiver on loopback that verifies every request the way a customer's would.
async function startReceiver(handler: THandler): Promise<{ url: string; seen: TSeen[] }> {
  const seen: TSeen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isVerified = verifyWebhookSignature({
        secret: SECRET,
        timestamp: req.headers['x-careexport-timestamp'] as string | undefined,
        signature: req.headers['x-careexport-signature'] as string | undefined,
        body,
      });
      seen.push({ headers: req.headers, body, isVerified });
      handler(req, body, res, seen.length);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/careexport`, seen };
}

function recordingSleep() {
  const delays: number[] = [];

  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const body = JSON.stringify({ event: 'export.ready', exportId: 'exp_7Hq2', rows: 120 });

describe('deliverWebhook', () => {
  it('retries 503 twice, then succeeds; the receiver verifies every signature', async () => {
    const receiver = await startReceiver((_req, _body, res, index) => {
      res.statusCode = index <= 2 ? 503 : 204;
      res.end();
    });
    const { delays, sleep } = recordingSleep();

    const result = await deliverWebhook({
      url: receiver.url,
      secret: SECRET,
      body,
      contentType: 'application/json',
      baseDelayMs: 100,
      sleep,
      random: () => 1,
    });

    expect(result.ok).toBe(true);
    expect(result.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 204],
    ]);
    expect(result.attempts[0].error).toBe('HTTP 503');
    expect(delays).toEqual([100, 200]);
    expect(receiver.seen).toHaveLength(3);
    expect(receiver.seen.every((s) => s.isVerified)).toBe(true);
    expect(receiver.seen[0].body.toString()).toBe(body);
    expect(receiver.seen[0].headers['content-type']).toBe('application/json');
    expect(receiver.seen[0].headers['x-careexport-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    // The same delivery id on every attempt lets the receiver drop duplicates.
    expect(new Set(receiver.seen.map((s) => s.headers['x-careexport-delivery']))).toEqual(new Set([result.deliveryId]));
  });

  it('does not retry a 400', async () => {
    const receiver = await startReceiver((_req, _body, res) => {
      res.statusCode = 400;
      res.end('bad payload');
    });
    const { delays, sleep } = recordingSleep();

    const result = await deliverWebhook({ url: receiver.url, secret: SECRET, body, contentType: 'application/json', sleep });

    expect(result.ok).toBe(false);
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({ attempt: 1, status: 400, error: 'HTTP 400' });
    expect(result.error).toBe('HTTP 400');
    expect(delays).toEqual([]);
  });

  it('retries a timeout, aborting the hung request', async () => {
    const receiver = await startReceiver((_req, _body, res, index) => {
      if (index === 1) {
        return; // never answer: the client must give up on its own
      }
      res.statusCode = 200;
      res.end();
    });
    const { sleep } = recordingSleep();

    const result = await deliverWebhook({
      url: receiver.url,
      secret: SECRET,
      body: Buffer.from(body),
      contentType: 'application/json',
      timeoutMs: 200,
      sleep,
    });

    expect(result.ok).toBe(true);
    expect(result.attempts).toHaveLength(2);
    expect(result.attempts[0].error).toBe('Timed out after 200 ms');
    expect(result.attempts[0].durationMs).toBeGreaterThanOrEqual(150);
    expect(result.attempts[1].status).toBe(200);
  });

  it('retries 429 honouring Retry-After, and gives up after maxAttempts', async () => {
    const receiver = await startReceiver((_req, _body, res) => {
      res.statusCode = 429;
      res.setHeader('Retry-After', '2');
      res.end();
    });
    const { delays, sleep } = recordingSleep();

    const result = await deliverWebhook({
      url: receiver.url,
      secret: SECRET,
      body,
      contentType: 'application/json',
      maxAttempts: 3,
      baseDelayMs: 100,
      sleep,
      random: () => 0,
    });

    expect(result.ok).toBe(false);
    expect(result.attempts.map((a) => a.status)).toEqual([429, 429, 429]);
    expect(delays).toEqual([2000, 2000]);
    expect(result.error).toMatch(/Gave up after 3 attempts: HTTP 429/);
  });

  it('retries network errors with growing, jittered delays', async () => {
    // Bind then close a server so the port is known to refuse connections.
    const receiver = await startReceiver(() => undefined);
    const server = servers.pop()!;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { delays, sleep } = recordingSleep();

    const result = await deliverWebhook({
      url: receiver.url,
      secret: SECRET,
      body,
      contentType: 'application/json',
      maxAttempts: 4,
      baseDelayMs: 400,
      sleep,
      random: () => 0.5,
    });

    expect(result.ok).toBe(false);
    expect(result.attempts).toHaveLength(4);
    expect(result.attempts[0].error).toMatch(/^Network error/);
    // Equal jitter: nominal/2 + nominal/2 * 0.5 for nominal 400, 800, 1600.
    expect(delays).toEqual([300, 600, 1200]);
  });

  it('does not follow redirects', async () => {
    const receiver = await startReceiver((_req, _body, res) => {
      res.statusCode = 307;
      res.setHeader('Location', 'http://203.0.113.7/steal');
      res.end();
    });

    const result = await deliverWebhook({ url: receiver.url, secret: SECRET, body, contentType: 'application/json' });

    expect(result.ok).toBe(false);
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0].error).toMatch(/redirects are not followed/);
  });

  it('refuses plain http to a host that is not allow-listed without sending anything', async () => {
    const receiver = await startReceiver((_req, _body, res) => {
      res.statusCode = 200;
      res.end();
    });
    setOutboundAllowList(undefined);

    const result = await deliverWebhook({ url: receiver.url, secret: SECRET, body, contentType: 'application/json' });

    expect(result).toMatchObject({ ok: false, attempts: [] });
    expect(result.error).toMatch(/must use https/);
    expect(receiver.seen).toHaveLength(0);
  });

  it('refuses, at send time and without retrying, an https URL whose host is loopback', async () => {
    setOutboundAllowList(undefined);
    const { delays, sleep } = recordingSleep();

    const result = await deliverWebhook({ url: 'https://127.0.0.1:9/in', secret: SECRET, body, contentType: 'application/json', sleep });

    expect(result.ok).toBe(false);
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0].error).toMatch(/^Refused: 127\.0\.0\.1 is a loopback address/);
    expect(delays).toEqual([]);
  });
});

describe('validateWebhookUrl', () => {
  const reason = (url: string) =>
    validateWebhookUrl(url).then(
      () => 'ok',
      (error: { issues?: { path: string; message: string }[] }) => `${error.issues?.[0]?.path}: ${error.issues?.[0]?.message}`,
    );

  it('allows https to public addresses, and http only to allow-listed hosts', async () => {
    expect(await validateWebhookUrl('https://93.184.215.14/in')).toBe('https://93.184.215.14/in');
    expect(await validateWebhookUrl('http://127.0.0.1:8080/in')).toBe('http://127.0.0.1:8080/in');
    setOutboundAllowList(undefined);
    expect(await reason('http://127.0.0.1:8080/in')).toMatch(/^delivery_target: must use https/);
    expect(await reason('https://127.0.0.1:8080/in')).toMatch(/^delivery_target: 127\.0\.0\.1 is a loopback address/);
  });

  it('explains each refusal, naming the field', async () => {
    expect(await reason('http://hooks.example.org/in')).toMatch(/must use https.*not hooks\.example\.org/);
    expect(await reason('https://10.0.0.5/in')).toMatch(/10\.0\.0\.5 is a private network address/);
    expect(await reason('https://169.254.169.254/latest/meta-data')).toMatch(/link-local/);
    expect(await reason('https://localhost.invalid/in')).toMatch(/does not resolve to a public internet address/);
    expect(await reason('ftp://hooks.example.org/in')).toMatch(/scheme ftp is not allowed/);
    expect(await reason('https://user:pw@hooks.example.org/in')).toMatch(/user name or password/);
    expect(await reason('/relative/path')).toMatch(/not a valid absolute URL/);
    expect(await validateWebhookUrl('x', 'url').catch((error: { issues: unknown }) => error.issues)).toEqual([{ path: 'url', message: 'is not a valid absolute URL' }]);
  });
});

describe('verifyWebhookSignature', () => {
  const now = 1_767_254_400_000;
  const timestamp = now / 1000;
  const signature = signWebhookPayload(SECRET, timestamp, body);

  it('accepts a fresh, matching signature', () => {
    expect(verifyWebhookSignature({ secret: SECRET, timestamp: String(timestamp), body, signature, now })).toBe(true);
    expect(verifyWebhookSignature({ secret: SECRET, timestamp, body: Buffer.from(body), signature, now: now + 299_000 })).toBe(true);
  });

  it('rejects tampering, wrong secrets, stale timestamps and malformed headers', () => {
    const base = { secret: SECRET, timestamp: String(timestamp), body, signature, now };
    expect(verifyWebhookSignature({ ...base, body: body.replace('120', '121') })).toBe(false);
    expect(verifyWebhookSignature({ ...base, secret: 'other' })).toBe(false);
    expect(verifyWebhookSignature({ ...base, timestamp: String(timestamp + 1) })).toBe(false);
    expect(verifyWebhookSignature({ ...base, now: now + 301_000 })).toBe(false);
    expect(verifyWebhookSignature({ ...base, signature: signature.slice(0, -2) })).toBe(false);
    expect(verifyWebhookSignature({ ...base, signature: undefined })).toBe(false);
    expect(verifyWebhookSignature({ ...base, timestamp: 'soon' })).toBe(false);
  });
});
