// One storage suite, run for each driver: encrypted local disk and S3 (a real s3rver process).
// What every driver must do: round-trip bytes with the plaintext's size and SHA-256, keep only
// the AES-256-GCM envelope at rest, show a file only once completely written, refuse a tampered
// file, delete, stream large files, and say whether it is reachable.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { env } from "@/lib/env";
import { readAll, s3ConnectionFromEnv, storage } from "@/lib/storage";
import { createS3Client } from "@/lib/storage/s3-storage";

import { startS3Server, type TS3TestServer, overrideEnv } from "../setup/s3-server";

const PLAINTEXT_MARKER = "PATIENT-MARKER-Quillfeather";

type TDriverHarness = {
  /** The bytes at rest for `key`, or null when there is no visible file. */
  rawBytes(key: string): Promise<Buffer | null>;
  writeRaw(key: string, bytes: Buffer): Promise<void>;
  /** Every object / file name the driver left behind, partial ones included. */
  listAll(): Promise<string[]>;
  /** Makes the storage unusable; returns the undo. */
  breakIt(): Promise<() => Promise<void>>;
};

let s3: TS3TestServer;
let restoreEnv: () => void = () => undefined;

beforeAll(async () => {
  s3 = await startS3Server();
});

afterAll(async () => {
  restoreEnv();
  await s3.stop();
});

function s3Client() {
  return createS3Client(s3ConnectionFromEnv());
}

const drivers: Array<{ name: string; configure: () => void; harness: () => TDriverHarness }> = [
  {
    name: "local",
    configure: () => {
      restoreEnv();
      restoreEnv = overrideEnv({ STORAGE_DRIVER: "local" });
    },
    harness: () => ({
      rawBytes: async (key) => {
        try {
          return readFileSync(path.join(env().STORAGE_DIR, key));
        } catch {
          return null;
        }
      },
      writeRaw: async (key, bytes) => writeFileSync(path.join(env().STORAGE_DIR, key), bytes),
      listAll: async () => readdirSync(env().STORAGE_DIR, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name)),
      breakIt: async () => {
        // A path under a plain file can never become a directory (permissions would not stop root).
        const blocker = path.join(env().DATA_DIR, "not-a-directory");
        writeFileSync(blocker, "x");
        const undo = overrideEnv({ STORAGE_DIR: path.join(blocker, "files") });
        return async () => undo();
      },
    }),
  },
  {
    name: "s3",
    configure: () => {
      restoreEnv();
      restoreEnv = overrideEnv(s3.env);
    },
    harness: () => ({
      rawBytes: async (key) => {
        try {
          const object = await s3Client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: `exports/${key}` }));
          return Buffer.from(await object.Body!.transformToByteArray());
        } catch {
          return null;
        }
      },
      writeRaw: async (key, bytes) => {
        await s3Client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: `exports/${key}`, Body: bytes }));
      },
      listAll: async () => ((await s3Client().send(new ListObjectsV2Command({ Bucket: s3.bucket }))).Contents ?? []).map((object) => object.Key!),
      breakIt: async () => {
        // Nothing listens on the discard port.
        const undo = overrideEnv({ S3_ENDPOINT: "http://127.0.0.1:9" });
        return async () => undo();
      },
    }),
  },
];

function sha256(bytes: Buffer) {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A stream that yields `total` bytes in 64 KiB chunks without holding them all. */
function generated(total: number, seed: string) {
  let sent = 0;
  const block = Buffer.alloc(64 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = seed.charCodeAt(i % seed.length);
  const hash = createHash("sha256");
  const stream = new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const chunk = block.subarray(0, Math.min(block.length, total - sent));
      sent += chunk.length;
      hash.update(chunk);
      this.push(Buffer.from(chunk));
    },
  });

  return { stream, digest: () => hash.digest("hex") };
}

