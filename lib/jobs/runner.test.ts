import { describe, expect, it } from "vitest";

import { pollBackoff } from "@/lib/jobs/runner";

describe("job runner poll backoff", () => {
  it("polls at the normal pace while claims succeed", () => {
    expect(pollBackoff(0, 1_000)).toEqual({ delayMs: 1_000, shouldLog: false });
  });

  it("doubles the wait after each failed poll up to a minute, logging the 1st, 2nd, 4th, 8th... failure", () => {
    const runs = Array.from({ length: 10 }, (_, index) => pollBackoff(index + 1, 1_000));
    expect(runs.map((run) => run.delayMs)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000, 60_000]);
    expect(runs.flatMap((run, index) => (run.shouldLog ? [index + 1] : []))).toEqual([1, 2, 4, 8]);
    expect(pollBackoff(1_000, 1_000)).toEqual({ delayMs: 60_000, shouldLog: false });
    expect(pollBackoff(1_024, 1_000).shouldLog).toBe(true);
  });
});
