// Download pacing (DOWNLOAD_BYTES_PER_MINUTE; 0, the default, is off; the programme's export
// document sets 10 MB a minute). A download over the budget is slowed, not refused: each piece of
// the file waits until the user's byte budget for the window has room, so a large file still
// arrives whole, at the set rate. The budget is per user across all their downloads, and on
// PostgreSQL across instances (limiter-store.ts).
import { Transform, type Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

import { RateLimiterRes } from "rate-limiter-flexible";

import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { limiterFor } from "@/lib/rate-limit/limiter-store";

const WINDOW_SECONDS = 60;
/** Bytes counted per step: small enough that pacing is smooth, large enough that counting is cheap. */
const MAX_PIECE_BYTES = 64 * 1024;

/** `source` as it should be sent to `userId`: unchanged when pacing is off. */
export function paceDownload(source: Readable, userId: string, options: { bytesPerMinute?: number } = {}): Readable {
  const bytesPerMinute = options.bytesPerMinute ?? env().DOWNLOAD_BYTES_PER_MINUTE;
  if (bytesPerMinute === 0) return source;

  const limiter = limiterFor({ name: "download", points: bytesPerMinute, durationSeconds: WINDOW_SECONDS });
  const pieceBytes = Math.min(MAX_PIECE_BYTES, bytesPerMinute);
  const key = `user:${userId}`;

  async function waitForRoom(bytes: number, isDestroyed: () => boolean) {
    while (!isDestroyed()) {
      try {
        await limiter.consume(key, bytes);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          // The counter is down: send rather than stall every download.
          logger.error("download pacing failed; sending unpaced", { error: rejection });
          return;
        }
        await sleep(Math.max(50, rejection.msBeforeNext));
      }
    }
  }

  const paced = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      void (async () => {
        for (let offset = 0; offset < chunk.length; offset += pieceBytes) {
          const piece = chunk.subarray(offset, offset + pieceBytes);
          await waitForRoom(piece.length, () => paced.destroyed);
          if (paced.destroyed) return;
          paced.push(piece);
        }
        callback();
      })().catch(callback);
    },
  });
  source.on("error", (error) => paced.destroy(error));
  paced.on("close", () => source.destroy());

  return source.pipe(paced);
}
