// What an OIDC sign-in may be matched on. Accounts are found by email, so an email the identity
// provider has not verified must not count: where users may set their own address there, anyone
// could claim an existing clinician's account by typing its email.
export type TOidcProfile = { sub: string; email?: string; email_verified?: boolean | string; name?: string };

/** The profile's email, lower-cased, when the provider says it is verified; otherwise null. */
export function verifiedEmailOf(profile: TOidcProfile): string | null {
  // Some providers send the claim as the string "true".
  const isVerified = profile.email_verified === true || profile.email_verified === "true";
  const email = profile.email?.trim().toLowerCase();

  return isVerified && email ? email : null;
}
