// Real database servers for the tests: a private MariaDB with binlog on, and the machine's PostgreSQL.
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";
import { accessSync, chownSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import pg from "pg";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const MARIADB_PORT = Number(process.env.SLUICE_TEST_MARIADB_PORT ?? 3399);
/** The private MariaDB without a binlog: its own port (the binlog one's plus 100 unless set) and data directory. */
const NO_BINLOG_PORT = Number(process.env.SLUICE_TEST_MARIADB_NOBINLOG_PORT ?? MARIADB_PORT + 100);

/** A missing or misconfigured prerequisite of the suite: one line that says what is wrong and what to do. */
export class PrerequisiteError extends Error {}

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

export function mysqlServer(): ServerAddress {
  return addressFromUrl(process.env.SLUICE_TEST_MYSQL_URL ?? `mysql://root@127.0.0.1:${MARIADB_PORT}`);
}

/** A MariaDB/MySQL whose binlog is off, as Aurora MySQL's is by default: rollback by prior backup. */
export function noBinlogMysqlServer(): ServerAddress {
  return addressFromUrl(process.env.SLUICE_TEST_MYSQL_NOBINLOG_URL ?? `mysql://root@127.0.0.1:${NO_BINLOG_PORT}`);
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

// Debian and most distributions keep the server programs in sbin, which is often not on a normal user's PATH.
const SERVER_PROGRAM_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin", "/usr/local/mysql/scripts", "/usr/bin", "/usr/local/bin"];

/** The full path of a MariaDB server program, looked up on PATH and in the usual sbin directories. */
export function mariaDbProgram(name: "mariadbd" | "mariadb-install-db"): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), ...SERVER_PROGRAM_DIRS];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  throw new PrerequisiteError(
    `${name} was not found on PATH or in ${SERVER_PROGRAM_DIRS.slice(0, 3).join(", ")}: install the MariaDB server (Debian: apt-get install mariadb-server), ` +
      "or set SLUICE_TEST_MYSQL_URL to a MariaDB/MySQL with binlog on (log_bin=ON, binlog_format=ROW, binlog_row_image=FULL).",
  );
}

/**
 * The private server's data directory. It lives under the system's temporary directory, not in the clone: the
 * server's own user must be able to enter every parent (a clone under /root or `mktemp -d` is not enterable by
 * `mysql`), mariadb-install-db does not quote paths (a clone path with spaces breaks it), and a unix socket path
 * must stay under ~100 bytes. The name is tied to the clone and the port, so clones and ports never share one.
 */
export function privateMariaDbDir(port = MARIADB_PORT): string {
  const base = /\s/.test(tmpdir()) ? "/tmp" : tmpdir();
  const clone = createHash("sha256").update(repoRoot).digest("hex").slice(0, 10);
  const uid = process.getuid?.() ?? 0;
  return join(base, `sluice-test-mariadb-${uid}-${port}-${clone}`);
}

/** Who the private server runs as: this process's own user by default; tests of the start-up itself pass another. */
export interface ServerUser {
  uid: number;
  gid: number;
}

export interface PrivateMariaDbOptions {
  dataDir: string;
  port: number;
  binlog: boolean;
  /** Run the server as this user instead of this process's own (only root may ask). */
  runAs?: ServerUser;
}

/**
 * Starts a private mariadbd on its own data directory (made with mariadb-install-db the first time) and returns its
 * process once it answers on 127.0.0.1. As root it runs as root explicitly (`--user=root`), so it never depends on a
 * `mysql` user or on that user reaching the data directory; as anyone else it runs as that user. Failures carry the
 * server's own output.
 */
export async function startPrivateMariaDb(options: PrivateMariaDbOptions): Promise<{ pid: number; port: number; stop(): Promise<void> }> {
  const { dataDir, port, binlog, runAs } = options;
  const asRoot = (runAs?.uid ?? process.getuid?.() ?? -1) === 0;
  const userArgs = asRoot ? ["--user=root"] : [];
  const spawnAs: SpawnOptions = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const errorLog = join(dataDir, "error.log");
  if (!existsSync(join(dataDir, "mysql"))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);
    const install = spawnSync(
      mariaDbProgram("mariadb-install-db"),
      ["--no-defaults", ...userArgs, `--datadir=${dataDir}`, "--auth-root-authentication-method=normal", "--skip-test-db"],
      { ...spawnAs, encoding: "utf8" },
    );
    if (install.status !== 0) {
      const output = `${install.stdout ?? ""}${install.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
      throw new PrerequisiteError(`mariadb-install-db could not create ${dataDir} (${install.error?.message ?? `exit ${install.status}`}):\n${output}`);
    }
  }
  const child = spawn(
    mariaDbProgram("mariadbd"),
    [
      "--no-defaults",
      ...userArgs,
      `--datadir=${dataDir}`,
      `--socket=${join(dataDir, "sock")}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      ...(binlog ? [`--log-bin=${join(dataDir, "bin")}`, "--binlog-format=ROW", "--binlog-row-image=FULL"] : []),
      "--server-id=1",
      "--innodb-buffer-pool-size=64M",
      "--innodb-log-file-size=48M",
      "--max-connections=500",
      "--table-definition-cache=20000",
      "--table-open-cache=4000",
      `--log-error=${errorLog}`,
    ],
    { ...spawnAs, detached: true, stdio: "ignore" },
  );
  child.unref();
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    // The child is unref'd, so its exit event would not keep the loop alive: poll with timers instead.
    while (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  const address = { host: "127.0.0.1", port, user: "root", password: "" };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await answers(address)) return { pid: child.pid!, port, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop().catch(() => {});
  const log = existsSync(errorLog) ? readFileSync(errorLog, "utf8").trim().split("\n").slice(-15).join("\n") : "(no error log was written)";
  throw new PrerequisiteError(`the private mariadbd did not start on port ${port} (data directory ${dataDir}); its error log ends:\n${log}`);
}

