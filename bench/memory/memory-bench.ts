// Memory: peak RSS of a Sluice process exporting a 100,000-row query result to CSV (each engine, in its own
// process), of a Sluice process rolling back a 200,000-row UPDATE end to end (change, preview, run), and of the
// rollback bench's process preparing the rollback of a 200,000-row UPDATE.
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import pg from "pg";
import {
  createMysqlDatabase,
  createPostgresDatabase,
  dropMysqlDatabase,
  dropPostgresDatabase,
  ensureMariaDb,
  ensureMariaDbWithoutBinlog,
  ensurePostgres,
  mysqlServer,
  noBinlogMysqlServer,
  postgresServer,
  type ServerAddress,
} from "../../test/support/servers.ts";
import { runBuiltChild, runTsChild } from "../support/child.ts";
import { ms } from "../support/stats.ts";
import type { CsvExportReport } from "./csv-export.ts";
import type { RollbackRunReport } from "./rollback-run.ts";

const EXPORT_ROWS = 100_000;
const ROLLBACK_ROWS = 200_000;
const GOAL_MB = 300;
const CSV_EXPORT = fileURLToPath(new URL("./csv-export.ts", import.meta.url));
const ROLLBACK_CHILD = fileURLToPath(new URL("./rollback-child.ts", import.meta.url));
const ROLLBACK_RUN = fileURLToPath(new URL("./rollback-run.ts", import.meta.url));

const TABLE = "(id INT PRIMARY KEY, email VARCHAR(80) NOT NULL, label VARCHAR(40) NOT NULL, amount DECIMAL(12,2) NOT NULL, created_at TIMESTAMP NOT NULL)";

async function seedMysql(database: string): Promise<void> {
  const conn = await mysql.createConnection({ ...mysqlServer(), database });
  try {
    await conn.query(`CREATE TABLE export_rows ${TABLE}`);
    await conn.query(
      `INSERT INTO export_rows SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('item "', seq, '", boxed'), seq / 7, '2024-05-01 12:00:00' FROM seq_1_to_${EXPORT_ROWS}`,
    );
  } finally {
    await conn.end();
  }
}

async function seedPostgres(database: string): Promise<void> {
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    await client.query(`CREATE TABLE export_rows ${TABLE}`);
    await client.query(
      `INSERT INTO export_rows SELECT g, 'user' || g || '@example.com', 'item "' || g || '", boxed', g / 7.0, '2024-05-01 12:00:00' FROM generate_series(1, ${EXPORT_ROWS}) g`,
    );
  } finally {
    await client.end();
  }
}

async function csvExport(engine: "mysql" | "postgres"): Promise<CsvExportReport & { processMaxRssMb: number | undefined }> {
  const database = engine === "mysql" ? await createMysqlDatabase("memory_bench") : await createPostgresDatabase("memory_bench");
  try {
    await (engine === "mysql" ? seedMysql(database) : seedPostgres(database));
    const { stdout, maxRssMb } = await runBuiltChild(CSV_EXPORT, [engine, database, String(EXPORT_ROWS)]);
    return { ...(JSON.parse(stdout) as CsvExportReport), processMaxRssMb: maxRssMb };
  } finally {
    await (engine === "mysql" ? dropMysqlDatabase(database) : dropPostgresDatabase(database));
  }
}

/**
 * A 200,000-row UPDATE on MariaDB rolled back through Sluice in its own process: its report and whole-process peak. On
 * the server with binlog the rollback is read from it; on the one without, from a prior backup.
 */
async function rollbackRun(server: ServerAddress): Promise<RollbackRunReport & { processMaxRssMb: number | undefined }> {
  const database = await createMysqlDatabase("memory_bench", server);
  try {
    const conn = await mysql.createConnection({ ...server, database });
    try {
      await conn.query("CREATE TABLE ledger (id INT PRIMARY KEY, note VARCHAR(80) NOT NULL, amount DECIMAL(12,2) NOT NULL)");
      await conn.query(`INSERT INTO ledger SELECT seq, CONCAT('entry ', seq), seq / 7 FROM seq_1_to_${ROLLBACK_ROWS}`);
    } finally {
      await conn.end();
    }
    // The child's Sluice and its checks take the MySQL server from the tests' variable.
    const url = `mysql://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}`;
    const { stdout, maxRssMb } = await runBuiltChild(ROLLBACK_RUN, [database, String(ROLLBACK_ROWS)], undefined, { SLUICE_TEST_MYSQL_URL: url });
    return { ...(JSON.parse(stdout) as RollbackRunReport), processMaxRssMb: maxRssMb };
  } finally {
    await dropMysqlDatabase(database, server);
  }
}

