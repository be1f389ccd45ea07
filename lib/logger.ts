// Structured, minimal logging. Never pass patient data here: log ids and counts only.
type TFields = Record<string, unknown> & { error?: unknown };

function serialize(fields: TFields = {}) {
  const { error, ...rest } = fields;
  const out: Record<string, unknown> = { ...rest };
  if (error instanceof Error) {
    out.error = error.name;
    // Stacks stay on the server; in production they go to stderr for the operator only.
    out.stack = error.stack?.split("\n").slice(0, 8).join("\n");
  } else if (error !== undefined) {
    out.error = String(error);
  }

  return JSON.stringify(out);
}

export const logger = {
  info(message: string, fields?: TFields) {
    if (process.env.NODE_ENV !== "test") console.log(`[careexport] ${message} ${serialize(fields)}`);
  },
  warn(message: string, fields?: TFields) {
    console.warn(`[careexport] ${message} ${serialize(fields)}`);
  },
  error(message: string, fields?: TFields) {
    console.error(`[careexport] ${message} ${serialize(fields)}`);
  },
};
