import { env } from "@/lib/env";
import { fileKey } from "@/lib/storage/encryption";
import { LocalStorage } from "@/lib/storage/local-storage";
import type { TStorageProvider } from "@/lib/storage/provider";

let instance: { dir: string; provider: TStorageProvider } | null = null;

/** The configured storage provider (encrypted local disk under STORAGE_DIR). */
export function storage(): TStorageProvider {
  const dir = env().STORAGE_DIR;
  if (!instance || instance.dir !== dir) instance = { dir, provider: new LocalStorage(dir, fileKey(env().FILE_ENCRYPTION_KEY)) };

  return instance.provider;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));

  return Buffer.concat(chunks);
}
