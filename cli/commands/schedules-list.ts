import { prisma } from "@/lib/db/client";
import { toScheduleView } from "@/lib/schedules/schedule-view";

import { parseFlags } from "../args";

export const summary = "List scheduled exports with their next run (in each schedule's zone)";
export const usage = "npm run cli -- schedules:list [--json]";

export async function run(argv: string[]) {
  const { flags } = parseFlags(argv, { json: { boolean: true } });
  const rows = await prisma.scheduledReport.findMany({
    include: { runs: { orderBy: { scheduledFor: "desc" }, take: 1 }, user: { select: { email: true } } },
    orderBy: [{ isActive: "desc" }, { nextRunAt: "asc" }],
  });
  const views = rows.map((row) => ({ ...toScheduleView(row), owner_email: row.user.email }));
  if (flags.json) {
    console.log(JSON.stringify(views, null, 2));
    return;
  }
  if (views.length === 0) {
    console.log("No schedules.");
    return;
  }
  for (const view of views) {
    const next = view.is_active ? `next ${view.next_run_local} ${view.timezone} (${view.next_run_at})` : `PAUSED: ${view.paused_reason ?? "paused"}`;
    console.log(`${view.id}  ${view.export_type.padEnd(17)} ${view.delivery_method.padEnd(8)} ${view.owner_email}`);
    console.log(`    ${view.description}`);
    console.log(`    ${next}; last: ${view.last_status ?? "never run"}${view.last_run_local ? ` at ${view.last_run_local}` : ""}`);
  }
}
