import type { AddressInfo } from 'node:net';

import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sendExportEmail, type TSmtpConfig } from './email';

type TReceived = { from?: string; to: string[]; raw: string; user?: string };

// A real SMTP server on loopback: nodemailer speaks the actual protocol, and the test reads
// the exact bytes a relay would receive.
let server: SMTPServer;
let port = 0;
const received: TReceived[] = [];

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true, // loopback only; lets the test exercise AUTH without TLS certificates
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 's3cret') {
        callback(null, { user: auth.username });

        return;
      }
      callback(new Error('Invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const smtp = (): TSmtpConfig => ({ host: '127.0.0.1', port, secure: false, from: 'CareExport <noreply@careexport.test>' });

// ---- minimal MIME reading: enough for headers, multipart, base64 and quoted-printable ----

type TPart = { headers: Record<string, string>; body: string; bodyBytes: Buffer };

function splitMessage(raw: string): { headers: Record<string, string>; body: string } {
  const index = raw.indexOf('\r\n\r\n');
  const headerText = raw.slice(0, index).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }

  return { headers, body: raw.slice(index + 4) };
}

function decodeBody(headers: Record<string, string>, body: string): Buffer {
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (encoding === 'base64') {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  }
  if (encoding === 'quoted-printable') {
    const unfolded = body.replace(/=\r\n/g, '');

    return Buffer.from(unfolded.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  }

  return Buffer.from(body, 'utf8');
}

function leafParts(headers: Record<string, string>, body: string): TPart[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary || !/^multipart\//i.test(headers['content-type'])) {
    const bodyBytes = decodeBody(headers, body);

    return [{ headers, body: bodyBytes.toString('utf8'), bodyBytes }];
  }

  return body
    .split(`--${boundary}`)
    .slice(1)
    .filter((chunk) => !chunk.startsWith('--'))
    .flatMap((chunk) => {
      const part = splitMessage(chunk.replace(/^\r\n/, ''));

      return leafParts(part.headers, part.body.replace(/\r\n$/, ''));
    });
}

function parse(raw: string) {
  const { headers, body } = splitMessage(raw);
  const parts = leafParts(headers, body);
  const find = (type: string) => parts.find((p) => (p.headers['content-type'] ?? '').startsWith(type) && !p.headers['content-disposition']);

  return {
    headers,
    text: find('text/plain')?.body ?? '',
    html: find('text/html')?.body ?? '',
    attachments: parts.filter((p) => /^attachment/i.test(p.headers['content-disposition'] ?? '')),
  };
}

// --------------------------------------------------------------------------------------

const downloadUrl = 'https://careexport.example.org/api/v1/export/download/exp_7Hq2?expires=1767254400&sig=AbC123def456_-xyz';
const expiresAt = new Date('2026-01-01T08:00:00Z');

describe('sendExportEmail', () => {
  it('delivers a message with the signed link, its expiry and a generic subject', async () => {
    const { messageId } = await sendExportEmail({
      smtp: smtp(),
      to: 'clinician@example.org',
      downloadUrl,
      expiresAt,
      exportLabel: 'Scheduled report ready',
      timeZone: 'Europe/Berlin',
    });

    const message = received.at(-1)!;
    expect(message.to).toEqual(['clinician@example.org']);
    expect(message.from).toBe('noreply@careexport.test');
    const mail = parse(message.raw);
    expect(mail.headers['message-id']).toBe(messageId);
    expect(mail.headers.subject).toBe('[CareExport] Scheduled report ready');
    expect(mail.text).toContain(downloadUrl);
    expect(mail.html).toContain(downloadUrl.replaceAll('&', '&#38;'));
    expect(mail.text).toContain('expires at 2026-01-01 09:00 Europe/Berlin');
    expect(mail.attachments).toHaveLength(0);
  });

  it('keeps patient data that travels in the attachment out of subject and body', async () => {
    const patientRecord = 'Name: Jane Doe\nDOB: 1961-04-12\nMRN: 00423117\nDiagnosis: F32.1';
    await sendExportEmail({
      smtp: smtp(),
      to: 'clinician@example.org',
      downloadUrl,
      expiresAt,
      exportLabel: 'Scheduled report ready',
      attachment: { filename: 'progress_note_PSN-4F2A_2025-12-31.txt', content: Buffer.from(patientRecord), contentType: 'text/plain' },
    });

    const mail = parse(received.at(-1)!.raw);
    const visible = `${mail.headers.subject}\n${mail.text}\n${mail.html}`;
    for (const secret of ['Jane', 'Doe', '1961', '00423117', 'F32.1', 'Diagnosis']) {
      expect(visible).not.toContain(secret);
    }
    expect(mail.text).toContain(downloadUrl);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].headers['content-disposition']).toContain('progress_note_PSN-4F2A_2025-12-31.txt');
    expect(mail.attachments[0].bodyBytes.toString('utf8')).toBe(patientRecord);
  });

  it('authenticates when credentials are configured', async () => {
    await sendExportEmail({ smtp: { ...smtp(), user: 'mailer', pass: 's3cret' }, to: 'a@example.org', downloadUrl, expiresAt });
    expect(received.at(-1)!.user).toBe('mailer');
    expect(parse(received.at(-1)!.raw).headers.subject).toBe('[CareExport] Your export is ready');
  });

  it('rejects invalid or smuggled recipients before connecting', async () => {
    const countBefore = received.length;
    for (const to of ['not-an-address', 'a@example.org, b@example.org', 'a@example.org\r\nBcc: spy@example.org', '"Jane Doe" <a@example.org>']) {
      await expect(sendExportEmail({ smtp: smtp(), to, downloadUrl, expiresAt })).rejects.toThrow(/Recipient/);
    }
    expect(received.length).toBe(countBefore);
  });

  it('rejects multi-line labels, non-http links and unsafe attachment names', async () => {
    const base = { smtp: smtp(), to: 'a@example.org', downloadUrl, expiresAt };
    await expect(sendExportEmail({ ...base, exportLabel: 'Ready\r\nBcc: spy@example.org' })).rejects.toThrow(/single line/);
    await expect(sendExportEmail({ ...base, downloadUrl: 'javascript:alert(1)' })).rejects.toThrow(/http/);
    await expect(
      sendExportEmail({ ...base, attachment: { filename: '../../etc/passwd', content: Buffer.from('x'), contentType: 'text/plain' } }),
    ).rejects.toThrow(/Unsafe file name/);
  });
});
