// Files at rest: AES-256-GCM. Layout: "CEX1" | 12-byte IV | ciphertext | 16-byte auth tag.
// The tag sits at the end so a file can be written as a stream; reading takes the tag first.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export const MAGIC = Buffer.from("CEX1");
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const HEADER_BYTES = MAGIC.length + IV_BYTES;

export function fileKey(secret: string) {
  return createHash("sha256").update(`careexport:file-encryption:${secret}`).digest();
}

export function createEncryptor(key: Buffer) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);

  return { header: Buffer.concat([MAGIC, iv]), cipher };
}

export function createDecryptor(key: Buffer, header: Buffer, tag: Buffer) {
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error("not a CareExport encrypted file");
  const decipher = createDecipheriv("aes-256-gcm", key, header.subarray(MAGIC.length, HEADER_BYTES));
  decipher.setAuthTag(tag);

  return decipher;
}
