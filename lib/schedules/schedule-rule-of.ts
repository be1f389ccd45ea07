import { env } from "@/lib/env";
import { invalidInput } from "@/lib/errors/app-error";
import { AppError } from "@/lib/errors/app-error";
import { parseScheduleRuleInput, type TScheduleRule } from "@/lib/schedules/time";

/** Validates the API's `schedule_type` + `schedule_config` into a rule (400 naming the field). */
export function parseRuleOrThrow(scheduleType: unknown, scheduleConfig: unknown): TScheduleRule {
  const parsed = parseScheduleRuleInput({ schedule_type: scheduleType, schedule_config: scheduleConfig }, env().PRACTICE_TIMEZONE);
  if (parsed.success) return parsed.rule;
  if (parsed.issues.length === 1) throw invalidInput(parsed.issues[0]!.field, parsed.issues[0]!.message);

  throw new AppError("INVALID_INPUT", `Invalid schedule: ${parsed.issues.map((issue) => issue.message).join("; ")}`, {
    issues: parsed.issues.map((issue) => ({ path: issue.field, message: issue.message })),
  });
}

/** The rule a stored schedule row stands for (its config always carries the zone). */
export function ruleOfSchedule(row: { scheduleType: string; scheduleConfig: unknown }): TScheduleRule {
  const parsed = parseScheduleRuleInput({ schedule_type: row.scheduleType, schedule_config: row.scheduleConfig }, env().PRACTICE_TIMEZONE);
  if (!parsed.success) throw new Error(`Stored schedule rule is invalid: ${parsed.issues.map((issue) => issue.message).join("; ")}`);

  return parsed.rule;
}
