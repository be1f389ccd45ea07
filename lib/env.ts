// The only reader of process.env. Everything configurable is named, typed and validated here.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { z } from "zod";

import { parseTrustProxy } from "@/lib/net/trust-proxy";
import { parseAllowListEntry, type TAllowListEntry } from "@/lib/outbound/allow-list-entry";

const SECRET_NAMES = ["NEXTAUTH_SECRET", "ANON_KEY", "FILE_ENCRYPTION_KEY", "LINK_SIGNING_KEY", "AUDIT_KEY"] as const;
type TSecretName = (typeof SECRET_NAMES)[number];

const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().min(1).default("file:./data/careexport.db"),
  DATA_DIR: z.string().default("./data"),
  /** Where encrypted export files live in the embedded (local disk) storage. */
  STORAGE_DIR: z.string().optional(),
  /** Where scheduled exports with delivery "storage" are written (default DATA_DIR/deliveries). */
  DELIVERY_DIR: z.string().optional(),
  /** Base URL used in signed download links that leave the app (email, webhooks). */
  APP_URL: z.string().url().optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  /** The port `next dev` / `next start` listens on; only the development fallback base URL uses it. */
  PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** inline: the web process runs the worker and scheduler; external: `npm run worker` does. */
  JOB_RUNNER: z.enum(["inline", "external", "off"]).default("inline"),
  /**
   * On SIGTERM/SIGINT, how long `npm start` and `npm run worker` let running jobs finish before
   * releasing their leases (another worker takes them over at once) and exiting.
   */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(25),
  /**
   * How long a claimed job stays its worker's without a renewal (renewed every third of it while
   * the job runs): after a worker dies, another takes its jobs over this long after the last renewal.
   */
  JOB_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** local: encrypted files under STORAGE_DIR; s3: encrypted objects in an S3-compatible bucket. */
  STORAGE_DRIVER: z.enum(["local", "s3"]).default("local"),
  /** S3-compatible endpoint URL (MinIO, Ceph...); unset for AWS S3 itself. */
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "a bucket name: 3-63 lower-case letters, digits, '.' and '-'").optional(),
  /** Key prefix inside the bucket, e.g. "careexport/" (a trailing "/" is added when missing). */
  S3_PREFIX: z
    .string()
    .default("")
    .refine((value) => value === "" || /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && !value.includes("..") && !value.includes("//"), "letters, digits, '.', '_', '-' and '/', not starting with '/' and without '..'")
    .transform((value) => (value === "" || value.endsWith("/") ? value : `${value}/`)),
  /** Static credentials; leave both unset to use the SDK's default chain (instance role, AWS_* variables). */
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** "true" for most S3-compatible servers (bucket in the path, not the host name). */
  S3_FORCE_PATH_STYLE: z.enum(["true", "false"]).default("false").transform((value) => value === "true"),
  /** local: storage deliveries go to DELIVERY_DIR; s3: to DELIVERY_S3_BUCKET under DELIVERY_S3_PREFIX. */
  DELIVERY_DRIVER: z.enum(["local", "s3"]).default("local"),
  /** Bucket for storage deliveries (default S3_BUCKET); same endpoint and credentials as S3_*. */
  DELIVERY_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "a bucket name: 3-63 lower-case letters, digits, '.' and '-'").optional(),
  DELIVERY_S3_PREFIX: z
    .string()
    .default("deliveries/")
    .refine((value) => value === "" || /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && !value.includes("..") && !value.includes("//"), "letters, digits, '.', '_', '-' and '/', not starting with '/' and without '..'")
    .transform((value) => (value === "" || value.endsWith("/") ? value : `${value}/`)),
  PRACTICE_NAME: z.string().default("Riverside Behavioral Health"),
  PRACTICE_TIMEZONE: z.string().default("America/New_York"),
  PRACTICE_ADDRESS: z.string().default("100 Main St, Springfield, MA 01103"),
  PRACTICE_PHONE: z.string().default("413-555-0100"),
  /** Lets `seed:demo` run with NODE_ENV=production (a staging copy); never set it on real data. */
  ALLOW_DEMO_SEED: z.enum(["true", "false"]).default("false"),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_000_000),
  FHIR_IMPORT_MAX_BYTES: z.coerce.number().int().positive().default(50_000_000),
  SMTP_HOST: z.string().optional(),
  SMTP_PORT: z.coerce.number().int().positive().optional(),
  SMTP_SECURE: z.enum(["true", "false"]).optional(),
  SMTP_USER: z.string().optional(),
  SMTP_PASS: z.string().optional(),
  SMTP_FROM: z.string().default("CareExport <no-reply@careexport.local>"),
  /**
   * Outbound requests to URLs and hosts users supply (webhooks, warehouse connections, JWKS
   * URLs) reach public internet addresses only. Comma-separated exceptions the operator trusts:
   * CIDRs or single addresses ("10.20.0.0/16", "127.0.0.1") and host names
   * ("hooks.clinic.internal", trusted whatever they resolve to). Empty by default.
   */
  OUTBOUND_ALLOW_HOSTS: z
    .string()
    .default("")
    .transform((value, context): TAllowListEntry[] => {
      const entries: TAllowListEntry[] = [];
      for (const text of value.split(",").map((part) => part.trim()).filter(Boolean)) {
        const entry = parseAllowListEntry(text);
        if (entry) entries.push(entry);
        else context.addIssue({ code: "custom", message: `"${text}" is neither a CIDR, an IP address nor a host name` });
      }
      return entries;
    }),
  /** Failed password sign-ins to one account from one address, within the window, that lock that pair. */
  SIGNIN_LOCKOUT_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** How long a sign-in lock lasts, and the window failures are counted in (minutes). */
  SIGNIN_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /**
   * Failed sign-ins from one address (any account, unknown emails too) within the window that
   * pause sign-in from that address. Raise it when many users share one address (an office NAT).
   */
  SIGNIN_IP_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(50),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_NAME: z.string().default("Single sign-on"),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  ANON_KEY: z.string().min(16).optional(),
  FILE_ENCRYPTION_KEY: z.string().min(16).optional(),
  LINK_SIGNING_KEY: z.string().min(16).optional(),
  AUDIT_KEY: z.string().min(16).optional(),

  // ── HTTP security (issue 17, HTTP half): proxies, rate limits ──
  /**
   * Whether X-Forwarded-For is believed for the client's address (audit IP, per-IP limits): unset
   * or "false" = no (the connection's peer is the client); a number = that many proxies in front;
   * a comma list of IPs / CIDR ranges = the proxies, recognised by address.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseTrustProxy(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** API requests per minute per user (per IP when not signed in); 0 turns the limit off. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(100),
  /** Download bytes per minute per user, paced rather than refused; 0 (default) = unthrottled. */
  DOWNLOAD_BYTES_PER_MINUTE: z.coerce.number().int().min(0).default(0),
  // ── Compute pool (issue 20): heavy work on worker threads, each task limited in time and memory ──
  /** Worker threads for rendering and other heavy work; default one per core but one (at least 1). */
  COMPUTE_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /** Each worker's heap limit in MB; a task that needs more fails and its worker is replaced. */
  COMPUTE_MEMORY_MB: z.coerce.number().int().min(64).max(16_384).default(1024),
  /**
   * on: table datasets are exported in partitions in the compute pool (read, de-identified, written,
   * release-scanned and deflated in the workers; the ZIP assembled on the main thread); off: every
   * dataset is written on the main thread into archiver's ZIP and the stored file is scanned after.
   */
  DATASET_EXPORT_PARTITIONS: z.enum(["on", "off"]).default("off"),
  /** Rows per partition of the partitioned dataset export (a few partitions per large dataset; in-flight memory grows with it). */
  DATASET_PARTITION_ROWS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** Time limit for laying out a template preview (PDF/DOCX), in seconds. */
  PREVIEW_RENDER_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** Time limit for laying out one report document in an export job, in seconds. */
  REPORT_RENDER_SECONDS: z.coerce.number().min(1).max(86_400).default(300),
}).superRefine((values, context) => {
  const usesS3 = values.STORAGE_DRIVER === "s3" || values.DELIVERY_DRIVER === "s3";
  if (values.STORAGE_DRIVER === "s3" && !values.S3_BUCKET) context.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "required when STORAGE_DRIVER=s3" });
  if (values.DELIVERY_DRIVER === "s3" && !values.DELIVERY_S3_BUCKET && !values.S3_BUCKET) {
    context.addIssue({ code: "custom", path: ["DELIVERY_S3_BUCKET"], message: "required when DELIVERY_DRIVER=s3 (or set S3_BUCKET)" });
  }
  if (usesS3 && Boolean(values.S3_ACCESS_KEY_ID) !== Boolean(values.S3_SECRET_ACCESS_KEY)) {
    context.addIssue({ code: "custom", path: [values.S3_ACCESS_KEY_ID ? "S3_SECRET_ACCESS_KEY" : "S3_ACCESS_KEY_ID"], message: "set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together (or neither)" });
  }
  // Deliveries are plaintext by design (their reader is another system): never in the bucket
  // space that holds the encrypted export files.
  const deliveryBucket = values.DELIVERY_S3_BUCKET ?? values.S3_BUCKET;
  if (values.STORAGE_DRIVER === "s3" && values.DELIVERY_DRIVER === "s3" && deliveryBucket === values.S3_BUCKET) {
    const a = values.S3_PREFIX;
    const b = values.DELIVERY_S3_PREFIX;
    if (a === b || a.startsWith(b) || b.startsWith(a)) {
      context.addIssue({ code: "custom", path: ["DELIVERY_S3_PREFIX"], message: "must not overlap S3_PREFIX in the same bucket (deliveries are not encrypted files)" });
    }
  }
});

