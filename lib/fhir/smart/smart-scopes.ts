// SMART system scopes this server grants: read-only, per type or every type.
// system/<Type|*>.read (v1) and the v2 read/search permissions .r, .s, .rs.
export const SUPPORTED_SCOPE_TYPES = ["Patient", "Encounter", "Observation", "QuestionnaireResponse", "Condition", "CarePlan", "Goal", "DocumentReference", "Practitioner", "Organization", "Location", "Questionnaire", "Group", "Measure", "MeasureReport"] as const;

const SCOPE_RE = /^system\/([A-Za-z]+|\*)\.(read|rs|r|s)$/;

/** Whether a scope string is one this server can grant (anything else is invalid_scope). */
export function isGrantableScope(scope: string) {
  const match = SCOPE_RE.exec(scope);

  return Boolean(match && (match[1] === "*" || (SUPPORTED_SCOPE_TYPES as readonly string[]).includes(match[1]!)));
}

/** Whether a registered scope includes a requested one (system/*.read covers system/Patient.rs, ...). */
function covers(granted: string, requested: string) {
  const g = SCOPE_RE.exec(granted);
  const r = SCOPE_RE.exec(requested);
  if (!g || !r) return false;
  if (g[1] !== "*" && g[1] !== r[1]) return false;
  const permissions = (value: string) => (value === "read" ? "rs" : value);

  return [...permissions(r[2]!)].every((permission) => permissions(g[2]!).includes(permission));
}

/** The scope string's parts, or a reason it cannot be granted. */
export function grantScopes(requested: string, registered: readonly string[]): { ok: true; scopes: string[] } | { ok: false; reason: string } {
  const scopes = [...new Set(requested.split(/\s+/).filter(Boolean))];
  if (!scopes.length) return { ok: false, reason: "scope is required" };
  const invalid = scopes.find((scope) => !isGrantableScope(scope));
  if (invalid) return { ok: false, reason: `${invalid.slice(0, 100)} is not a scope this server grants (read-only system scopes: system/<Type>.read, .rs, .r, .s)` };
  const notRegistered = scopes.find((scope) => !registered.some((granted) => covers(granted, scope)));
  if (notRegistered) return { ok: false, reason: `${notRegistered} was not granted to this client` };

  return { ok: true, scopes };
}
