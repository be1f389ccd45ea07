// Prisma CLI only (migrate diff / status against PostgreSQL). The stock adapter throws on
// built-in catalog column types (name, "char", void: prisma/prisma#27403), splits scripts on
// ";" (breaking $$ bodies), and drops the shadow database while still connected to it.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { parse as parseArray } from "postgres-array";

const TEXT_OID = 25;
const TEXT_ARRAY_OID = 1009;
const FIRST_USER_OID = 16384;
// The OIDs the stock adapter maps; everything else below FIRST_USER_OID is relabelled.
const MAPPED = new Set([16, 17, 20, 21, 23, 25, 26, 114, 650, 700, 701, 790, 869, 142, 1042, 1043, 1082, 1083, 1114, 1184, 1266, 1560, 1562, 1700, 2950, 3802,
  1000, 1001, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1028, 1041, 1115, 1182, 1183, 1185, 1231, 1270, 143, 651, 791, 2951, 3807, 1561, 1563]);

type Field = { dataTypeID: number };
type QueryResult = { fields?: Field[]; rows?: unknown[][] };

function relabel(result: QueryResult) {
  result.fields?.forEach((field, index) => {
    if (field.dataTypeID >= FIRST_USER_OID || MAPPED.has(field.dataTypeID)) return;
    const isArray = result.rows?.some((row) => typeof row[index] === "string" && String(row[index]).startsWith("{"));
    if (isArray) {
      result.rows?.forEach((row) => {
        if (typeof row[index] === "string") row[index] = parseArray(row[index] as string);
      });
    }
    field.dataTypeID = isArray ? TEXT_ARRAY_OID : TEXT_OID;
  });
  return result;
}

function relabelling<T extends { query: (...args: never[]) => Promise<unknown> }>(client: T): T {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<QueryResult> | undefined;
  (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
    const last = args.at(-1);
    if (typeof last === "function") {
      args[args.length - 1] = (err: Error | undefined, result: QueryResult) => last(err, result && relabel(result));
      return query(...args);
    }
    return query(...args)?.then((result) => (result ? relabel(result) : result));
  };
  return client;
}

function configFor(url: string, database?: string): pg.PoolConfig {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username || "postgres"),
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: database ?? (parsed.pathname.slice(1) || "postgres"),
    allowExitOnIdle: true,
  };
}

async function adapterOn(config: pg.PoolConfig, onDispose?: () => Promise<void>) {
  const pool = new pg.Pool(config);
  const poolConnect = pool.connect.bind(pool);
  relabelling(pool as unknown as { query: (...args: never[]) => Promise<unknown> });
  // pool.query() itself calls connect(callback): keep that form working.
  (pool as unknown as { connect: unknown }).connect = (callback?: (err: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) => {
    if (!callback) return poolConnect().then(relabelling);
    poolConnect((err, client, done) => callback(err, client && relabelling(client), done));
  };
  const adapter = await new PrismaPg(pool).connect();
  adapter.executeScript = async (script: string) => {
    await pool.query(script);
  };
  const dispose = adapter.dispose.bind(adapter);
  adapter.dispose = async () => {
    await dispose();
    await pool.end();
    await onDispose?.();
  };
  return adapter;
}

export class MigrationSafePrismaPg {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";

  constructor(private readonly url: string) {}

  connect() {
    return adapterOn(configFor(this.url));
  }

  async connectToShadowDb() {
    const database = `prisma_shadow_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    const admin = new pg.Client(configFor(this.url));
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();

    return adapterOn(configFor(this.url, database), async () => {
      const dropper = new pg.Client(configFor(this.url));
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await dropper.end();
    });
  }
}
