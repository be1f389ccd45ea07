// "Did this resource change?" on re-import, for SQLite, where `raw` is stored as the JSON text it
// was written with: the same text is the same resource (the common case, a file sent again), and
// otherwise the two are compared as JSON values with object keys in any order (a source may
// serialize keys differently between runs). PostgreSQL's jsonb makes the same comparison in the
// upsert itself (bulk-upsert.ts `unchangedIf`).
// This replaced comparing canonical (key-sorted) serializations of both sides: that built two
// sorted copies of every resource, where this walks them once and stops at the first difference.
export function sameJsonText(storedText: string, valueText: string, value: unknown): boolean {
  if (storedText === valueText) return true;
  let stored: unknown;
  try {
    stored = JSON.parse(storedText);
  } catch {
    return false;
  }

  return sameJson(stored, value);
}

/** Deep equality of two JSON values; object key order does not matter, array order does. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (!sameJson(a[index], b[index])) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  // undefined is not JSON: a key holding it counts as absent (JSON.stringify drops it).
  let leftKeys = 0;
  for (const key in left) {
    if (!Object.hasOwn(left, key) || left[key] === undefined) continue;
    leftKeys++;
    if (!Object.hasOwn(right, key) || !sameJson(left[key], right[key])) return false;
  }
  let rightKeys = 0;
  for (const key in right) if (Object.hasOwn(right, key) && right[key] !== undefined) rightKeys++;

  return leftKeys === rightKeys;
}
