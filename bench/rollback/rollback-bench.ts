// Rollback preparation for a 200,000-row UPDATE on MariaDB against `mariadb-binlog --flashback` over the same binlog range.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { engineFor } from "../../src/engines/index.ts";
import { readTransactionRows, type BinlogCoordinates } from "../../src/engines/mysql/binlog-reader.ts";
import { DEFAULT_MYSQL_ROLLBACK, startRecording } from "../../src/rollback/index.ts";
import { createMysqlDatabase, dropMysqlDatabase, ensureMariaDb, mysqlServer, privateMariaDbDir } from "../../test/support/servers.ts";

const ROWS = 200_000;
const BINLOG_DIR = privateMariaDbDir();
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function* oneStatement(sql: string): AsyncGenerator<string> {
  yield sql;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Peak RSS while `run` works, sampled every 10 ms (the process's own high-water mark includes loading the table). */
async function withPeakRss<T>(run: () => Promise<T>): Promise<{ result: T; peakMb: number; ms: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  try {
    const result = await run();
    return { result, peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20, ms: performance.now() - started };
  } finally {
    clearInterval(sampler);
  }
}

/** Reading alone over the same range: our transaction's events off the replication stream, no value decoded. */
async function readOnlyMs(target: Parameters<typeof readTransactionRows>[0], from: BinlogCoordinates, to: BinlogCoordinates, identity: { threadId: number; gtid?: string }): Promise<number> {
  const started = performance.now();
  let events = 0;
  await readTransactionRows(target, from, to, identity, () => void events++);
  if (events === 0) throw new Error("no row events read");
  return performance.now() - started;
}

function flashbackMs(file: string, start: number, stop: number): number {
  const started = performance.now();
  execFileSync("mariadb-binlog", ["--flashback", `--start-position=${start}`, `--stop-position=${stop}`, join(BINLOG_DIR, file)], {
    stdio: ["ignore", "ignore", "ignore"],
  });
  return performance.now() - started;
}

export async function runRollbackBench(): Promise<{ markdown: string }> {
  await ensureMariaDb();
  if (!existsSync(BINLOG_DIR)) return { markdown: "### Rollback preparation\n\nNo private MariaDB binlog directory: skipped.\n" };
  const database = await createMysqlDatabase("rollback_bench");
  const admin = await mysql.createConnection({ ...mysqlServer(), database });
  const target = { ...mysqlServer(), database, connectTimeoutMs: 5_000 };
  const session = await engineFor("mysql").connect(target, { statementTimeoutMs: 0, lockTimeoutMs: 30_000 });
  const lines: string[] = [];
  try {
    await admin.query("CREATE TABLE bench (id INT PRIMARY KEY, qty INT NOT NULL, label VARCHAR(32) NOT NULL, changed_at DATETIME(6) NOT NULL) DEFAULT CHARSET=utf8mb4");
    await admin.query(`INSERT INTO bench SELECT seq, seq % 1000, CONCAT('item-', seq), '2024-01-01 00:00:00.000001' FROM seq_1_to_${ROWS}`);
    const sluice: number[] = [];
    const flashback: number[] = [];
    const reading: number[] = [];
    const ranges: Array<{ from: BinlogCoordinates; to: BinlogCoordinates; identity: { threadId: number; gtid?: string } }> = [];
    const peaks: number[] = [];
    let scriptMb = 0;
    for (let run = 0; run < RUNS; run++) {
      const update = `UPDATE bench SET qty = qty + 1, changed_at = '2025-06-0${run + 1} 12:00:00.5'`;
      const recorder = await startRecording("mysql", session, target, { changeKey: `BENCH-${run}`, rowLimit: ROWS }, DEFAULT_MYSQL_ROLLBACK, oneStatement(update));
      await session.begin();
      await recorder.execute(update, 1);
      await session.commit();
      global.gc?.();
      const { result, peakMb, ms } = await withPeakRss(() => recorder.finish());
      if (!result.available) throw new Error(result.reason);
      if (result.rowCount !== ROWS) throw new Error(`expected ${ROWS} rows, got ${result.rowCount}`);
      const { binlogStart, binlogEnd, threadId, gtid } = result.details as { binlogStart: BinlogCoordinates; binlogEnd: BinlogCoordinates; threadId: number; gtid?: string };
      if (binlogStart.file !== binlogEnd.file) throw new Error("the binlog rotated during the bench; run it again");
      sluice.push(ms);
      peaks.push(peakMb);
      scriptMb = result.script.length / 2 ** 20;
      flashback.push(flashbackMs(binlogStart.file, binlogStart.position, binlogEnd.position));
      ranges.push({ from: binlogStart, to: binlogEnd, identity: { threadId, gtid } });
    }
    // After the preparations, so that its garbage does not count in their peak RSS.
    for (const range of ranges) reading.push(await readOnlyMs(target, range.from, range.to, range.identity));
    const ratio = median(sluice) / median(flashback);
    lines.push(
      "### Rollback preparation (MariaDB binlog)",
      "",
      `A ${ROWS.toLocaleString("en")}-row UPDATE of a 4-column table, median of ${RUNS} runs. Sluice: \`finish()\` (reads the`,
      "transaction's events off the replication stream and writes the guarded script straight from their bytes; the forced script is",
      "derived only when an approver overrides). Reference: `mariadb-binlog --flashback` over the same start/stop positions, output discarded.",
      "",
      "| measure | Sluice | mariadb-binlog --flashback | ratio (goal ≤ 1.5×) |",
      "| --- | --- | --- | --- |",
      `| preparation time (ms) | ${median(sluice).toFixed(0)} | ${median(flashback).toFixed(0)} | ${ratio.toFixed(2)}× |`,
      `| of which reading the events alone (ms) | ${median(reading).toFixed(0)} | | ${(median(reading) / median(flashback)).toFixed(2)}× |`,
      "",
      `Peak RSS of the process while preparing: ${Math.max(...peaks).toFixed(0)} MB (goal < 300 MB); the script holds ${scriptMb.toFixed(1)} MB of text.`,
      "",
    );
  } finally {
    await session.close();
    await admin.end();
    await dropMysqlDatabase(database);
  }
  return { markdown: lines.join("\n") };
}