describe.each(drivers)("storage driver: $name", ({ name, configure, harness }) => {
  beforeAll(() => configure());

  it("round-trips a file, returning the plaintext's size and SHA-256, and keeps only the encrypted envelope at rest", async () => {
    const body = Buffer.from(`{"family_name":"${PLAINTEXT_MARKER}","notes":"${"x".repeat(5000)}"}`);
    const key = `u1/${name}-roundtrip/1/report.json`;
    const stored = await storage().put(key, body);
    expect(stored).toEqual({ key, size: body.length, checksum: sha256(body) });
    expect(await storage().exists(key)).toBe(true);
    expect(await readAll(await storage().get(key))).toEqual(body);

    const raw = (await harness().rawBytes(key))!;
    expect(raw.subarray(0, 4).toString("latin1")).toBe("CEX1");
    expect(raw.length).toBe(body.length + 4 + 12 + 16);
    expect(raw.includes(Buffer.from(PLAINTEXT_MARKER))).toBe(false);
  });

  it("stores an empty file", async () => {
    const key = `u1/${name}-empty/1/empty.csv`;
    expect(await storage().put(key, Buffer.alloc(0))).toMatchObject({ size: 0, checksum: sha256(Buffer.alloc(0)) });
    expect((await readAll(await storage().get(key))).length).toBe(0);
  });

  it("streams a file larger than one multipart part in and out", async () => {
    const total = 12 * 1024 * 1024 + 12_345;
    const source = generated(total, `${name}-large`);
    const key = `u1/${name}-large/1/dataset.zip`;
    const stored = await storage().put(key, source.stream);
    expect(stored.size).toBe(total);
    expect(stored.checksum).toBe(source.digest());

    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of await storage().get(key)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect(size).toBe(total);
    expect(hash.digest("hex")).toBe(stored.checksum);
  });

  it("shows nothing under the key when the source fails part-way, and leaves nothing behind", async () => {
    const key = `u1/${name}-broken/1/report.pdf`;
    const before = await harness().listAll();
    const failing = new Readable({
      read() {
        this.push(randomBytes(6 * 1024 * 1024));
        this.destroy(new Error("renderer crashed"));
      },
    });
    await expect(storage().put(key, failing)).rejects.toThrow();
    expect(await storage().exists(key)).toBe(false);
    expect(await harness().rawBytes(key)).toBeNull();
    expect(await harness().listAll()).toEqual(before);
  });

  it("refuses a file altered at rest: the read fails instead of serving altered bytes", async () => {
    const key = `u1/${name}-tamper/1/report.json`;
    await storage().put(key, Buffer.from("a".repeat(200)));
    const raw = (await harness().rawBytes(key))!;
    raw[40] = raw[40]! ^ 0xff;
    await harness().writeRaw(key, raw);
    await expect(readAll(await storage().get(key))).rejects.toThrow();

    await harness().writeRaw(key, raw.subarray(0, 20));
    await expect(storage().get(key).then(readAll)).rejects.toThrow(/truncated/);
  });

  it("deletes a file, and deleting a missing one is not an error", async () => {
    const key = `u1/${name}-delete/1/report.json`;
    await storage().put(key, Buffer.from("bye"));
    await storage().delete(key);
    expect(await storage().exists(key)).toBe(false);
    expect(await harness().rawBytes(key)).toBeNull();
    await expect(storage().delete(key)).resolves.toBeUndefined();
    await expect(storage().get(key)).rejects.toThrow();
  });

  it("refuses keys that could leave its directory or prefix", async () => {
    for (const key of ["../secrets.json", "/etc/passwd", "u1/../../x", ".hidden", "u1//x"]) {
      await expect(storage().put(key, Buffer.from("x"))).rejects.toThrow(/invalid storage key/);
    }
  });

  it("says whether it is reachable", async () => {
    await expect(storage().checkReachable()).resolves.toBeUndefined();
    const undo = await harness().breakIt();
    try {
      await expect(storage().checkReachable()).rejects.toThrow();
    } finally {
      await undo();
    }
    await expect(storage().checkReachable()).resolves.toBeUndefined();
  });
});
