import type { TSmtpConfig } from "@/lib/delivery/email";
import { env } from "@/lib/env";

/** The SMTP relay from the environment, or null when email delivery is not configured (no SMTP_HOST). */
export function smtpFromEnv(): TSmtpConfig | null {
  const e = env();
  if (!e.SMTP_HOST) return null;

  return { host: e.SMTP_HOST, port: e.SMTP_PORT ?? (e.SMTP_SECURE === "true" ? 465 : 587), secure: e.SMTP_SECURE === "true", user: e.SMTP_USER, pass: e.SMTP_PASS, from: e.SMTP_FROM };
}

/** Why email is not offered, in words for people; null when it is. */
export function emailUnavailableReason(): string | null {
  return env().SMTP_HOST ? null : "Email is not available: this server has no mail (SMTP) server configured. An administrator can set SMTP_HOST to turn it on.";
}
