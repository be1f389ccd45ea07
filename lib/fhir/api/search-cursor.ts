// Paging cursors are sealed (AES-256-GCM): opaque to the caller, and tamper-evident. They hold
// the last row's sort value, which in a de-identified view may be a real date the caller must
// not read.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

import { env } from "@/lib/env";
import { invalidSearch } from "@/lib/fhir/api/search-parameters";

export type TCursor = { value: string | null; id: string; source: number };

const key = () => createHash("sha256").update(`fhir-search-cursor:${env().LINK_SIGNING_KEY}`).digest();

export function sealCursor(cursor: TCursor): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(cursor), "utf8"), cipher.final()]);

  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

export function openCursor(sealed: string): TCursor {
  try {
    const data = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key(), data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    const cursor = JSON.parse(Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString("utf8")) as TCursor;
    if (typeof cursor.id !== "string" || typeof cursor.source !== "number") throw new Error("shape");
    return cursor;
  } catch {
    throw invalidSearch("_cursor", "is not a cursor this server issued (take the next link as given)");
  }
}
