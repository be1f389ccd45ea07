// npm run bench:storage -- [--mb 200] [--runs 3]
// Throughput and memory of the storage drivers, each beside a reference measured in the same run:
//   local driver (AES-256-GCM envelope, SHA-256, write-then-rename)  vs  a plain streaming file copy;
//   s3 driver (the same envelope, lib-storage multipart upload, ranged streaming reads)
//     vs  a plain lib-storage upload and a plain GetObject stream of the same bytes.
// The S3 server is s3rver in its own process on 127.0.0.1 (its CPU is on the same 2 cores).
// Peak RSS of this process is sampled every 20 ms: streaming means it stays flat whatever --mb is.
// A benchmark, not a test: record the figures in BENCHMARKS.md.
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

import { fileKey } from "@/lib/storage/encryption";
import { LocalStorage } from "@/lib/storage/local-storage";
import { createS3Client, S3Storage } from "@/lib/storage/s3-storage";

import { S3RVER_CREDENTIALS, startS3Server } from "../tests/setup/s3-server";

function flag(name: string, fallback: string) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1]! : fallback;
}

const MB = Number(flag("mb", "200"));
const RUNS = Number(flag("runs", "3"));
const BYTES = MB * 1024 * 1024;
const mb = (bytes: number) => bytes / 1024 / 1024;

/** MB bytes of varied (not all-zero) data, generated as read, never held whole. */
function source() {
  const block = createHash("sha512").update("careexport").digest();
  const chunk = Buffer.alloc(256 * 1024);
  for (let i = 0; i < chunk.length; i += block.length) block.copy(chunk, i);
  let sent = 0;

  return new Readable({
    read() {
      if (sent >= BYTES) {
        this.push(null);
        return;
      }
      const size = Math.min(chunk.length, BYTES - sent);
      sent += size;
      this.push(Buffer.from(chunk.subarray(0, size)));
    },
  });
}

/** Drains a stream, returning its byte count (nothing kept). */
async function drain(stream: NodeJS.ReadableStream) {
  let size = 0;
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback();
      },
    }),
  );

  return size;
}

async function measure(work: () => Promise<unknown>) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await work();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRss: peak, rssGrowth: peak - before };
}

type TResult = Awaited<ReturnType<typeof measure>>;
const rows: Array<{ name: string; results: TResult[] }> = [];

function record(name: string, result: TResult) {
  let row = rows.find((entry) => entry.name === name);
  if (!row) rows.push((row = { name, results: [] }));
  row.results.push(result);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "careexport-bench-storage-"));
  const s3 = await startS3Server("careexport-bench");
  const key = fileKey("bench-file-encryption-key-0123456789");
  const local = new LocalStorage(path.join(dir, "files"), key);
  const connection = { endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: S3RVER_CREDENTIALS };
  const bucket = new S3Storage({ ...connection, bucket: s3.bucket, prefix: "bench/" }, key);
  const client = createS3Client(connection);
  console.log(`bench:storage — ${MB} MB per file, ${RUNS} runs, Node ${process.version}, s3rver at ${s3.endpoint}`);

  try {
    for (let run = 1; run <= RUNS; run++) {
      const plain = path.join(dir, `plain-${run}.bin`);
      record("reference: plain file write", await measure(() => pipeline(source(), createWriteStream(plain))));
      record("reference: plain file read", await measure(() => drain(createReadStream(plain))));
      record("local driver: put", await measure(() => local.put(`u/${run}/f.bin`, source())));
      record("local driver: get", await measure(async () => {
        if ((await drain(await local.get(`u/${run}/f.bin`))) !== BYTES) throw new Error("short read");
      }));

      record("reference: plain S3 upload", await measure(() => new Upload({ client, params: { Bucket: s3.bucket, Key: `plain/${run}.bin`, Body: source() }, partSize: 5 * 1024 * 1024, queueSize: 2 }).done()));
      record("reference: plain S3 get", await measure(async () => drain((await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `plain/${run}.bin` }))).Body as Readable)));
      record("s3 driver: put", await measure(() => bucket.put(`u/${run}/f.bin`, source())));
      record("s3 driver: get", await measure(async () => {
        if ((await drain(await bucket.get(`u/${run}/f.bin`))) !== BYTES) throw new Error("short read");
      }));
      rmSync(plain, { force: true });
      await local.delete(`u/${run}/f.bin`);
      await bucket.delete(`u/${run}/f.bin`);
    }
  } finally {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log("\n| step | median wall | MB/s | CPU (this process) | peak RSS | RSS growth |");
  console.log("|---|---|---|---|---|---|");
  for (const row of rows) {
    const ms = median(row.results.map((r) => r.ms));
    console.log(
      `| ${row.name} | ${ms.toFixed(0)} ms | ${(MB / (ms / 1000)).toFixed(0)} | ${median(row.results.map((r) => r.cpuMs)).toFixed(0)} ms | ${mb(Math.max(...row.results.map((r) => r.peakRss))).toFixed(0)} MB | ${mb(Math.max(...row.results.map((r) => r.rssGrowth))).toFixed(0)} MB |`,
    );
  }
}

await main();
