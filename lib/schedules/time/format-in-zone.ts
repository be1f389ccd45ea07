import { getZonedParts, pad2 } from './zoned-time';

/** `YYYY-MM-DD HH:MM` wall-clock time of `date` in `timeZone`, e.g. "2026-12-31 08:00". */
export function formatInZone(date: Date, timeZone: string): string {
  const p = getZonedParts(date, timeZone);

  return `${String(p.year).padStart(4, '0')}-${pad2(p.month)}-${pad2(p.day)} ${pad2(p.hour)}:${pad2(p.minute)}`;
}
