// A long export's time left from its recent pace: rows done over the last ~10 s (tables differ: an
// export of encounters then questionnaire responses slows down when it reaches the wider rows).
// Said only once there is enough to go on, and in round words ("about 2 min left").

export type TPaceSample = { at: number; rows: number };

const MIN_ELAPSED_MS = 3_000;
const MIN_FRACTION = 0.05;
export const PACE_WINDOW_MS = 10_000;

/** Seconds left at the pace from `since` to `now`, or null while too little is known (or nothing is left). */
export function estimateSecondsLeft(since: TPaceSample, now: TPaceSample, totalRows: number): number | null {
  const elapsed = now.at - since.at;
  const done = now.rows - since.rows;
  const left = totalRows - now.rows;
  if (totalRows <= 0 || left <= 0 || done <= 0 || elapsed < MIN_ELAPSED_MS || now.rows < totalRows * MIN_FRACTION) return null;

  return (left / done) * (elapsed / 1000);
}

/** Adds `now` to the samples and drops those older than needed: the oldest kept is the last one at least PACE_WINDOW_MS old. */
export function slidePaceWindow(samples: TPaceSample[], now: TPaceSample): TPaceSample[] {
  const kept = [...samples, now];
  while (kept.length > 2 && now.at - kept[1]!.at >= PACE_WINDOW_MS) kept.shift();

  return kept;
}

export function describeTimeLeft(seconds: number): string {
  if (seconds < 5) return "a few seconds left";
  if (seconds < 55) return `about ${Math.round(seconds / 5) * 5} s left`;
  if (seconds < 3570) return `about ${Math.max(1, Math.round(seconds / 60))} min left`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);

  return minutes ? `about ${hours} h ${minutes} min left` : `about ${hours} h left`;
}
