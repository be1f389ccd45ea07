// Encrypted files in S3-compatible object storage (AWS S3, MinIO, Ceph, ...). The bucket only
// ever receives the AES-256-GCM envelope ("CEX1" | IV | ciphertext | tag), never plaintext.
//
// Visibility: an object appears under its key only when the upload completes — a single PUT is
// atomic, and a multipart upload is invisible until CompleteMultipartUpload; a failed or
// interrupted one is aborted (or, after a crash, left as parts that a bucket lifecycle rule
// "AbortIncompleteMultipartUpload" removes — see the README). Keys are unique per job attempt,
// so nothing is ever overwritten.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import { createDecryptor, createEncryptor, HEADER_BYTES, TAG_BYTES } from "@/lib/storage/encryption";
import type { TListedFile, TStorageProvider, TStoredFile } from "@/lib/storage/provider";
import { storageKeyOrThrow } from "@/lib/storage/storage-key";

export type TS3StorageOptions = {
  endpoint?: string;
  region: string;
  bucket: string;
  /** Prepended to every key ("careexport/" -> "careexport/<user>/<job>/..."). */
  prefix: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size in bytes (S3's minimum, 5 MiB, by default). */
  partSize?: number;
};

const MIN_PART_BYTES = 5 * 1024 * 1024;
/** Parts in flight per upload: memory per upload stays near partSize x (queueSize + 1). */
const UPLOAD_QUEUE_SIZE = 2;

export function createS3Client(options: Pick<TS3StorageOptions, "endpoint" | "region" | "forcePathStyle" | "credentials">) {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // Integrity is end to end already (SHA-256 of the plaintext and the GCM tag); the SDK's
    // default trailing CRC checksums are refused by several S3-compatible servers.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
  });
}

export function isS3NotFound(error: unknown) {
  if (error instanceof NoSuchKey || error instanceof NotFound) return true;

  return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === "NoSuchKey" || error.name === "NotFound");
}

export class S3Storage implements TStorageProvider {
  private readonly client: S3Client;

  constructor(
    private readonly options: TS3StorageOptions,
    private readonly key: Buffer,
  ) {
    this.client = createS3Client(options);
  }

  private objectKey(key: string) {
    return `${this.options.prefix}${storageKeyOrThrow(key)}`;
  }

  async put(key: string, source: Readable | Buffer): Promise<TStoredFile> {
    const objectKey = this.objectKey(key);
    const { header, cipher } = createEncryptor(this.key);
    const hash = createHash("sha256");
    let size = 0;
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;

    async function* envelope() {
      yield header;
      for await (const chunk of input) {
        const plain = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        hash.update(plain);
        size += plain.length;
        const sealed = cipher.update(plain);
        if (sealed.length) yield sealed;
      }
      const last = cipher.final();
      if (last.length) yield last;
      yield cipher.getAuthTag();
    }

    const body = Readable.from(envelope(), { objectMode: false });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: objectKey, Body: body, ContentType: "application/octet-stream" },
      partSize: Math.max(MIN_PART_BYTES, this.options.partSize ?? MIN_PART_BYTES),
      queueSize: UPLOAD_QUEUE_SIZE,
      // A failed upload is aborted, so no parts linger and nothing becomes visible.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      if (!Buffer.isBuffer(source)) source.destroy();
      throw error;
    }

    return { key, size, checksum: hash.digest("hex") };
  }

  async get(key: string): Promise<Readable> {
    const Bucket = this.options.bucket;
    const Key = this.objectKey(key);
    const head = await this.client.send(new HeadObjectCommand({ Bucket, Key }));
    const size = head.ContentLength ?? 0;
    if (size < HEADER_BYTES + TAG_BYTES) throw new Error("stored file is truncated");
    // Every range comes from the same object version.
    const IfMatch = head.ETag;
    const [header, tag] = await Promise.all([
      this.range(Bucket, Key, IfMatch, 0, HEADER_BYTES - 1),
      this.range(Bucket, Key, IfMatch, size - TAG_BYTES, size - 1),
    ]);
    const decipher = createDecryptor(this.key, header, tag);
    const out = new PassThrough();
    if (size === HEADER_BYTES + TAG_BYTES) {
      // An empty file: only the tag needs checking.
      pipeline(Readable.from([]), decipher, out).catch(() => undefined);

      return out;
    }
    const response = await this.client.send(new GetObjectCommand({ Bucket, Key, IfMatch, Range: `bytes=${HEADER_BYTES}-${size - TAG_BYTES - 1}` }));
    // pipeline destroys `out` with the error if the object was altered (GCM tag mismatch).
    pipeline(response.Body as Readable, decipher, out).catch(() => undefined);

    return out;
  }

  private async range(Bucket: string, Key: string, IfMatch: string | undefined, start: number, end: number) {
    const response = await this.client.send(new GetObjectCommand({ Bucket, Key, IfMatch, Range: `bytes=${start}-${end}` }));
    const bytes = Buffer.from(await response.Body!.transformToByteArray());
    if (bytes.length !== end - start + 1) throw new Error("stored file is truncated");

    return bytes;
  }

  async delete(key: string) {
    // Deleting a missing object succeeds in S3, as rm --force does on disk.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
  }

  async exists(key: string) {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (error) {
      if (isS3NotFound(error)) return false;
      throw error;
    }
  }

  async *list(): AsyncIterable<TListedFile> {
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.options.prefix || undefined, ContinuationToken }));
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key.slice(this.options.prefix.length), modifiedAt: object.LastModified ?? new Date() };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async checkReachable() {
    await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
  }
}
