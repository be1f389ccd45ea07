import { prisma } from "@/lib/db/client";
import { logger } from "@/lib/logger";
import { storage } from "@/lib/storage";

/**
 * A file no job refers to is left behind when a worker stopped between storing it and
 * recording it (a crash, a kill -9, a lost lease), or when a file's delete failed after its
 * job was removed; on local disk, a partial file of an interrupted write. Nothing else would
 * ever remove it. Only files older than this are considered, so a file written a moment ago
 * whose job is about to record it is never taken.
 */
export const ORPHAN_MIN_AGE_MS = 24 * 3_600_000;

const BATCH = 500;

/**
 * Only what the job runner writes is ever a candidate: `<user id>/<job id>/<attempt>/<file>`
 * (cuid ids), or its partial write. A storage directory or bucket prefix that also holds other
 * files by mistake (the database, secrets, deliveries, another application's objects) loses none.
 */
const JOB_FILE_KEY = /^c[a-z0-9]{20,}\/c[a-z0-9]{20,}\/\d{1,4}\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Deletes stored files that no job refers to and that are older than ORPHAN_MIN_AGE_MS. */
export async function sweepOrphanFiles(now = new Date()) {
  const cutoff = now.getTime() - ORPHAN_MIN_AGE_MS;
  let deleted = 0;
  let batch: string[] = [];

  const flush = async () => {
    const referenced = await prisma.exportJob.findMany({ where: { fileKey: { in: batch } }, select: { fileKey: true } });
    const kept = new Set(referenced.map((job) => job.fileKey));
    for (const key of batch) {
      if (kept.has(key)) continue;
      try {
        await storage().delete(key);
        deleted += 1;
      } catch (error) {
        logger.warn("orphan file could not be deleted", { error });
      }
    }
    batch = [];
  };

  for await (const file of storage().list()) {
    if (file.modifiedAt.getTime() > cutoff || !JOB_FILE_KEY.test(file.key)) continue;
    batch.push(file.key);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
  if (deleted) logger.info("orphan files deleted", { count: deleted });

  return deleted;
}
