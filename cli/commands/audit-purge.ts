import { flushHeadAnchor } from "@/lib/audit/head-anchor";
import { purgeAuditBefore } from "@/lib/audit/purge-audit";
import { CLI_META } from "@/lib/audit/request-meta";
import { dateOrDateTimeProblem } from "@/lib/dates/bounded-dates";

import { CliUsageError, parseFlags } from "../args";

export const summary = "Purge audit records older than the retention period (or --before an earlier DATE), leaving a signed checkpoint";
export const usage = "npm run cli -- audit:purge [--before YYYY-MM-DD]   (default and latest allowed: now minus the audit_retention_years setting)";

export async function run(argv: string[]) {
  const { flags } = parseFlags(argv, { before: {} });
  let cutoff: Date | undefined;
  if (typeof flags.before === "string") {
    // A purge deletes: "2026-02-30" is refused, never read as 2 March.
    const problem = dateOrDateTimeProblem(flags.before);
    if (problem) throw new CliUsageError(`--before ${problem}`);
    cutoff = new Date(flags.before);
  }
  const result = await purgeAuditBefore({ cutoff, actor: { userId: null, label: "cli" }, meta: CLI_META });
  // The process exits right after: anchor the audit_purged record now rather than leave it to the timer.
  await flushHeadAnchor();
  if (result.purgedCount === 0) {
    console.log(`Nothing to purge: no audit record is older than ${result.cutoff.toISOString()}.`);
    return 0;
  }
  console.log(`Purged ${result.purgedCount} audit records created before ${result.cutoff.toISOString()}; checkpoint at sequence ${result.checkpointSeq}.`);

  return 0;
}
