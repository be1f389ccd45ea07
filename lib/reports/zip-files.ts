// A ZIP of in-memory files (the session-notes "zip" batch). archiver 8 exports ZipArchive, which
// the installed @types/archiver (7) does not declare yet, hence the narrow typed view below.
import { PassThrough } from "node:stream";

import * as archiverModule from "archiver";
import type { Archiver } from "archiver";

type TZipArchiveClass = new (options?: { zlib?: { level?: number } }) => Archiver;

const { ZipArchive } = archiverModule as unknown as { ZipArchive: TZipArchiveClass };

export async function zipFiles(files: { name: string; body: Buffer }[]): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on("data", (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    sink.on("end", resolve);
    sink.on("error", reject);
    archive.on("error", reject);
  });
  archive.pipe(sink);
  for (const file of files) archive.append(file.body, { name: file.name });
  await archive.finalize();
  await finished;

  return Buffer.concat(chunks);
}
