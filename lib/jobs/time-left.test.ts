import { describe, expect, it } from "vitest";

import { describeTimeLeft, estimateSecondsLeft, slidePaceWindow, type TPaceSample } from "@/lib/jobs/time-left";

describe("estimateSecondsLeft", () => {
  const first = { at: 0, rows: 0 };

  it("extrapolates the pace between two samples", () => {
    // 100,000 of 1,000,000 rows in 10 s: 900,000 more at 10,000 rows/s.
    expect(estimateSecondsLeft(first, { at: 10_000, rows: 100_000 }, 1_000_000)).toBeCloseTo(90);
    // From the earlier sample, not from zero rows: 100,000 rows in the last 5 s.
    expect(estimateSecondsLeft({ at: 5_000, rows: 400_000 }, { at: 10_000, rows: 500_000 }, 1_000_000)).toBeCloseTo(25);
  });

  it("says nothing until there is enough to go on, or when nothing is left", () => {
    expect(estimateSecondsLeft(first, { at: 2_000, rows: 500_000 }, 1_000_000)).toBeNull(); // under 3 s
    expect(estimateSecondsLeft(first, { at: 10_000, rows: 40_000 }, 1_000_000)).toBeNull(); // under 5% done
    expect(estimateSecondsLeft(first, { at: 10_000, rows: 0 }, 1_000_000)).toBeNull(); // no pace yet
    expect(estimateSecondsLeft(first, { at: 10_000, rows: 1_000_000 }, 1_000_000)).toBeNull(); // done
    expect(estimateSecondsLeft(first, { at: 10_000, rows: 10 }, 0)).toBeNull(); // total unknown
  });
});

describe("slidePaceWindow", () => {
  it("keeps the samples of the last ~10 s, so a slower table shows in the estimate", () => {
    let samples: TPaceSample[] = [];
    // 20 s at 20,000 rows/s, then 10 s at 5,000 rows/s, a sample a second.
    for (let second = 0; second <= 30; second++) {
      const rows = second <= 20 ? second * 20_000 : 400_000 + (second - 20) * 5_000;
      samples = slidePaceWindow(samples, { at: second * 1000, rows });
    }
    expect(samples[0]!.at).toBe(20_000);
    expect(samples.at(-1)!.at).toBe(30_000);
    // 550,000 rows left at the recent 5,000 rows/s, not at the average 15,000.
    expect(estimateSecondsLeft(samples[0]!, samples.at(-1)!, 1_000_000)).toBeCloseTo(110);
  });
});

describe("describeTimeLeft", () => {
  it("rounds to words", () => {
    expect(describeTimeLeft(4)).toBe("a few seconds left");
    expect(describeTimeLeft(8)).toBe("about 10 s left");
    expect(describeTimeLeft(42)).toBe("about 40 s left");
    expect(describeTimeLeft(58)).toBe("about 1 min left");
    expect(describeTimeLeft(150)).toBe("about 3 min left");
    expect(describeTimeLeft(3600)).toBe("about 1 h left");
    expect(describeTimeLeft(5400)).toBe("about 1 h 30 min left");
  });
});
