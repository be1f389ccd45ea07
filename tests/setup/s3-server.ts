// A real S3-compatible server for tests: the s3rver npm package, run as its own process on
// 127.0.0.1 with a fresh data directory and bucket. Nothing to install beyond npm dependencies.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { resetEnvCache } from "@/lib/env";

export type TS3TestServer = {
  endpoint: string;
  bucket: string;
  /** The environment that points STORAGE_DRIVER=s3 at this server. */
  env: Record<string, string>;
  stop: () => Promise<void>;
};

/** s3rver's fixed credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export async function startS3Server(bucket = "careexport-test"): Promise<TS3TestServer> {
  const directory = mkdtempSync(path.join(tmpdir(), "careexport-s3rver-"));
  const bin = path.join(process.cwd(), "node_modules", "s3rver", "bin", "s3rver.js");
  const child: ChildProcess = spawn(process.execPath, [bin, "--directory", directory, "--address", "127.0.0.1", "--port", "0", "--silent", "--configure-bucket", bucket], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`s3rver did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [^:\s]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${output}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // A test run that ends without its afterAll (a crash, a timeout) still takes the server with it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  return {
    endpoint,
    bucket,
    env: {
      STORAGE_DRIVER: "s3",
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_BUCKET: bucket,
      S3_PREFIX: "exports/",
      S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: "true",
    },
    stop: async () => {
      process.off("exit", killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

const S3_VARIABLES = ["STORAGE_DRIVER", "S3_ENDPOINT", "S3_REGION", "S3_BUCKET", "S3_PREFIX", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_FORCE_PATH_STYLE", "DELIVERY_DRIVER", "DELIVERY_S3_BUCKET", "DELIVERY_S3_PREFIX"];

/** Switches this process's configuration (lib/env) to `values`; returns the undo. */
export function overrideEnv(values: Record<string, string>) {
  const saved = Object.fromEntries(S3_VARIABLES.concat(Object.keys(values)).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  resetEnvCache();

  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetEnvCache();
  };
}
