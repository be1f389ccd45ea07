// One line, in words, for a failure that is not an AppError: what the CLI prints. Driver and
// Prisma messages never pass through: they are many lines long, name source files, and can quote
// the values a query was given (patient data). A Prisma code or a system error code is kept: it
// is what an operator searches for, and it holds no data.

const PRISMA_CODES: Record<string, string> = {
  P1000: "the database refused the credentials in DATABASE_URL",
  P1001: "cannot reach the database server (check DATABASE_URL and that the server is running)",
  P1002: "the database server did not answer in time",
  P1003: "the database named in DATABASE_URL does not exist",
  P1008: "the database did not answer in time",
  P1010: "the database user in DATABASE_URL has no access to this database",
  P1017: "the database server closed the connection",
  P2002: "a record with that unique value already exists",
  P2003: "a record it refers to does not exist",
  P2021: "the database has no such table: run `npm run cli -- db:migrate`",
  P2022: "the database is missing a column: run `npm run cli -- db:migrate`",
  P2024: "no database connection became free in time",
  P2025: "a record it needs was not found",
  P2034: "the change conflicted with another one at the same time; try again",
};

const SYSTEM_CODES: Record<string, string> = {
  ENOENT: "a file or folder it needs does not exist",
  EACCES: "permission denied on a file or folder",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on the device",
  ECONNREFUSED: "the connection was refused",
  ETIMEDOUT: "the connection timed out",
  ENOTFOUND: "a host name did not resolve",
  EADDRINUSE: "the address is already in use",
};

/** The failure in words, one line: a known Prisma or system code, else the error's class only. */
export function describeFailure(error: unknown): string {
  const code = typeof (error as { code?: unknown } | null)?.code === "string" ? (error as { code: string }).code : null;
  const errorCode = typeof (error as { errorCode?: unknown } | null)?.errorCode === "string" ? (error as { errorCode: string }).errorCode : null;
  const prismaCode = [code, errorCode].find((value) => value && /^P\d{4}$/.test(value));
  if (prismaCode) return `${PRISMA_CODES[prismaCode] ?? "the database refused the operation"} (${prismaCode})`;
  if (code && SYSTEM_CODES[code]) return `${SYSTEM_CODES[code]} (${code})`;

  const name = error instanceof Error ? error.name : typeof error;
  if (/^PrismaClient/.test(name)) return `the database failed (${name})`;

  return `unexpected failure (${name}); nothing more is printed, as the details may hold patient data`;
}
