// Real database servers for the tests: a private MariaDB with binlog on, and the machine's PostgreSQL.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import pg from "pg";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const serversDir = join(repoRoot, ".test-servers");
const mariaDir = join(serversDir, "mariadb");
const MARIADB_PORT = Number(process.env.SLUICE_TEST_MARIADB_PORT ?? 3399);

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function mysqlServer(): ServerAddress {
  return addressFromUrl(process.env.SLUICE_TEST_MYSQL_URL ?? `mysql://root@127.0.0.1:${MARIADB_PORT}`);
}

export function postgresServer(): ServerAddress {
  return addressFromUrl(process.env.SLUICE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432");
}

function addressFromUrl(url: string): ServerAddress {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

async function binlogIsOn(address: ServerAddress): Promise<boolean> {
  try {
    const conn = await mysql.createConnection({ ...address, connectTimeout: 1000 });
    try {
      const [rows] = await conn.query("SELECT @@log_bin AS logBin, @@binlog_format AS format, @@binlog_row_image AS image");
      const row = (rows as Array<{ logBin: number; format: string; image: string }>)[0];
      return row?.logBin === 1 && row.format === "ROW" && row.image === "FULL";
    } finally {
      await conn.end();
    }
  } catch {
    return false;
  }
}

/**
 * Makes sure a MariaDB with binlog (ROW, FULL) answers at mysqlServer(). Starts a private mariadbd on its own
 * data directory when none answers; returns its pid when this call started it.
 */
export async function ensureMariaDb(): Promise<number | undefined> {
  const address = mysqlServer();
  if (await binlogIsOn(address)) return undefined;
  if (process.env.SLUICE_TEST_MYSQL_URL) {
    throw new Error(`SLUICE_TEST_MYSQL_URL points at a server without binlog (log_bin=ON, ROW, FULL): ${address.host}:${address.port}`);
  }
  mkdirSync(serversDir, { recursive: true });
  if (!existsSync(join(mariaDir, "mysql"))) {
    mkdirSync(mariaDir, { recursive: true });
    execFileSync("chown", ["-R", "mysql:mysql", mariaDir]);
    execFileSync("mariadb-install-db", ["--user=mysql", `--datadir=${mariaDir}`, "--auth-root-authentication-method=normal", "--skip-test-db"], { stdio: "ignore" });
  }
  const child = spawn(
    "mariadbd",
    [
      "--no-defaults",
      "--user=mysql",
      `--datadir=${mariaDir}`,
      `--socket=${join(mariaDir, "sock")}`,
      `--port=${MARIADB_PORT}`,
      "--bind-address=127.0.0.1",
      `--log-bin=${join(mariaDir, "bin")}`,
      "--binlog-format=ROW",
      "--binlog-row-image=FULL",
      "--server-id=1",
      "--innodb-buffer-pool-size=64M",
      "--innodb-log-file-size=48M",
      "--max-connections=500",
      "--table-definition-cache=20000",
      "--table-open-cache=4000",
      `--log-error=${join(mariaDir, "error.log")}`,
    ],
    { detached: true, stdio: "ignore" },
  );
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await binlogIsOn(address)) {
      writeFileSync(join(serversDir, "mariadb.pid"), String(child.pid));
      return child.pid;
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const log = existsSync(join(mariaDir, "error.log")) ? readFileSync(join(mariaDir, "error.log"), "utf8").slice(-2000) : "";
  throw new Error(`private mariadbd did not start on port ${MARIADB_PORT}:\n${log}`);
}

export async function ensurePostgres(): Promise<void> {
  const address = postgresServer();
  const client = new pg.Client({ ...address, database: "postgres", connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new Error(`PostgreSQL is not answering at ${address.host}:${address.port}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates a fresh, uniquely named database on the test MariaDB and returns its name. */
export async function createMysqlDatabase(prefix: string): Promise<string> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const conn = await mysql.createConnection(mysqlServer());
  try {
    await conn.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await conn.end();
  }
  return name;
}

export async function dropMysqlDatabase(name: string): Promise<void> {
  const conn = await mysql.createConnection(mysqlServer());
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}

/** Creates a fresh, uniquely named database on the test PostgreSQL and returns its name. */
export async function createPostgresDatabase(prefix: string): Promise<string> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ ...postgresServer(), database: "postgres" });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return name;
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  const client = new pg.Client({ ...postgresServer(), database: "postgres" });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
