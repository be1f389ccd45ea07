/**
 * An outbound request refused before anything was sent: a scheme, credentials in the URL, or an
 * address that is not public internet. `message` is safe for whoever supplied the URL (a
 * therapist's webhook): for a host name it never says what the name resolved to, or whether it
 * resolved at all, so refusals cannot map internal DNS. `detail` says exactly why, for admins
 * and the audit trail.
 */
export class OutboundRefusedError extends Error {
  readonly detail: string;

  constructor(message: string, detail = message) {
    super(message);
    this.name = "OutboundRefusedError";
    this.detail = detail;
  }
}
