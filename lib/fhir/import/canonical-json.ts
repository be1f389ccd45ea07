// JSON with object keys sorted at every depth. PostgreSQL's JSONB reorders keys (and SQLite
// keeps them as sent), so "did this resource change?" must compare canonical forms.
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      // undefined is dropped by JSON anyway; skipping it keeps {a: undefined} equal to {}.
      if (source[key] !== undefined) sorted[key] = sortKeys(source[key]);
    }

    return sorted;
  }

  return value;
}
