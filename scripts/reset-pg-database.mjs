// Drops and re-creates the PostgreSQL database a URL names (local servers only): for e2e runs.
import pg from "pg";

const url = new URL(process.argv[2]);
if (!["127.0.0.1", "localhost", "::1"].includes(url.hostname)) {
  console.error(`refusing to reset a database on a non-local host (${url.hostname})`);
  process.exit(2);
}
const name = url.pathname.slice(1);
if (!/^[a-z0-9_]+$/.test(name) || ["postgres", "template0", "template1"].includes(name)) {
  console.error(`refusing to reset database "${name}"`);
  process.exit(2);
}
url.pathname = "/postgres";
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
await client.query(`CREATE DATABASE "${name}"`);
await client.end();
console.log(`database ${name} re-created`);
