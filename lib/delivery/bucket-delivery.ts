// Storage deliveries into an S3-compatible bucket (DELIVERY_DRIVER=s3): the same rules as the
// delivery directory. The object appears whole or not at all (a single PUT, or a multipart
// upload that becomes visible on completion), and an object already there is never replaced:
// the name is taken with a conditional write (If-None-Match: *), and a taken name gets the next
// free "-2", "-3", ... suffix, unless it holds exactly these bytes (a delivery repeated after an
// interruption), which is then reported as already present.
//
// Delivered files are plaintext, like those in the delivery directory: they are for another
// system to read. They go to their own bucket or prefix, never the encrypted export space
// (lib/env refuses an overlap); use the bucket's default encryption for them at rest.
import { HeadObjectCommand, type S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import path from "node:path";
import type { Readable } from "node:stream";

import { buildDeliveryPath, assertSafeFileName } from "@/lib/delivery/storage-target";
import { env } from "@/lib/env";
import { s3ConnectionFromEnv } from "@/lib/storage";
import { createS3Client, isS3NotFound } from "@/lib/storage/s3-storage";

export type TDeliverToBucketOptions = {
  /** The schedule's optional sub-folder (one safe path segment). */
  folder: string | null;
  scheduledFor: Date;
  timeZone: string;
  fileName: string;
  /** SHA-256 (hex) of the file, recorded on the object and used to recognise a repeated delivery. */
  sha256: string;
  /** Opens the decrypted file; called once per upload attempt. */
  open: () => Promise<Readable>;
  maxSuffix?: number;
};

export type TBucketDelivery = { bucket: string; key: string; relativePath: string; isAlreadyPresent: boolean };

let cachedClient: { config: string; client: S3Client } | null = null;

function deliveryClient() {
  const connection = s3ConnectionFromEnv();
  const config = JSON.stringify([connection.endpoint, connection.region, connection.forcePathStyle, connection.credentials?.accessKeyId]);
  if (!cachedClient || cachedClient.config !== config) cachedClient = { config, client: createS3Client(connection) };

  return cachedClient.client;
}

function statusOf(error: unknown) {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

/** `report_2026-12-01.pdf` -> `report_2026-12-01-2.pdf`. */
function suffixed(key: string, n: number) {
  const ext = path.posix.extname(key);

  return `${key.slice(0, key.length - ext.length)}-${n}${ext}`;
}

export async function deliverToBucket(options: TDeliverToBucketOptions): Promise<TBucketDelivery> {
  const values = env();
  const bucket = values.DELIVERY_S3_BUCKET ?? values.S3_BUCKET!;
  const client = deliveryClient();
  const dated = buildDeliveryPath({ at: options.scheduledFor, tz: options.timeZone, fileName: options.fileName });
  const relative = options.folder ? `${assertSafeFileName(options.folder)}/${dated}` : dated;
  const maxSuffix = options.maxSuffix ?? 1000;
  let races = 0;

  for (let n = 1; n <= maxSuffix; n++) {
    const candidate = n === 1 ? relative : suffixed(relative, n);
    const key = `${values.DELIVERY_S3_PREFIX}${candidate}`;
    const existing = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
      if (isS3NotFound(error)) return null;
      throw error;
    });
    if (existing) {
      if (existing.Metadata?.sha256 === options.sha256) return { bucket, key, relativePath: candidate, isAlreadyPresent: true };
      continue;
    }
    const body = await options.open();
    try {
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: body, IfNoneMatch: "*", Metadata: { sha256: options.sha256 }, ContentType: "application/octet-stream" },
        leavePartsOnError: false,
      });
      await upload.done();

      return { bucket, key, relativePath: candidate, isAlreadyPresent: false };
    } catch (error) {
      // The read of the stored file is not needed any more (a retry opens it again).
      body.destroy();
      // 412: another delivery took the name between our look and our write; 409: a concurrent
      // conditional write is in flight. Look at the name again (it may hold these very bytes).
      const status = statusOf(error);
      if ((status === 412 || status === 409) && races < 5) {
        races += 1;
        n -= 1;
        continue;
      }
      throw error;
    }
  }

  throw new Error(`Could not deliver ${options.fileName}: ${maxSuffix} files of that name already exist`);
}
