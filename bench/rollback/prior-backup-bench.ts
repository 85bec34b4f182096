// What recording a rollback adds to a data change on MySQL: a 20,000-row UPDATE run in its transaction as Sluice runs
// it, with the rollback prepared by prior backup (the private MariaDB without binlog) or from the binlog (the one with
// it), against the same UPDATE run without a rollback on each server. All four alternate, run by run, on the same
// table shape, so the ratios are measured side by side.
import mysql from "mysql2/promise";
import type { EngineSession } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { DEFAULT_MYSQL_ROLLBACK, startRecording, type MySqlRollbackSettings } from "../../src/rollback/index.ts";
import {
  createMysqlDatabase,
  dropMysqlDatabase,
  ensureMariaDb,
  ensureMariaDbWithoutBinlog,
  mysqlServer,
  noBinlogMysqlServer,
  type ServerAddress,
} from "../../test/support/servers.ts";
import { median } from "../support/stats.ts";

const TABLE_ROWS = 100_000;
const CHANGED_ROWS = 20_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

async function* oneStatement(sql: string): AsyncGenerator<string> {
  yield sql;
}

/** One server's table, a session that runs changes on it, and its runs' times. */
interface Side {
  server: ServerAddress;
  database: string;
  admin: mysql.Connection;
  session: EngineSession;
  target: ServerAddress & { database: string; connectTimeoutMs: number };
}

async function openSide(server: ServerAddress): Promise<Side> {
  const database = await createMysqlDatabase("rollback_bench", server);
  const target = { ...server, database, connectTimeoutMs: 5_000 };
  const admin = await mysql.createConnection({ ...server, database });
  await admin.query(
    "CREATE TABLE bench (id INT PRIMARY KEY, qty INT NOT NULL, label VARCHAR(32) NOT NULL, price DECIMAL(12,2) NOT NULL, changed_at DATETIME(6) NOT NULL) DEFAULT CHARSET=utf8mb4",
  );
  await admin.query(`INSERT INTO bench SELECT seq, seq % 1000, CONCAT('item-', seq), seq / 7, '2024-01-01 00:00:00.000001' FROM seq_1_to_${TABLE_ROWS}`);
  const session = await engineFor("mysql").connect(target, { statementTimeoutMs: 0, lockTimeoutMs: 30_000 }, { batches: true });
  return { server, database, admin, session, target };
}

async function closeSide(side: Side): Promise<void> {
  await side.session.close();
  await side.admin.end();
  await dropMysqlDatabase(side.database, side.server);
}

function update(run: number): string {
  return `UPDATE bench SET qty = qty + 1, changed_at = '2025-06-01 12:00:0${run % 10}.5' WHERE id <= ${CHANGED_ROWS}`;
}

/** The UPDATE in its transaction, nothing recorded. */
async function plainRun(side: Side, run: number): Promise<number> {
  const started = performance.now();
  await side.session.begin();
  const outcome = await side.session.execute(update(run));
  await side.session.commit();
  const ms = performance.now() - started;
  if (outcome.rowsAffected !== CHANGED_ROWS) throw new Error(`the plain UPDATE changed ${outcome.rowsAffected} rows`);
  return ms;
}

/** The UPDATE as Sluice runs a data change: readiness, recording, the change, COMMIT, and the rollback prepared. */
async function recordedRun(side: Side, run: number, settings: MySqlRollbackSettings): Promise<{ ms: number; finishMs: number }> {
  const sql = update(run);
  const started = performance.now();
  const recorder = await startRecording("mysql", side.session, side.target, { changeKey: `BENCH-${run}`, rowLimit: TABLE_ROWS }, settings, oneStatement(sql));
  await side.session.begin();
  await recorder.execute(sql, 1);
  await side.session.commit();
  const finishStarted = performance.now();
  const prepared = await recorder.finish();
  const ended = performance.now();
  if (!prepared.available) throw new Error(prepared.reason);
  if (prepared.rowCount !== CHANGED_ROWS) throw new Error(`expected ${CHANGED_ROWS} rows, got ${prepared.rowCount}`);
  for (const table of (prepared.details.backupTables as string[] | undefined) ?? []) await side.admin.query(`DROP TABLE ${table}`);
  return { ms: ended - started, finishMs: ended - finishStarted };
}

