import { z } from "zod";

import type { TActor } from "@/lib/auth/policy";
import { assertSafeFileName } from "@/lib/delivery/storage-target";
import { validateWebhookUrl } from "@/lib/delivery/webhook";
import { invalidInput } from "@/lib/errors/app-error";
import type { TDeliveryMethod } from "@/lib/schedules/schedule-input";

const ZEmail = z.email();

/**
 * Validates where a schedule delivers and returns the value to store.
 * - storage: an optional sub-folder name under the delivery directory.
 * - email: an address; non-admins may only mail themselves, because the message's signed link
 *   opens the file without signing in.
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
    case "email": {
      const address = (value ?? owner.email).toLowerCase();
      if (!ZEmail.safeParse(address).success) throw invalidInput("delivery_target", "must be an email address");
      if (owner.role !== "ADMIN" && address !== owner.email.toLowerCase()) {
        throw invalidInput("delivery_target", "you may only send scheduled exports to your own email address");
      }
      return address;
    }
    case "webhook": {
      if (value === null) throw invalidInput("delivery_target", "a webhook URL is required");
      return validateWebhookUrl(value, "delivery_target");
    }
  }
}
