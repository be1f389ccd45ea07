// Secrets an admin enters (a warehouse URL with its password, a FHIR source's token or private
// key) are stored encrypted: AES-256-GCM with the file key, the same envelope as stored files.
import { env } from "@/lib/env";
import { createDecryptor, createEncryptor, fileKey, HEADER_BYTES, TAG_BYTES } from "@/lib/storage/encryption";

export function encryptSecret(plaintext: string): string {
  const { header, cipher } = createEncryptor(fileKey(env().FILE_ENCRYPTION_KEY));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);

  return Buffer.concat([header, body, cipher.getAuthTag()]).toString("base64");
}

/** Throws when the stored value no longer decrypts (the file key was rotated). */
export function decryptSecret(stored: string): string {
  const bytes = Buffer.from(stored, "base64");
  const decipher = createDecryptor(fileKey(env().FILE_ENCRYPTION_KEY), bytes.subarray(0, HEADER_BYTES), bytes.subarray(bytes.length - TAG_BYTES));

  return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString("utf8");
}
