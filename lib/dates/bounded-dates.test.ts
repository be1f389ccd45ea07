import { describe, expect, it } from "vitest";

import { calendarDateProblem, dateOrDateTimeProblem, ZCalendarDate, zDateOrDateTime } from "@/lib/dates/bounded-dates";

describe("bounded dates", () => {
  it("accepts real dates within 1900-01-01 .. 2100-12-31, leap days included", () => {
    for (const value of ["1900-01-01", "2100-12-31", "2024-02-29", "2000-02-29", "2026-12-07"]) expect(calendarDateProblem(value), value).toBeNull();
  });

  it("refuses dates that do not exist, and dates outside the range, each with its reason", () => {
    expect(calendarDateProblem("2026-02-30")).toBe("is not a real calendar date");
    expect(calendarDateProblem("2100-02-29")).toBe("is not a real calendar date");
    expect(calendarDateProblem("2026-13-01")).toBe("is not a real calendar date");
    expect(calendarDateProblem("2026-04-00")).toBe("is not a real calendar date");
    expect(calendarDateProblem("0000-01-01")).toBe("must be between 1900-01-01 and 2100-12-31");
    expect(calendarDateProblem("1899-12-31")).toBe("must be between 1900-01-01 and 2100-12-31");
    expect(calendarDateProblem("9999-12-31")).toBe("must be between 1900-01-01 and 2100-12-31");
    expect(calendarDateProblem("2026-1-1")).toBe("must be a date YYYY-MM-DD");
    expect(calendarDateProblem("+02026-01-01")).toBe("must be a date YYYY-MM-DD");
  });

  it("takes ISO date-times whose date is acceptable, a zone required where asked", () => {
    expect(dateOrDateTimeProblem("2026-03-01T10:15:00Z")).toBeNull();
    expect(dateOrDateTimeProblem("2026-03-01T10:15")).toBeNull();
    expect(dateOrDateTimeProblem("2026-03-01T10:15:00.123+01:00")).toBeNull();
    expect(dateOrDateTimeProblem("2026-02-30T10:00:00Z")).toBe("is not a real calendar date");
    expect(dateOrDateTimeProblem("2026-03-01T24:00:00Z")).toMatch(/^must be a date/);
    expect(dateOrDateTimeProblem("9999-12-31T00:00:00Z")).toBe("must be between 1900-01-01 and 2100-12-31");
    expect(dateOrDateTimeProblem("yesterday")).toMatch(/^must be a date/);
    expect(dateOrDateTimeProblem("2026-03-01T10:15", { requireZone: true })).toBe("needs a zone (Z or an offset such as +01:00)");
  });

  it("reports one issue per field through zod", () => {
    expect(ZCalendarDate.safeParse("2026-02-30").error?.issues.map((issue) => issue.message)).toEqual(["is not a real calendar date"]);
    expect(zDateOrDateTime().safeParse(" 2026-03-01 ").data).toBe("2026-03-01");
  });
});
