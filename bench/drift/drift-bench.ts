// Drift check cost: a scheduled run over 200 MariaDB databases of 50 tables each when nothing changed and when
// one changed, against `mariadb-dump --no-data` of the same databases in the same run; and the statements one
// check sends per database as its tables grow. Needs the private MariaDB of the tests and the PostgreSQL store.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import type { EngineSession } from "../../src/engines/engine.ts";
import { connectLive, DriftDetector, type ConnectLive } from "../../src/drift/index.ts";
import { driftYaml } from "../../test/drift/support/target.ts";
import { openDriftWorld, type DriftWorld } from "../../test/drift/support/world.ts";
import { ensureMariaDb, ensurePostgres, mysqlServer } from "../../test/support/servers.ts";

const DATABASES = 200;
const TABLES = 50;
const RUNS = 3;
const GROWTH = [10, 50, 200];
const PREFIX = `drift_bench_${process.pid}`;

const run = promisify(execFile);
let templates = 0;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

function tableSql(i: number): string {
  return `CREATE TABLE t${i} (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, account_id int NOT NULL, name varchar(80) NOT NULL DEFAULT '',
    status enum('new','active','closed') NOT NULL DEFAULT 'new', amount decimal(12,2) NULL, created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    KEY account_idx (account_id), UNIQUE KEY name_uq (account_id, name)) ENGINE=InnoDB`;
}