async function answers(address: ServerAddress): Promise<boolean> {
  try {
    const conn = await mysql.createConnection({ ...address, connectTimeout: 1000 });
    await conn.end();
    return true;
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
    throw new PrerequisiteError(
      `SLUICE_TEST_MYSQL_URL points at ${address.host}:${address.port}, which does not answer with binlog on (log_bin=ON, binlog_format=ROW, binlog_row_image=FULL): ` +
        "turn the binlog on there, or unset SLUICE_TEST_MYSQL_URL to let the suite start its own server.",
    );
  }
  const dataDir = privateMariaDbDir();
  const server = await startPrivateMariaDb({ dataDir, port: MARIADB_PORT, binlog: true });
  if (!(await binlogIsOn(address))) {
    await server.stop();
    throw new PrerequisiteError(`port ${MARIADB_PORT} answers, but not as the suite's private MariaDB with binlog on: free the port or set SLUICE_TEST_MARIADB_PORT to another.`);
  }
  return server.pid;
}

/** Makes sure a MariaDB with its binlog off answers at noBinlogMysqlServer(), starting a private one as ensureMariaDb does. */
export async function ensureMariaDbWithoutBinlog(): Promise<number | undefined> {
  const address = noBinlogMysqlServer();
  if ((await logBinOf(address)) === 0) return undefined;
  if (process.env.SLUICE_TEST_MYSQL_NOBINLOG_URL) {
    throw new PrerequisiteError(
      `SLUICE_TEST_MYSQL_NOBINLOG_URL points at ${address.host}:${address.port}, which does not answer with its binlog off: ` +
        "point it at one (the machine's own MariaDB often is), or unset it to let the suite start its own server.",
    );
  }
  const server = await startPrivateMariaDb({ dataDir: privateMariaDbDir(NO_BINLOG_PORT), port: NO_BINLOG_PORT, binlog: false });
  if ((await logBinOf(address)) !== 0) {
    await server.stop();
    throw new PrerequisiteError(`port ${NO_BINLOG_PORT} answers, but not as the suite's private MariaDB without binlog: free the port or set SLUICE_TEST_MARIADB_NOBINLOG_PORT to another.`);
  }
  return server.pid;
}

async function logBinOf(address: ServerAddress): Promise<number | undefined> {
  try {
    const conn = await mysql.createConnection({ ...address, connectTimeout: 1000 });
    try {
      const [rows] = await conn.query("SELECT @@log_bin AS logBin");
      return Number((rows as Array<{ logBin: unknown }>)[0]?.logBin);
    } finally {
      await conn.end();
    }
  } catch {
    return undefined;
  }
}

export async function ensurePostgres(address = postgresServer()): Promise<void> {
  const client = new pg.Client({ ...address, database: "postgres", connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new PrerequisiteError(postgresProblem(address, error as Error & { code?: string }));
  } finally {
    await client.end().catch(() => {});
  }
}

function postgresProblem(address: ServerAddress, error: Error & { code?: string }): string {
  const where = `${address.host}:${address.port}`;
  if (error.code === "ECONNREFUSED" || /timeout/i.test(error.message)) {
    return `No PostgreSQL answers on ${where}: start it (Debian: pg_ctlcluster <version> main start), or set SLUICE_TEST_PG_URL to one that runs.`;
  }
  if (error.code === "28P01" || error.code === "28000" || /password/i.test(error.message)) {
    return (
      `PostgreSQL on ${where} refused user ${address.user} (${error.message}): allow trust for it on 127.0.0.1 in pg_hba.conf, ` +
      "or set SLUICE_TEST_PG_URL=postgres://user:password@host:port with a password."
    );
  }
  return `PostgreSQL on ${where} did not answer as the tests need (${error.message}): set SLUICE_TEST_PG_URL to a server and superuser they can use.`;
}

/** Creates a fresh, uniquely named database on the test MariaDB (or another server) and returns its name. */
export async function createMysqlDatabase(prefix: string, server = mysqlServer()): Promise<string> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const conn = await mysql.createConnection(server);
  try {
    await conn.query(`CREATE DATABASE \`${name}\``);
  } finally {
    await conn.end();
  }
  return name;
}

export async function dropMysqlDatabase(name: string, server = mysqlServer()): Promise<void> {
  const conn = await mysql.createConnection(server);
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
