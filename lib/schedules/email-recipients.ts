// A schedule's email recipients, stored in deliveryTarget as one comma-separated list. Admins may
// name several (a practice manager and a billing office); everyone else mails only themselves.
import { z } from "zod";

import type { TActor } from "@/lib/auth/policy";
import { invalidInput } from "@/lib/errors/app-error";

export const MAX_EMAIL_RECIPIENTS = 10;
const ZEmail = z.email();

/** The stored list as addresses (also what a person typed: commas, semicolons, spaces or lines between them). */
export function emailRecipients(value: string): string[] {
  return [...new Set(value.split(/[\s,;]+/).map((address) => address.trim().toLowerCase()).filter(Boolean))];
}

/** Validates the recipients the owner may use and returns the list to store; the owner's own address when none is given. */
export function normalizeEmailRecipients(value: string | null, owner: TActor): string {
  const recipients = emailRecipients(value ?? owner.email);
  if (recipients.length === 0) return owner.email.toLowerCase();
  const invalid = recipients.find((address) => !ZEmail.safeParse(address).success);
  if (invalid) throw invalidInput("delivery_target", recipients.length === 1 ? "must be an email address" : `"${invalid}" is not an email address`);
  if (owner.role !== "ADMIN") {
    // The message's signed link opens the file without signing in: only the owner may receive it.
    if (recipients.length > 1 || recipients[0] !== owner.email.toLowerCase()) throw invalidInput("delivery_target", "you may only send scheduled exports to your own email address");
  }
  if (recipients.length > MAX_EMAIL_RECIPIENTS) throw invalidInput("delivery_target", `at most ${MAX_EMAIL_RECIPIENTS} email addresses`);

  return recipients.join(", ");
}
