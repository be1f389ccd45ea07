// Structured, minimal logging. Never pass patient data here: log ids and counts only.
type TFields = Record<string, unknown> & { error?: unknown };

function serialize(fields: TFields = {}) {
  const { error, ...rest } = fields;
  const out: Record<string, unknown> = { ...rest };
  if (error instanceof Error) {
    out.error = error.name;
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") out.code = code;
    // Frames only, for the operator: an error's message can quote the data it failed on (a
    // Prisma validation error prints the query's arguments), so the message never reaches a log.
    out.stack = error.stack?.split("\n").filter((line) => line.trimStart().startsWith("at ")).slice(0, 8).join("\n");
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
