import { createHmac } from "node:crypto";

import { env } from "@/lib/env";

/**
 * The HMAC key a schedule's webhook receiver verifies with. Derived from the server key and the
 * schedule id rather than stored, so there is no secret column to leak; it is shown to the
 * schedule's owner, and rotating LINK_SIGNING_KEY rotates every webhook secret.
 */
export function webhookSecretFor(scheduleId: string): string {
  return createHmac("sha256", env().LINK_SIGNING_KEY).update(`schedule-webhook:${scheduleId}`).digest("base64url");
}
