// Patterns of identifiers anyone's text may hold, shared by the dataset scrubber (scrub-text.ts)
// and the reports' third-party scrubber (third-party-scrubber.ts). Global regexes: use them with
// String.replace, which starts each search from the beginning.

/**
 * An e-mail address. A local part of at most 64 characters (RFC 5321), starting where its run
 * does: unbounded, a long run without "@" ("1.1.1...", digits) was tried from each of its
 * characters, quadratic.
 */
export const EMAIL_PATTERN = /(?<![A-Z0-9._%+-])[A-Z0-9._%+-]{1,64}@[A-Z0-9.-]+\.[A-Z]{2,}/gi;

/** A North American phone number in any common format: 555-201-3344, (555) 201 3344, +1 555.201.3344. */
export const PHONE_PATTERN = /(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b/g;
