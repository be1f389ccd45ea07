// The storage settings lib/env validates: S3 needs a bucket, credentials come in pairs, prefixes
// are normalised, and plaintext deliveries may not share the encrypted export space.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { env, resetEnvCache } from "@/lib/env";

const saved = { ...process.env };
const SECRETS = {
  NEXTAUTH_SECRET: "unit-nextauth-secret-0123456789",
  ANON_KEY: "unit-anon-key-0123456789abcdef",
  FILE_ENCRYPTION_KEY: "unit-file-key-0123456789abcdef",
  LINK_SIGNING_KEY: "unit-link-key-0123456789abcdef",
  AUDIT_KEY: "unit-audit-key-0123456789abcdef",
};

function envWith(values: Record<string, string>) {
  for (const name of Object.keys(process.env)) if (/^(S3_|STORAGE_|DELIVERY_|SHUTDOWN_)/.test(name)) delete process.env[name];
  Object.assign(process.env, SECRETS, { DATA_DIR: mkdtempSync(path.join(tmpdir(), "careexport-env-")) }, values);
  resetEnvCache();

  return env();
}

afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

describe("storage settings", () => {
  it("defaults to the local driver, with a 25 s shutdown grace", () => {
    expect(envWith({})).toMatchObject({ STORAGE_DRIVER: "local", DELIVERY_DRIVER: "local", S3_PREFIX: "", S3_FORCE_PATH_STYLE: false, SHUTDOWN_GRACE_SECONDS: 25 });
  });

  it("reads the S3 settings and gives each prefix its trailing slash", () => {
    const values = envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "clinic-exports", S3_PREFIX: "careexport/files", S3_FORCE_PATH_STYLE: "true", S3_ENDPOINT: "http://minio.internal:9000" });
    expect(values).toMatchObject({ STORAGE_DRIVER: "s3", S3_BUCKET: "clinic-exports", S3_PREFIX: "careexport/files/", S3_FORCE_PATH_STYLE: true, S3_REGION: "us-east-1" });
  });

  it("names the field and the reason when S3 is misconfigured", () => {
    expect(() => envWith({ STORAGE_DRIVER: "s3" })).toThrow(/S3_BUCKET: required when STORAGE_DRIVER=s3/);
    expect(() => envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "Bad_Bucket" })).toThrow(/S3_BUCKET: a bucket name/);
    expect(() => envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "exports", S3_ACCESS_KEY_ID: "AKIA" })).toThrow(/S3_SECRET_ACCESS_KEY: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together/);
    expect(() => envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "exports", S3_PREFIX: "../up" })).toThrow(/S3_PREFIX/);
    expect(() => envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "exports", S3_PREFIX: "/abs" })).toThrow(/S3_PREFIX/);
    expect(() => envWith({ STORAGE_DRIVER: "gcs" })).toThrow(/STORAGE_DRIVER/);
    expect(() => envWith({ SHUTDOWN_GRACE_SECONDS: "-1" })).toThrow(/SHUTDOWN_GRACE_SECONDS/);
  });

  it("keeps plaintext deliveries out of the encrypted export space of the same bucket", () => {
    expect(() => envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "exports", DELIVERY_DRIVER: "s3" })).toThrow(/DELIVERY_S3_PREFIX: must not overlap S3_PREFIX/);
    expect(() => envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "exports", S3_PREFIX: "files/", DELIVERY_DRIVER: "s3", DELIVERY_S3_PREFIX: "files/deliveries/" })).toThrow(/must not overlap/);
    expect(envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "exports", S3_PREFIX: "files/", DELIVERY_DRIVER: "s3" })).toMatchObject({ DELIVERY_S3_PREFIX: "deliveries/" });
    expect(envWith({ STORAGE_DRIVER: "s3", S3_BUCKET: "exports", DELIVERY_DRIVER: "s3", DELIVERY_S3_BUCKET: "handover" })).toMatchObject({ DELIVERY_S3_BUCKET: "handover" });
    expect(() => envWith({ DELIVERY_DRIVER: "s3" })).toThrow(/DELIVERY_S3_BUCKET: required/);
  });
});
