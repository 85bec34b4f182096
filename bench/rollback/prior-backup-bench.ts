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
import { readFileSync } from "node:fs";
import { processCpuMs } from "../support/cpu-time.ts";
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
  /** The server's process, whose CPU time a run counts (the machine is shared: wall time varies with its load). */
  pid: number;
  database: string;
  admin: mysql.Connection;
  session: EngineSession;
  target: ServerAddress & { database: string; connectTimeoutMs: number };
  backupTables: string[];
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
  const [rows] = await admin.query("SELECT @@pid_file AS pidFile");
  const pid = Number(readFileSync(String((rows as Array<{ pidFile: string }>)[0]!.pidFile), "utf8").trim());
  return { server, pid, database, admin, session, target, backupTables: [] };
}

async function closeSide(side: Side): Promise<void> {
  for (const table of side.backupTables) await side.admin.query(`DROP TABLE ${table}`);
  await side.session.close();
  await side.admin.end();
  await dropMysqlDatabase(side.database, side.server);
}

function update(run: number): string {
  return `UPDATE bench SET qty = qty + 1, changed_at = '2025-06-01 12:00:0${run % 10}.5' WHERE id <= ${CHANGED_ROWS}`;
}

interface Measure {
  ms: number;
  /** CPU time of the server and of this process over the run. */
  cpuMs: number;
}

async function measured<T>(side: Side, work: () => Promise<T>): Promise<Measure & { value: T }> {
  const cpu = process.cpuUsage();
  const serverCpu = processCpuMs(side.pid);
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  const own = process.cpuUsage(cpu);
  return { ms, cpuMs: processCpuMs(side.pid) - serverCpu + (own.user + own.system) / 1000, value };
}

/** The UPDATE in its transaction, nothing recorded. */
async function plainRun(side: Side, run: number): Promise<Measure> {
  const result = await measured(side, async () => {
    await side.session.begin();
    const outcome = await side.session.execute(update(run));
    await side.session.commit();
    return outcome;
  });
  if (result.value.rowsAffected !== CHANGED_ROWS) throw new Error(`the plain UPDATE changed ${result.value.rowsAffected} rows`);
  return result;
}

/** The UPDATE as Sluice runs a data change: readiness, recording, the change, COMMIT, and the rollback prepared. */
async function recordedRun(side: Side, run: number, settings: MySqlRollbackSettings): Promise<Measure & { startMs: number; finishMs: number }> {
  const sql = update(run);
  let startMs = 0;
  let finishMs = 0;
  const { value: prepared, ...measure } = await measured(side, async () => {
    const started = performance.now();
    const recorder = await startRecording("mysql", side.session, side.target, { changeKey: `BENCH-${run}`, rowLimit: TABLE_ROWS }, settings, oneStatement(sql));
    startMs = performance.now() - started;
    await side.session.begin();
    await recorder.execute(sql, 1);
    await side.session.commit();
    const finishStarted = performance.now();
    const result = await recorder.finish();
    finishMs = performance.now() - finishStarted;
    return result;
  });
  if (!prepared.available) throw new Error(prepared.reason);
  if (prepared.rowCount !== CHANGED_ROWS) throw new Error(`expected ${CHANGED_ROWS} rows, got ${prepared.rowCount}`);
  // Backup tables stay until the end, as they stay until their retention: dropping one costs the server work of its own.
  side.backupTables.push(...((prepared.details.backupTables as string[] | undefined) ?? []));
  return { ...measure, startMs, finishMs };
}