/** Creates `count` databases of `tables` tables: a template once, then CREATE TABLE … LIKE in one batch per database, four at a time. */
async function createDatabases(names: string[], tables: number): Promise<void> {
  const admin = await mysql.createConnection({ ...mysqlServer(), multipleStatements: true });
  const template = `${PREFIX}_template_${templates++}`;
  try {
    await admin.query(`CREATE DATABASE \`${template}\``);
    await admin.query(Array.from({ length: tables }, (_, i) => tableSql(i).replace(`CREATE TABLE t${i}`, `CREATE TABLE \`${template}\`.t${i}`)).join(";"));
  } finally {
    await admin.end();
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    const conn = await mysql.createConnection({ ...mysqlServer(), multipleStatements: true });
    try {
      while (next < names.length) {
        const name = names[next++]!;
        const likes = Array.from({ length: tables }, (_, i) => `CREATE TABLE \`${name}\`.t${i} LIKE \`${template}\`.t${i}`);
        await conn.query([`CREATE DATABASE \`${name}\``, ...likes].join(";"));
      }
    } finally {
      await conn.end();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

async function dropBenchDatabases(): Promise<void> {
  const admin = await mysql.createConnection(mysqlServer());
  try {
    const [rows] = await admin.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", [`${PREFIX}%`]);
    for (const { name } of rows as Array<{ name: string }>) await admin.query(`DROP DATABASE \`${name}\``);
  } finally {
    await admin.end();
  }
}

async function mariadbDump(names: string[]): Promise<number> {
  const server = mysqlServer();
  const dir = mkdtempSync(join(tmpdir(), "drift-bench-"));
  const out = join(dir, "dump.sql");
  try {
    const args = [`--host=${server.host}`, `--port=${server.port}`, `--user=${server.user}`, "--no-data", `--result-file=${out}`, "--databases", ...names];
    const env = { ...process.env, MYSQL_PWD: server.password };
    return (await timed(() => run("mariadb-dump", args, { env, maxBuffer: 1 << 26 }))).ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Statements a session ran, by the server's own count (Questions), read just before it closes. */
function countingConnect(connect: ConnectLive, counts: number[]): ConnectLive {
  return async (database) => {
    const session = await connect(database);
    const counted: EngineSession = Object.create(session) as EngineSession;
    counted.close = async () => {
      const status = await session.readOnlyQuery("SHOW SESSION STATUS LIKE 'Questions'", { rowLimit: 1, timeoutMs: 5000 });
      counts.push(Number(status.rows[0]![1]));
      await session.close();
    };
    return counted;
  };
}

/** Statements one drift check sends beyond opening the connection: a session that does nothing is the zero. */
async function statementsPerCheck(world: DriftWorld, names: string[], changed: boolean): Promise<number[]> {
  const idle: number[] = [];
  const checks: number[] = [];
  const connect = connectLive(world.config, world.registry);
  for (const name of names) {
    const database = world.registry.find(name);
    await (await countingConnect(connect, idle)(database)).close();
    if (changed) {
      await world.store.prisma.driftAnomaly.deleteMany({ where: { databaseId: database.id } });
      await world.store.prisma.schemaSnapshot.updateMany({ where: { databaseId: database.id }, data: { fingerprint: "stale" } });
    }
    await new DriftDetector({ prisma: world.store.prisma, connect: countingConnect(connect, checks) }).check(database);
  }
  return checks.map((count, i) => count - idle[i]!);
}

export async function runDriftBench(): Promise<{ markdown: string }> {
  await ensurePostgres();
  await ensureMariaDb();
  const names = Array.from({ length: DATABASES }, (_, i) => `${PREFIX}_${String(i).padStart(3, "0")}`);
  const growth = GROWTH.map((tables) => ({ tables, name: `${PREFIX}_growth_${tables}` }));
  let world: DriftWorld | undefined;
  try {
    await dropBenchDatabases();
    const created = await timed(async () => {
      await createDatabases(names, TABLES);
      for (const { tables, name } of growth) await createDatabases([name], tables);
    });
    const all = [...names, ...growth.map((g) => g.name)];
    world = await openDriftWorld(driftYaml(all.map((name) => ({ engine: "mysql", name, environment: "Test" }))));
    const baseline = await timed(() => world!.monitor.runScheduled(world!.notify));

    const quiet: number[] = [];
    for (let i = 0; i < RUNS; i++) quiet.push((await timed(() => world!.monitor.runScheduled(world!.notify))).ms);
    const dumps: number[] = [];
    for (let i = 0; i < RUNS; i++) dumps.push(await mariadbDump(names));

    const events = world.events.length;
    const conn = await mysql.createConnection({ ...mysqlServer(), database: names[DATABASES / 2]! });
    await conn.query("ALTER TABLE t7 ADD COLUMN age integer");
    await conn.end();
    const oneChanged = await timed(() => world!.monitor.runScheduled(world!.notify));
    const detected = world.events.slice(events).map((e) => e.type).join(", ") || "none";

    const perCheck: number[][] = [];
    for (const changed of [false, true]) perCheck.push(await statementsPerCheck(world, growth.map((g) => g.name), changed));

    const quietMs = median(quiet);
    const dumpMs = median(dumps);
    const markdown = [
      "### Drift check (MariaDB)",
      "",
      `${DATABASES} databases × ${TABLES} InnoDB tables (created in ${(created.ms / 1000).toFixed(1)} s by CREATE TABLE … LIKE);`,
      `a scheduled run reads each instance's fingerprints over 4 connections, then settles each database from them; only one whose fingerprint differs gets its own connection (8 at a time). Median of ${RUNS} runs.`,
      "",
      "| run | time | per database |",
      "| --- | ---: | ---: |",
      `| first run: baseline of every database (dump + store) | ${baseline.ms.toFixed(0)} ms | ${(baseline.ms / DATABASES).toFixed(1)} ms |`,
      `| nothing changed (one fingerprint query each) | ${quietMs.toFixed(0)} ms | ${(quietMs / DATABASES).toFixed(1)} ms |`,
      `| one database changed (it alone is dumped and diffed; events: ${detected}) | ${oneChanged.ms.toFixed(0)} ms | ${(oneChanged.ms / DATABASES).toFixed(1)} ms |`,
      `| \`mariadb-dump --no-data\` of the same ${DATABASES} databases | ${dumpMs.toFixed(0)} ms | ${(dumpMs / DATABASES).toFixed(1)} ms |`,
      "",
      `No-change run vs the dump: **${(dumpMs / quietMs).toFixed(1)}× faster** (goal: ≥ 20×).`,
      "",
      "Statements one check sends to a database beyond opening its connection (the server's `Questions` counter; opening adds",
      "`SELECT VERSION()` and one `SET`), as its tables grow:",
      "",
      "| tables | nothing changed | fingerprint differs (dump + diff) |",
      "| ---: | ---: | ---: |",
      ...growth.map((g, i) => `| ${g.tables} | ${perCheck[0]![i]} | ${perCheck[1]![i]} |`),
      "",
    ].join("\n");
    return { markdown };
  } finally {
    await world?.close();
    await dropBenchDatabases();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { markdown } = await runDriftBench();
  writeFileSync(1, markdown);
}
