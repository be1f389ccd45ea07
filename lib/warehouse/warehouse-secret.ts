// A warehouse URL carries its password, so it is stored encrypted (AES-256-GCM, the file key)
// and only ever shown as host/database.
import { decryptSecret, encryptSecret } from "@/lib/storage/encrypted-secret";

export const encryptWarehouseUrl = (url: string): string => encryptSecret(url);

export const decryptWarehouseUrl = (stored: string): string => decryptSecret(stored);

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