export async function runPriorBackupBench(): Promise<{ markdown: string }> {
  await ensureMariaDb();
  await ensureMariaDbWithoutBinlog();
  const noBinlog = await openSide(noBinlogMysqlServer());
  const binlog = await openSide(mysqlServer());
  const kinds = ["plainNoBinlog", "backup", "plainBinlog", "binlog"] as const;
  const runs = Object.fromEntries(kinds.map((kind) => [kind, [] as Array<Measure & { startMs?: number; finishMs?: number }>])) as Record<(typeof kinds)[number], Array<Measure & { startMs?: number; finishMs?: number }>>;
  try {
    // A first run of each kind warms the caches; it is not counted.
    for (let run = -1; run < RUNS; run++) {
      const plainNoBinlog = await plainRun(noBinlog, run + 1);
      const backup = await recordedRun(noBinlog, run + 1, { ...DEFAULT_MYSQL_ROLLBACK, mysqlMethod: "backup" });
      const plainBinlog = await plainRun(binlog, run + 1);
      const fromBinlog = await recordedRun(binlog, run + 1, { ...DEFAULT_MYSQL_ROLLBACK, mysqlMethod: "binlog" });
      if (run < 0) continue;
      runs.plainNoBinlog.push(plainNoBinlog);
      runs.backup.push(backup);
      runs.plainBinlog.push(plainBinlog);
      runs.binlog.push(fromBinlog);
    }
  } finally {
    await closeSide(noBinlog);
    await closeSide(binlog);
  }
  const m = (kind: (typeof kinds)[number], field: "ms" | "cpuMs" | "startMs" | "finishMs"): number => median(runs[kind].map((r) => r[field] ?? 0));
  const ratio = (kind: (typeof kinds)[number], reference: (typeof kinds)[number], field: "ms" | "cpuMs"): string => `${(m(kind, field) / m(reference, field)).toFixed(2)}×`;
  const wallRatios = runs.backup.map((r, i) => r.ms / runs.plainNoBinlog[i]!.ms);
  /** What recording adds, as a multiple of the plain UPDATE's own time (the goal's other reading: ≤ 1.5× added). */
  const added = (kind: (typeof kinds)[number], reference: (typeof kinds)[number], field: "ms" | "cpuMs"): string =>
    `${((m(kind, field) - m(reference, field)) / m(reference, field)).toFixed(2)}×`;
  const lines = [
    "### Rollback recording cost: prior backup and binlog (MariaDB)",
    "",
    `A ${CHANGED_ROWS.toLocaleString("en")}-row UPDATE (by primary key range, two non-key columns) of a ${TABLE_ROWS.toLocaleString("en")}-row, 5-column table,`,
    `in one transaction, as the runner sends it (its connection allows multi-statement packets); median of ${RUNS} runs after one`,
    "not counted, the four kinds alternating. Prior backup runs on the private MariaDB without binlog; the binlog method on the one",
    "with it (ROW, FULL), whose plain UPDATE already pays for writing the binlog. Recorded runs count everything Sluice adds: the",
    "readiness check, the catalog reads and (backup) the backup table's creation before BEGIN; (backup) the copy of the rows",
    "the WHERE selects, locked (their key and the two columns the UPDATE assigns), and the read-back of each row's literals in",
    "the transaction; COMMIT; and the rollback script built (`finish()`: for the binlog, reading the transaction's events off",
    "the replication stream). The machine is shared, so beside wall time each run counts CPU time: the database server's",
    "process and the bench's own. The goal reads two ways: the run with rollback against the run without (ratio), or what",
    "recording adds against the UPDATE's own time (added).",
    "",
    "| server | without rollback: wall / CPU (ms) | with rollback: wall / CPU (ms) | of which before BEGIN / `finish()` (wall ms) | ratio, wall | ratio, CPU | added, as a multiple of the UPDATE: wall / CPU |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...(["backup", "binlog"] as const).map((kind) => {
      const plain = kind === "backup" ? "plainNoBinlog" : "plainBinlog";
      const label = kind === "backup" ? "binlog off: prior backup" : "binlog on: binlog";
      return `| ${label} | ${m(plain, "ms").toFixed(0)} / ${m(plain, "cpuMs").toFixed(0)} | ${m(kind, "ms").toFixed(0)} / ${m(kind, "cpuMs").toFixed(0)} | ${m(kind, "startMs").toFixed(0)} / ${m(kind, "finishMs").toFixed(0)} | ${ratio(kind, plain, "ms")} | ${ratio(kind, plain, "cpuMs")} | ${added(kind, plain, "ms")} / ${added(kind, plain, "cpuMs")} |`;
    }),
    "",
    `Prior backup against the plain UPDATE without binlog, wall time run by run: ${Math.min(...wallRatios).toFixed(2)}–${Math.max(...wallRatios).toFixed(2)}× (goal ≤ 1.5×).`,
    `Prior backup against the binlog method (each with rollback, medians): ${ratio("backup", "binlog", "ms")} wall, ${ratio("backup", "binlog", "cpuMs")} CPU; the binlog's own cost,`,
    `the plain UPDATE with binlog on against off: ${ratio("plainBinlog", "plainNoBinlog", "ms")} wall, ${ratio("plainBinlog", "plainNoBinlog", "cpuMs")} CPU.`,
    "",
  ];
  return { markdown: lines.join("\n") };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await runPriorBackupBench()).markdown);
}
