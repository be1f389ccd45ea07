import type { TActor } from "@/lib/auth/policy";
import { assertSafeFileName } from "@/lib/delivery/storage-target";
import { validateWebhookUrl } from "@/lib/delivery/webhook";
import { invalidInput } from "@/lib/errors/app-error";
import { normalizeEmailRecipients } from "@/lib/schedules/email-recipients";
import type { TDeliveryMethod } from "@/lib/schedules/schedule-input";

/**
 * Validates where a schedule delivers and returns the value to store.
 * - storage: an optional sub-folder name under the delivery directory.
 * - email: an address, or for admins up to ten (lib/schedules/email-recipients.ts); non-admins may
 *   only mail themselves, because the message's signed link opens the file without signing in.
 * - webhook: an https URL whose host is on the public internet (lib/outbound; http and private
 *   hosts only when the operator allow-listed them). The notice carries no signed link: the
 *   receiver needs the owner's API token to fetch the file.
 */
export async function normalizeDeliveryTarget(method: TDeliveryMethod, target: string | null | undefined, owner: TActor): Promise<string | null> {
  const value = target?.trim() || null;
  switch (method) {
    case "storage":
      if (value === null) return null;
      try {
        return assertSafeFileName(value);
      } catch {
        throw invalidInput("delivery_target", "for storage, a folder name of letters, digits, '.', '_' and '-' (or leave it empty)");
      }
    case "email":
      return normalizeEmailRecipients(value, owner);
    case "webhook": {
      if (value === null) throw invalidInput("delivery_target", "a webhook URL is required");
      return validateWebhookUrl(value, "delivery_target");
    }
  }
}
