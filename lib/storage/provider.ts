import type { Readable } from "node:stream";

export type TStoredFile = { key: string; size: number; checksum: string };

/** A file as listed: its key and when it was last written. */
export type TListedFile = { key: string; modifiedAt: Date };

/**
 * Where export files live. Implementations encrypt at rest, and make a file visible under its
 * key only once it is completely written: a reader never sees half a file.
 */
export interface TStorageProvider {
  /** Streams plaintext in; returns the plaintext size and SHA-256 (hex). */
  put(key: string, source: Readable | Buffer): Promise<TStoredFile>;
  /** A stream of the decrypted file; fails if the file was altered. */
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Every file kept, partial ones included (for the orphan sweep), in no particular order. */
  list(): AsyncIterable<TListedFile>;
  /** Throws when the storage cannot be used (directory not writable, bucket unreachable). */
  checkReachable(): Promise<void>;
}
