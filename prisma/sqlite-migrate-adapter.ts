// Prisma CLI only. The schema engine replays whole multi-statement migrations through
// executeRaw, which better-sqlite3's prepare() rejects; run those through exec() instead.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

type RawQuery = { sql: string; args: unknown[] };

function acceptMultiStatementScripts<T>(adapter: T): T {
  const target = adapter as unknown as {
    executeRaw(q: RawQuery): Promise<number>;
    client: { exec(sql: string): unknown };
  };
  const original = target.executeRaw.bind(target);
  target.executeRaw = async (q) => {
    try {
      return await original(q);
    } catch (error) {
      const text = String(error) + JSON.stringify(error);
      if (q.args.length === 0 && /more than one statement/i.test(text)) {
        target.client.exec(q.sql);
        return 0;
      }
      throw error;
    }
  };
  return adapter;
}

export class MigrationSafePrismaSQLite extends PrismaBetterSQLite3 {
  override async connect() {
    return acceptMultiStatementScripts(await super.connect());
  }

  override async connectToShadowDb() {
    return acceptMultiStatementScripts(await super.connectToShadowDb());
  }
}