export type TEnv = z.infer<typeof ZEnv> & Record<TSecretName, string> & { STORAGE_DIR: string };

let cached: TEnv | null = null;

/**
 * Secrets come from the environment. A self-hosted single instance that was given none gets
 * random ones generated once into DATA_DIR/secrets.json (mode 0600), so `npm run dev` works on
 * a fresh machine; deployments with several instances must set them all explicitly.
 */
function loadOrCreateLocalSecrets(dataDir: string, missing: TSecretName[]): Partial<Record<TSecretName, string>> {
  if (missing.length === 0) return {};
  const file = path.join(dataDir, "secrets.json");
  const existing: Partial<Record<TSecretName, string>> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  let changed = false;
  for (const name of missing) {
    if (!existing[name]) {
      existing[name] = randomBytes(32).toString("base64url");
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(existing, null, 2), { mode: 0o600 });
  }
  return existing;
}

export function env(): TEnv {
  if (cached) return cached;
  const parsed = ZEnv.safeParse(process.env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`Invalid environment: ${detail}`);
  }
  const values = parsed.data;
  const missing = SECRET_NAMES.filter((name) => !values[name]);
  const local = loadOrCreateLocalSecrets(values.DATA_DIR, missing);
  const secrets = Object.fromEntries(SECRET_NAMES.map((name) => [name, values[name] ?? local[name]!])) as Record<TSecretName, string>;

  cached = {
    ...values,
    ...secrets,
    STORAGE_DIR: values.STORAGE_DIR ?? path.join(values.DATA_DIR, "files"),
  };
  return cached;
}

export function isPostgresUrl(url: string) {
  return /^postgres(ql)?:\/\//.test(url);
}

/** For tests that switch databases or keys within one process. */
export function resetEnvCache() {
  cached = null;
}