/** The rollback bench in its own process: its report, and the peak RSS of that whole process. */
export async function runRollbackBenchInChild(): Promise<{ markdown: string; maxRssMb: number | undefined }> {
  const { stdout, maxRssMb } = await runTsChild(ROLLBACK_CHILD);
  if (!stdout.trim()) throw new Error("the rollback bench printed no report");
  return { markdown: stdout, maxRssMb };
}

const mb = (value: number | undefined): string => (value === undefined ? "n/a" : value.toFixed(0));
const verdict = (value: number | undefined): string => (value === undefined ? "n/a" : value < GOAL_MB ? "yes" : "**no**");

export async function runMemoryBench(rollbackProcessMaxRssMb?: number): Promise<{ markdown: string }> {
  await ensureMariaDb();
  await ensureMariaDbWithoutBinlog();
  await ensurePostgres();
  const only = process.env.BENCH_MEMORY_ONLY;
  const exports = only === "rollback" ? undefined : { mysql: await csvExport("mysql"), postgres: await csvExport("postgres") };
  const rolledBack = { binlog: await rollbackRun(mysqlServer()), backup: await rollbackRun(noBinlogMysqlServer()) };
  const rows = (exports ? (["mysql", "postgres"] as const) : []).map((engine) => {
    const e = exports![engine];
    const name = engine === "mysql" ? "MariaDB" : "PostgreSQL";
    return `| export ${EXPORT_ROWS.toLocaleString("en")} rows to CSV (${e.csvMb.toFixed(1)} MB, ${ms(e.ms, 0)} ms), ${name} | ${mb(e.startedMaxRssMb)} | ${mb(e.maxRssMb)} | ${mb(e.processMaxRssMb)} | ${verdict(e.processMaxRssMb ?? e.maxRssMb)} |`;
  });
  for (const [method, r] of [["from the binlog", rolledBack.binlog], ["by prior backup (binlog off)", rolledBack.backup]] as const) {
    rows.push(
      `| rollback of a ${ROLLBACK_ROWS.toLocaleString("en")}-row UPDATE, MariaDB, ${method}, end to end: the change runs and its rollback is prepared (${ms(r.changeMs, 0)} ms), Preview rollback (${ms(r.previewMs, 0)} ms), the rollback runs (${ms(r.rollbackMs, 0)} ms) | ${mb(r.startedMaxRssMb)} | ${mb(r.changedMaxRssMb)} / ${mb(r.previewedMaxRssMb)} / ${mb(r.rolledBackMaxRssMb)} | ${mb(r.processMaxRssMb)} | ${verdict(r.processMaxRssMb ?? r.rolledBackMaxRssMb)} |`,
    );
  }
  if (rollbackProcessMaxRssMb !== undefined) {
    rows.push(`| rollback of a 200,000-row UPDATE prepared, ×3 (the rollback bench's process) | – | – | ${mb(rollbackProcessMaxRssMb)} | ${verdict(rollbackProcessMaxRssMb)} |`);
  }
  const markdown = [
    "### Memory",
    "",
    "Each measure runs in its own Node process. The CSV export starts the real Sluice (store, Bolt app, local Slack) and runs",
    "`/db query`'s path without Slack: `runQuery` (read-only session, masking of the `email` column, audit) then `toCsv`, all rows",
    "held in memory as the query modal does. The end-to-end rollback starts the real Sluice (its local Slack Web API in a",
    "process of its own, as the real one is remote) and drives the workflow as the buttons do: the UPDATE runs with its",
    "rollback prepared from the binlog or, on the MariaDB without binlog, by prior backup; Preview rollback stores the 200,000-statement rollback change and posts its script",
    "as a file, and an approval runs it (each row checked, then restored, its own rollback prepared); its peaks after each",
    "step are given in turn. The last row is the whole process of the rollback bench (three 200,000-row",
    "UPDATEs and their rollback preparation, plus loading the table); its own sampled peak during `finish()` is in its section.",
    "",
    `| work | peak RSS once started (MB) | peak RSS after (MB, Node's maxRSS) | whole process peak (MB, /usr/bin/time) | under ${GOAL_MB} MB |`,
    "| --- | ---: | ---: | ---: | --- |",
    ...rows,
    "",
  ].join("\n");
  return { markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await runMemoryBench()).markdown);
}
