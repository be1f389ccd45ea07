import { createHmac, timingSafeEqual } from "node:crypto";

import { appUrl } from "@/lib/app-url/app-base-url";
import { env } from "@/lib/env";

/** Signed download links: HMAC over (job id, expiry). They work without a session until they expire. */
function signature(jobId: string, expires: number) {
  return createHmac("sha256", env().LINK_SIGNING_KEY).update(`download:${jobId}:${expires}`).digest("base64url");
}

export function signDownloadLink(jobId: string, lifetimeHours: number, now = Date.now()) {
  const expires = Math.floor(now / 1000) + lifetimeHours * 3600;
  const path = `/api/v1/export/download/${encodeURIComponent(jobId)}?expires=${expires}&signature=${signature(jobId, expires)}`;

  return { path, expiresAt: new Date(expires * 1000) };
}

export type TLinkCheck = { ok: true } | { ok: false; reason: "missing" | "expired" | "invalid" };

export function verifyDownloadLink(jobId: string, expiresParam: string | null, signatureParam: string | null, now = Date.now()): TLinkCheck {
  if (!expiresParam || !signatureParam) return { ok: false, reason: "missing" };
  const expires = Number(expiresParam);
  if (!Number.isInteger(expires)) return { ok: false, reason: "invalid" };
  const expected = Buffer.from(signature(jobId, expires));
  const given = Buffer.from(signatureParam);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "invalid" };
  if (expires * 1000 <= now) return { ok: false, reason: "expired" };

  return { ok: true };
}

/** An absolute link to a path of the portal: on the configured base, or (development) the request's. */
export function absoluteUrl(path: string, request?: Request | null) {
  return appUrl(path, request);
}