export async function runPriorBackupBench(): Promise<{ markdown: string }> {
  await ensureMariaDb();
  await ensureMariaDbWithoutBinlog();
  const noBinlog = await openSide(noBinlogMysqlServer());
  const binlog = await openSide(mysqlServer());
  const times = { plainNoBinlog: [] as number[], backup: [] as number[], backupFinish: [] as number[], plainBinlog: [] as number[], binlog: [] as number[], binlogFinish: [] as number[] };
  try {
    // A first run of each kind warms the caches; it is not counted.
    for (let run = -1; run < RUNS; run++) {
      const plainNoBinlog = await plainRun(noBinlog, run + 1);
      const backup = await recordedRun(noBinlog, run + 1, { ...DEFAULT_MYSQL_ROLLBACK, mysqlMethod: "backup" });
      const plainBinlog = await plainRun(binlog, run + 1);
      const fromBinlog = await recordedRun(binlog, run + 1, { ...DEFAULT_MYSQL_ROLLBACK, mysqlMethod: "binlog" });
      if (run < 0) continue;
      times.plainNoBinlog.push(plainNoBinlog);
      times.backup.push(backup.ms);
      times.backupFinish.push(backup.finishMs);
      times.plainBinlog.push(plainBinlog);
      times.binlog.push(fromBinlog.ms);
      times.binlogFinish.push(fromBinlog.finishMs);
    }
  } finally {
    await closeSide(noBinlog);
    await closeSide(binlog);
  }
  const m = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)])) as Record<keyof typeof times, number>;
  const runRatios = times.backup.map((ms, i) => ms / times.plainNoBinlog[i]!);
  const lines = [
    "### Rollback recording cost: prior backup and binlog (MariaDB)",
    "",
    `A ${CHANGED_ROWS.toLocaleString("en")}-row UPDATE (by primary key range, two non-key columns) of a ${TABLE_ROWS.toLocaleString("en")}-row, 5-column table,`,
    `in one transaction, as the runner sends it (its connection allows multi-statement packets); median of ${RUNS} runs after one`,
    "not counted, the four kinds alternating. Prior backup runs on the private MariaDB without binlog; the binlog method on the one",
    "with it (ROW, FULL), whose plain UPDATE already pays for writing the binlog. Recorded runs count everything Sluice adds: the",
    "readiness check, the catalog reads and (backup) the backup table's creation before BEGIN; (backup) the copy of the rows",
    "the WHERE selects, locked, and the read-back of each row's literals in the transaction; COMMIT; and the rollback script",
    "built (`finish()`: for the binlog, reading the transaction's events off the replication stream).",
    "",
    "| server | without rollback (ms) | with rollback (ms) | of which `finish()` (ms) | ratio |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| binlog off: prior backup | ${m.plainNoBinlog.toFixed(0)} | ${m.backup.toFixed(0)} | ${m.backupFinish.toFixed(0)} | ${(m.backup / m.plainNoBinlog).toFixed(2)}× |`,
    `| binlog on: binlog | ${m.plainBinlog.toFixed(0)} | ${m.binlog.toFixed(0)} | ${m.binlogFinish.toFixed(0)} | ${(m.binlog / m.plainBinlog).toFixed(2)}× |`,
    "",
    `Prior backup against the plain UPDATE without binlog, run by run: ${Math.min(...runRatios).toFixed(2)}–${Math.max(...runRatios).toFixed(2)}× (goal ≤ 1.5×).`,
    `Prior backup against the binlog method (each with rollback, medians): ${(m.backup / m.binlog).toFixed(2)}×; the binlog's own cost,`,
    `the plain UPDATE with binlog on against off: ${(m.plainBinlog / m.plainNoBinlog).toFixed(2)}×.`,
    "",
  ];
  return { markdown: lines.join("\n") };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await runPriorBackupBench()).markdown);
}
