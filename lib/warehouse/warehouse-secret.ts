// A warehouse URL carries its password, so it is stored encrypted (AES-256-GCM, the file key)
// and only ever shown as host/database.
import { createEncryptor, createDecryptor, fileKey, HEADER_BYTES, TAG_BYTES } from "@/lib/storage/encryption";
import { env } from "@/lib/env";

export function encryptWarehouseUrl(url: string): string {
  const { header, cipher } = createEncryptor(fileKey(env().FILE_ENCRYPTION_KEY));
  const body = Buffer.concat([cipher.update(url, "utf8"), cipher.final()]);

  return Buffer.concat([header, body, cipher.getAuthTag()]).toString("base64");
}

export function decryptWarehouseUrl(stored: string): string {
  const bytes = Buffer.from(stored, "base64");
  const decipher = createDecryptor(fileKey(env().FILE_ENCRYPTION_KEY), bytes.subarray(0, HEADER_BYTES), bytes.subarray(bytes.length - TAG_BYTES));

  return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString("utf8");
}

/** What the admin UI, the catalog and the audit trail may show of a URL: never the user or password. */
export function describeWarehouseUrl(url: string): { host: string; database: string } {
  try {
    const parsed = new URL(url);
    return { host: parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname, database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) };
  } catch {
    return { host: "(invalid)", database: "" };
  }
}

/** host/database of a stored URL; a URL that no longer decrypts (rotated key) still lists and can be removed. */
export function describeStoredWarehouseUrl(stored: string): { host: string; database: string } {
  try {
    return describeWarehouseUrl(decryptWarehouseUrl(stored));
  } catch {
    return { host: "(unreadable: re-enter the URL)", database: "" };
  }
}
