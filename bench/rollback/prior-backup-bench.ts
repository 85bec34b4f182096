// What a prior backup adds to a data change on MySQL without a binlog: a 20,000-row UPDATE run in its transaction as
// Sluice runs it, with the rows backed up and the rollback prepared, against the same UPDATE run without a rollback.
// The two alternate, run by run, on the same table and server, so the ratio is measured side by side.
import mysql from "mysql2/promise";
import { engineFor } from "../../src/engines/index.ts";
import { DEFAULT_MYSQL_ROLLBACK, startRecording } from "../../src/rollback/index.ts";
import { createMysqlDatabase, dropMysqlDatabase, ensureMariaDbWithoutBinlog, noBinlogMysqlServer } from "../../test/support/servers.ts";
import { median } from "../support/stats.ts";

const TABLE_ROWS = 100_000;
const CHANGED_ROWS = 20_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function* oneStatement(sql: string): AsyncGenerator<string> {
  yield sql;
}

export async function runPriorBackupBench(): Promise<{ markdown: string }> {
  await ensureMariaDbWithoutBinlog();
  const server = noBinlogMysqlServer();
  const database = await createMysqlDatabase("backup_bench", server);
  const target = { ...server, database, connectTimeoutMs: 5_000 };
  const admin = await mysql.createConnection({ ...server, database });
  const session = await engineFor("mysql").connect(target, { statementTimeoutMs: 0, lockTimeoutMs: 30_000 }, { batches: true });
  const plain: number[] = [];
  const backedUp: number[] = [];
  const finishing: number[] = [];
  try {
    await admin.query(
      "CREATE TABLE bench (id INT PRIMARY KEY, qty INT NOT NULL, label VARCHAR(32) NOT NULL, price DECIMAL(12,2) NOT NULL, changed_at DATETIME(6) NOT NULL) DEFAULT CHARSET=utf8mb4",
    );
    await admin.query(`INSERT INTO bench SELECT seq, seq % 1000, CONCAT('item-', seq), seq / 7, '2024-01-01 00:00:00.000001' FROM seq_1_to_${TABLE_ROWS}`);
    for (let run = 0; run < RUNS; run++) {
      const update = `UPDATE bench SET qty = qty + 1, changed_at = '2025-06-01 12:00:0${run}.5' WHERE id <= ${CHANGED_ROWS}`;
      let started = performance.now();
      await session.begin();
      const outcome = await session.execute(update);
      await session.commit();
      plain.push(performance.now() - started);
      if (outcome.rowsAffected !== CHANGED_ROWS) throw new Error(`the plain UPDATE changed ${outcome.rowsAffected} rows`);

      started = performance.now();
      const recorder = await startRecording("mysql", session, target, { changeKey: `BENCH-${run}`, rowLimit: TABLE_ROWS }, DEFAULT_MYSQL_ROLLBACK, oneStatement(update));
      await session.begin();
      await recorder.execute(update, 1);
      await session.commit();
      const finishStarted = performance.now();
      const prepared = await recorder.finish();
      backedUp.push(performance.now() - started);
      finishing.push(performance.now() - finishStarted);
      if (!prepared.available) throw new Error(prepared.reason);
      if (prepared.rowCount !== CHANGED_ROWS) throw new Error(`expected ${CHANGED_ROWS} rows, got ${prepared.rowCount}`);
      for (const table of prepared.details.backupTables as string[]) await admin.query(`DROP TABLE ${table}`);
    }
  } finally {
    await session.close();
    await admin.end();
    await dropMysqlDatabase(database, server);
  }
  const ratios = plain.map((ms, i) => backedUp[i]! / ms);
  const lines = [
    "### Prior backup (MariaDB without binlog)",
    "",
    `A ${CHANGED_ROWS.toLocaleString("en")}-row UPDATE (by primary key range) of a ${TABLE_ROWS.toLocaleString("en")}-row, 5-column table, in one`,
    "transaction, as the runner sends it (its connection allows multi-statement packets), median of",
    `${RUNS} runs, the two kinds alternating. With backup: the readiness check and the backup table's creation before BEGIN, the`,
    "copy of the rows the WHERE selects (FOR UPDATE), the UPDATE, the read-back of each row's literals before and after,",
    "COMMIT, and the rollback script built (`finish()`).",
    "",
    "| measure | without rollback | with prior backup | ratio (goal ≤ 1.5×) |",
    "| --- | --- | --- | --- |",
    `| run time (ms) | ${median(plain).toFixed(0)} | ${median(backedUp).toFixed(0)} | ${(median(backedUp) / median(plain)).toFixed(2)}× |`,
    "",
    `Run by run the ratio was ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×; \`finish()\` took ${median(finishing).toFixed(0)} ms of it (median).`,
    "",
  ];
  return { markdown: lines.join("\n") };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await runPriorBackupBench()).markdown);
}
