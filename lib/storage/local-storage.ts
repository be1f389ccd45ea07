import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { access, constants, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { PassThrough, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

import { createDecryptor, createEncryptor, HEADER_BYTES, TAG_BYTES } from "@/lib/storage/encryption";
import type { TListedFile, TStorageProvider, TStoredFile } from "@/lib/storage/provider";
import { storageKeyOrThrow } from "@/lib/storage/storage-key";

/** Encrypted files on the local disk: the embedded default. */
export class LocalStorage implements TStorageProvider {
  constructor(
    private readonly baseDir: string,
    private readonly key: Buffer,
  ) {}

  private pathFor(key: string) {
    const full = path.resolve(this.baseDir, storageKeyOrThrow(key));
    if (!full.startsWith(path.resolve(this.baseDir) + path.sep)) throw new Error("invalid storage key");

    return full;
  }

  async put(key: string, source: Readable | Buffer): Promise<TStoredFile> {
    const target = this.pathFor(key);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.partial-${randomBytes(6).toString("hex")}`;
    const { header, cipher } = createEncryptor(this.key);
    const hash = createHash("sha256");
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const out = createWriteStream(temp, { mode: 0o600 });
    try {
      out.write(header);
      const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
      await pipeline(input, measure, cipher, out, { end: false });
      await new Promise<void>((resolve, reject) => out.end(cipher.getAuthTag(), (error?: Error | null) => (error ? reject(error) : resolve())));
      // Visible under its key only once whole.
      await rename(temp, target);
    } catch (error) {
      out.destroy();
      await rm(temp, { force: true });
      throw error;
    }

    return { key, size, checksum: hash.digest("hex") };
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathFor(key);
    const { size } = await stat(file);
    if (size < HEADER_BYTES + TAG_BYTES) throw new Error("stored file is truncated");
    const handle = await open(file, "r");
    const header = Buffer.alloc(HEADER_BYTES);
    const tag = Buffer.alloc(TAG_BYTES);
    try {
      await handle.read(header, 0, HEADER_BYTES, 0);
      await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
    } finally {
      await handle.close();
    }
    const decipher = createDecryptor(this.key, header, tag);
    const body = size - TAG_BYTES - 1 >= HEADER_BYTES ? createReadStream(file, { start: HEADER_BYTES, end: size - TAG_BYTES - 1 }) : Readable.from([]);

    // pipeline destroys `out` with the error if the file was altered (GCM tag mismatch).
    const out = new PassThrough();
    pipeline(body, decipher, out).catch(() => undefined);

    return out;
  }

  async delete(key: string) {
    await rm(this.pathFor(key), { force: true });
  }

  async exists(key: string) {
    try {
      await stat(this.pathFor(key));
      return true;
    } catch {
      return false;
    }
  }

  async *list(): AsyncIterable<TListedFile> {
    const base = path.resolve(this.baseDir);
    const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      const info = await stat(full).catch(() => null);
      if (info) yield { key: path.relative(base, full).split(path.sep).join("/"), modifiedAt: info.mtime };
    }
  }

  async checkReachable() {
    await mkdir(this.baseDir, { recursive: true });
    await access(this.baseDir, constants.R_OK | constants.W_OK);
  }
}
