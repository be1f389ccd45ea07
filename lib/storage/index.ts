import { env, type TEnv } from "@/lib/env";
import { fileKey } from "@/lib/storage/encryption";
import { LocalStorage } from "@/lib/storage/local-storage";
import type { TStorageProvider } from "@/lib/storage/provider";
import type { TS3StorageOptions } from "@/lib/storage/s3-storage";

let instance: { config: string; provider: TStorageProvider } | null = null;

/** The S3 connection settings shared by export storage and storage deliveries. */
export function s3ConnectionFromEnv(values: TEnv = env()) {
  return {
    endpoint: values.S3_ENDPOINT,
    region: values.S3_REGION,
    forcePathStyle: values.S3_FORCE_PATH_STYLE,
    credentials: values.S3_ACCESS_KEY_ID && values.S3_SECRET_ACCESS_KEY ? { accessKeyId: values.S3_ACCESS_KEY_ID, secretAccessKey: values.S3_SECRET_ACCESS_KEY } : undefined,
  };
}

/**
 * The S3 driver, loaded on first use: the AWS SDK it imports costs ~22 MB of memory in every
 * process that stores a file (a dataset export's budget is 300 MB), S3 configured or not.
 */
class LazyS3Storage implements TStorageProvider {
  private loaded: Promise<TStorageProvider> | null = null;

  constructor(
    private readonly options: TS3StorageOptions,
    private readonly key: Buffer,
  ) {}

  private load() {
    this.loaded ??= import("@/lib/storage/s3-storage").then(({ S3Storage }) => new S3Storage(this.options, this.key));

    return this.loaded;
  }

  async put(key: string, source: Parameters<TStorageProvider["put"]>[1]) {
    return (await this.load()).put(key, source);
  }

  async get(key: string) {
    return (await this.load()).get(key);
  }

  async delete(key: string) {
    return (await this.load()).delete(key);
  }

  async exists(key: string) {
    return (await this.load()).exists(key);
  }

  async *list() {
    yield* (await this.load()).list();
  }

  async checkReachable() {
    return (await this.load()).checkReachable();
  }
}

function createProvider(values: TEnv): TStorageProvider {
  const key = fileKey(values.FILE_ENCRYPTION_KEY);
  if (values.STORAGE_DRIVER === "s3") return new LazyS3Storage({ ...s3ConnectionFromEnv(values), bucket: values.S3_BUCKET!, prefix: values.S3_PREFIX }, key);

  return new LocalStorage(values.STORAGE_DIR, key);
}

/** The configured storage provider: encrypted local disk (STORAGE_DIR) or an S3 bucket (STORAGE_DRIVER=s3). */
export function storage(): TStorageProvider {
  const values = env();
  // Tests switch drivers within one process; a deployment configures one for its lifetime.
  const config = JSON.stringify([values.STORAGE_DRIVER, values.STORAGE_DIR, values.S3_ENDPOINT, values.S3_BUCKET, values.S3_PREFIX, values.FILE_ENCRYPTION_KEY]);
  if (!instance || instance.config !== config) instance = { config, provider: createProvider(values) };

  return instance.provider;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));

  return Buffer.concat(chunks);
}
