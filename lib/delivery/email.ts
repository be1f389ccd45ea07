// Sends the "your export is ready" email. By design the message carries no PHI: only a
// generic label, the signed download link and its expiry, because mail is copied to servers,
// mobile previews and archives that the portal's access rules never reach. Patient data stays
// behind the link, where the download route checks access and audits it.

import nodemailer from 'nodemailer';
import { z } from 'zod';

import { formatInZone } from '@/lib/schedules/time/format-in-zone';
import { isValidTimeZone } from '@/lib/schedules/time/zoned-time';

import { assertSafeFileName } from './storage-target';

const ZEmailAddress = z.email({ error: 'must be a single plain email address, e.g. someone@example.org' });

// "Name <addr>" is allowed for the sender only; the name may not smuggle in header syntax.
const ZFromAddress = z.string().refine(
  (value) => {
    const match = /^([^<>\r\n"]*)<([^<>\s]+)>$/.exec(value.trim());

    return ZEmailAddress.safeParse(match ? match[2] : value.trim()).success;
  },
  { error: 'smtp.from must be an email address or "Name <address>"' },
);

export const ZSmtpConfig = z.object({
  host: z.string().min(1, { error: 'smtp.host is required' }),
  port: z.number().int().min(1).max(65_535),
  /** True for implicit TLS (usually port 465); false uses STARTTLS when the server offers it. */
  secure: z.boolean(),
  user: z.string().min(1).optional(),
  pass: z.string().optional(),
  from: ZFromAddress,
  /** Refuse to send unless STARTTLS succeeds; recommended for any non-local relay. */
  requireTls: z.boolean().optional(),
});

export type TSmtpConfig = z.infer<typeof ZSmtpConfig>;

export type TSendExportEmailOptions = {
  smtp: TSmtpConfig;
  /** One recipient per message, so recipients never see each other's addresses. */
  to: string;
  /** The signed download link; it is the only pointer to the data. */
  downloadUrl: string;
  expiresAt: Date;
  /** Generic, non-PHI text for subject and heading, e.g. "Scheduled report ready". */
  exportLabel?: string;
  /** Zone for showing the expiry. Default UTC. */
  timeZone?: string;
  /**
   * Opt-in: attaching the file puts its contents in the mailbox. The caller decides (per
   * schedule policy) whether that is acceptable; the filename must be a safe, non-PHI name.
   */
  attachment?: { filename: string; content: Buffer; contentType: string };
  /** A test delivery: says so, and its link is the schedule's page (no file, nothing expires). */
  isTest?: boolean;
};

const ZLabel = z
  .string()
  .min(1)
  .max(120)
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), { error: 'exportLabel must be a single line of text' });

export async function sendExportEmail(options: TSendExportEmailOptions): Promise<{ messageId: string }> {
  const smtp = ZSmtpConfig.parse(options.smtp);
  const to = ZEmailAddress.safeParse(options.to);
  if (!to.success) {
    throw new Error(`Recipient ${JSON.stringify(options.to)} ${to.error.issues[0].message}`);
  }
  const label = ZLabel.parse(options.exportLabel ?? 'Your export is ready');
  const link = parseDownloadUrl(options.downloadUrl);
  const timeZone = options.timeZone ?? 'UTC';
  if (!isValidTimeZone(timeZone)) {
    throw new Error(`Unknown time zone ${JSON.stringify(timeZone)}`);
  }
  const expires = `${formatInZone(options.expiresAt, timeZone)} ${timeZone}`;

  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls ?? false,
    auth: smtp.user ? { user: smtp.user, pass: smtp.pass ?? '' } : undefined,
    // A hung relay must fail the job (and be retried) rather than hold a worker forever.
    connectionTimeout: 15_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });

  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: to.data,
      subject: `[CareExport] ${label}`,
      text: options.isTest ? buildTestText(label, link) : buildText(label, link, expires),
      html: options.isTest ? buildTestHtml(label, link) : buildHtml(label, link, expires),
      attachments: options.attachment
        ? [
            {
              filename: assertSafeFileName(options.attachment.filename),
              content: options.attachment.content,
              contentType: options.attachment.contentType,
            },
          ]
        : [],
      // Content is always in memory; never let a value be read as a file path or URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    });

    return { messageId: info.messageId };
  } finally {
    transport.close();
  }
}

function parseDownloadUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('downloadUrl must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error('downloadUrl must be an http(s) URL');
  }

  return url.toString();
}

function buildText(label: string, link: string, expires: string): string {
  return [
    label,
    '',
    'A CareExport export is ready to download:',
    link,
    '',
    `This link expires at ${expires}. After that, request a new export in CareExport.`,
    '',
    'This message was sent automatically and intentionally contains no patient information.',
  ].join('\n');
}

function buildHtml(label: string, link: string, expires: string): string {
  const safeLink = escapeHtml(link);

  return [
    `<p><strong>${escapeHtml(label)}</strong></p>`,
    `<p>A CareExport export is ready to download:<br><a href="${safeLink}">${safeLink}</a></p>`,
    `<p>This link expires at ${escapeHtml(expires)}. After that, request a new export in CareExport.</p>`,
    '<p>This message was sent automatically and intentionally contains no patient information.</p>',
  ].join('\n');
}

const TEST_LINES = ['This is a test message from CareExport: this schedule\'s exports will be emailed to this address.', 'The schedule:'];

function buildTestText(label: string, link: string): string {
  return [label, '', ...TEST_LINES, link, '', 'This message was sent automatically and intentionally contains no patient information.'].join('\n');
}

function buildTestHtml(label: string, link: string): string {
  const safeLink = escapeHtml(link);

  return [
    `<p><strong>${escapeHtml(label)}</strong></p>`,
    `<p>${escapeHtml(TEST_LINES[0]!)}<br>${escapeHtml(TEST_LINES[1]!)} <a href="${safeLink}">${safeLink}</a></p>`,
    '<p>This message was sent automatically and intentionally contains no patient information.</p>',
  ].join('\n');
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
