// Gives a completely written file its delivery name without ever replacing a file already
// there. Delivered names are not unique (two schedules for the same patient and report type on
// the same day share one), and a rename would silently replace the earlier delivery: a lost
// record. So the name is claimed with an exclusive create (a hard link fails with EEXIST when
// the name is taken, atomically, even against another process) and a taken name gets the next
// free "-2", "-3", ... suffix.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { constants, copyFile, link } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export type TPlaceFileWithoutOverwriteOptions = {
  /** The written file, in the same directory as `targetPath`; the caller removes it afterwards. */
  partialPath: string;
  /** Where the file should appear; a sibling with a suffix when this name is taken. */
  targetPath: string;
  /** SHA-256 (hex) of the file: a taken name holding exactly these bytes is this delivery, done before. */
  sha256: string;
  /** Highest suffix tried before giving up. Default 1000. */
  maxSuffix?: number;
};

export type TPlacedFile = {
  path: string;
  /** True when an identical file already had the name (a repeated delivery), so nothing was written. */
  isAlreadyPresent: boolean;
};

export async function placeFileWithoutOverwrite(options: TPlaceFileWithoutOverwriteOptions): Promise<TPlacedFile> {
  const maxSuffix = options.maxSuffix ?? 1000;
  for (let n = 1; n <= maxSuffix; n++) {
    const candidate = n === 1 ? options.targetPath : suffixedPath(options.targetPath, n);
    if (await createExclusively(options.partialPath, candidate)) {
      return { path: candidate, isAlreadyPresent: false };
    }
    // Identical bytes under the name lose nothing: a delivery retried after an interruption
    // must not leave a second copy beside the first.
    if ((await sha256Of(candidate).catch(() => null)) === options.sha256) {
      return { path: candidate, isAlreadyPresent: true };
    }
  }

  throw new Error(`Could not deliver ${path.basename(options.targetPath)}: ${maxSuffix} files of that name already exist`);
}

/** `report_2026-12-01.pdf` -> `report_2026-12-01-2.pdf`. */
export function suffixedPath(filePath: string, n: number): string {
  const ext = path.extname(filePath);

  return `${filePath.slice(0, filePath.length - ext.length)}-${n}${ext}`;
}

/** False when the name is taken; the file appears whole or not at all. */
async function createExclusively(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);

    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      return false;
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') {
      throw error;
    }
  }
  // A file system without hard links: an exclusive copy still never replaces a file, though a
  // reader may see it while it is being copied.
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL);

    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw error;
  }
}

async function sha256Of(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(filePath), hash);

  return hash.digest('hex');
}
