import { CLI_META } from "@/lib/audit/request-meta";
import { createApiToken } from "@/lib/auth/tokens";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";

import { CliUsageError, parseFlags } from "../args";

export const summary = "Create an API token for a user (at most the api_token_max_days setting, 90 by default); prints the token alone on its last line";
export const usage = "npm run cli -- tokens:create --email EMAIL [--name NAME] [--days N]";

export async function run(argv: string[]) {
  const { flags } = parseFlags(argv, { email: { required: true }, name: {}, days: {} });
  const days = flags.days === undefined ? undefined : Number(flags.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) throw new CliUsageError("--days must be a whole number of days, 1 or more");
  const user = await prisma.user.findUnique({ where: { email: String(flags.email).toLowerCase() }, select: { id: true, isDisabled: true } });
  if (!user) throw new AppError("NOT_FOUND", `no user with email ${flags.email}`);
  if (user.isDisabled) throw new AppError("CONFLICT", `${flags.email} is disabled`);

  const created = await createApiToken({ userId: user.id, name: String(flags.name ?? "cli"), days, createdById: null, meta: CLI_META });
  console.log(`Token "${created.name}" for ${flags.email}, expires ${created.expiresAt.toISOString()}. Shown once:`);
  console.log(created.token);
}
