// Issue 10: a transactional run sends its statements in batches (PostgreSQL pipelines, MySQL multi-statement packets),
// and still records each statement's own result; a failure names the exact statement, even deep inside a batch, and
// nothing is committed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { accountOf, APPROVER, baselineLiveSchema, CHANNEL, DEVELOPER, onMysql, onPostgres, waitForStatus, startWithTestDatabases, type SluiceWithDatabases } from "../support/changes.ts";
import type { TestSluice } from "../support/sluice.ts";

const insert = (id: number): string => `INSERT INTO ledger (id, note) VALUES (${id}, 'entry ${id}');`;

describe("a long transactional run", () => {
  let t: TestSluice;
  let pgDb: string;
  let mysqlDb: string;
  let world: SluiceWithDatabases;
  before(async () => {
    world = await startWithTestDatabases("sluice_batch");
    ({ t, pgDb, mysqlDb } = world);
    await onPostgres(pgDb, "CREATE TABLE ledger (id INT PRIMARY KEY, note TEXT NOT NULL)");
    await onMysql(mysqlDb, "CREATE TABLE ledger (id INT PRIMARY KEY, note TEXT NOT NULL)");
    for (const db of [pgDb, mysqlDb]) await baselineLiveSchema(t, db);
  });
  after(() => world.stop());

  async function submit(type: "data" | "schema", sql: string, description: string, database = pgDb) {
    const { change } = await t.sluice.services.workflow.submit({ database, type, sql, description, requesterId: DEVELOPER.id });
    return change;
  }

  test("the rollback of a 20,000-row change is kept in pieces, becomes 20,000 statements, is posted whole as a file, and runs", async () => {
    await onMysql(mysqlDb, "INSERT INTO ledger (id, note) SELECT seq, CONCAT('entry ', seq) FROM seq_100000_to_119999");
    const change = await submit("data", "UPDATE ledger SET note = CONCAT(note, ' (checked)') WHERE id >= 100000", "mark twenty thousand entries", mysqlDb);
    await waitForStatus(t, change.key, "done", 60_000);
    const { workflow } = t.sluice.services;
    const prepared = await workflow.prepareRollback(change.id, DEVELOPER.id);
    assert.ok(prepared.ok, prepared.ok ? "" : prepared.reason);
    assert.equal(prepared.change.tally.total, 20_000);
    const rollback = await accountOf(t, prepared.change.key);
    // One header line, then one line per row: the statements were cut from the pieces with their lines in the whole script.
    assert.deepEqual(rollback.statements.slice(-1).map((s) => [s.ordinal, s.line]), [[19_999, 20_001]]);
    assert.equal(rollback.statements.filter((s) => s.sql.includes("(checked)")).length, 20_000, "each statement restores one row it finds as the change left it");
    const source = await accountOf(t, change.key);
    const pieces = await t.sluice.store.prisma.rollbackChunk.findMany({ where: { executionId: source.executions.at(-1)!.id, forced: false }, orderBy: { seq: "asc" } });
    assert.ok(pieces.length > 4, `the script is kept in pieces (${pieces.length})`);
    assert.equal(rollback.sql, pieces.map((piece) => piece.sql).join(""), "the rollback change's SQL is the script, joined in the store");
    const file = t.slack.thread(CHANNEL, rollback.slackTs!).flatMap((m) => m.files).find((f) => f.name === `${rollback.key}.sql`);
    assert.ok(file, "the whole script is posted in the rollback's thread");
    assert.equal(file.content.toString("utf8"), rollback.sql, "the file streamed a piece at a time is the whole script");
    const approved = await workflow.approve(prepared.change.id, APPROVER.id);
    assert.ok(approved.ok, approved.ok ? "" : approved.reason);
    await waitForStatus(t, prepared.change.key, "done", 120_000);
    assert.deepEqual(await onMysql(mysqlDb, "SELECT COUNT(*) AS n FROM ledger WHERE id >= 100000 AND note NOT LIKE '%(checked)'"), [{ n: 20_000 }]);
    await onMysql(mysqlDb, "DELETE FROM ledger WHERE id >= 100000");
  });

  test("MySQL: statement 260 of 300 fails: it is the one recorded as failed, 1–259 rolled back, nothing persists", async () => {
    const statements = Array.from({ length: 300 }, (_, i) => insert(i + 1));
    statements[259] = insert(12);
    const change = await submit("data", statements.join("\n"), "ledger entries with one duplicate", mysqlDb);
    const failed = await waitForStatus(t, change.key, "failed", 30_000);

    const execution = failed.executions[0]!;
    assert.equal(execution.transactional, true);
    assert.match(execution.error ?? "", /^Statement 260 \(line 260\) failed: Duplicate entry '12'/);
    assert.deepEqual(
      execution.results.map((r) => r.status),
      [...Array.from({ length: 259 }, () => "rolled_back"), "failed"],
    );
    assert.equal(failed.statements[259]!.status, "failed");
    assert.equal(Number((await onMysql<{ n: number }>(mysqlDb, "SELECT COUNT(*) AS n FROM ledger"))[0]!.n), 0, "nothing was committed");
  });

  test("PostgreSQL: statement 321 of 450 INSERTs fails: it is the one recorded as failed, 1–320 rolled back, nothing persists", async () => {
    const statements = Array.from({ length: 450 }, (_, i) => insert(i + 1));
    statements[320] = insert(7); // a duplicate key, in the second batch
    const change = await submit("data", statements.join("\n"), "ledger entries with one duplicate");
    const failed = await waitForStatus(t, change.key, "failed", 30_000);

    const execution = failed.executions[0]!;
    assert.equal(execution.transactional, true);
    assert.match(execution.error ?? "", /^Statement 321 \(line 321\) failed: .*duplicate key/);
    const byStatus = (status: string) => execution.results.filter((r) => r.status === status).length;
    assert.equal(byStatus("rolled_back"), 320);
    assert.equal(byStatus("failed"), 1);
    assert.equal(execution.results.length, 321, "statements after the failure never ran");
    assert.equal(failed.statements[320]!.status, "failed");
    assert.deepEqual(new Set(failed.statements.slice(0, 320).map((s) => s.status)), new Set(["rolled_back"]));
    assert.deepEqual(new Set(failed.statements.slice(321).map((s) => s.status)), new Set(["pending"]));
    assert.equal((await onPostgres<{ n: string }>(pgDb, "SELECT count(*) AS n FROM ledger"))[0]!.n, "0", "nothing was committed");
    const root = t.slack.channelMessages(CHANNEL).find((m) => m.ts === failed.slackTs)!;
    assert.match(root.text, /Failed at statement 321 \(line 321\)/);
  });

  test("PostgreSQL: a mixed data change in batches: each statement's rows are recorded and its rollback covers every row", async () => {
    const statements = [
      ...Array.from({ length: 250 }, (_, i) => insert(i + 1)),
      "UPDATE ledger SET note = 'corrected' WHERE id <= 10;",
      ...Array.from({ length: 20 }, (_, i) => insert(i + 1001)),
      "DELETE FROM ledger WHERE id > 1010;",
      "SELECT 1;",
    ];
    const change = await submit("data", statements.join("\n"), "ledger entries, a correction and a cleanup");
    const done = await waitForStatus(t, change.key, "done", 30_000);

    const execution = done.executions[0]!;
    assert.equal(execution.results.length, statements.length);
    const rows = execution.results.map((r) => r.rowsAffected);
    assert.deepEqual(rows.slice(0, 250), Array.from({ length: 250 }, () => 1));
    assert.equal(rows[250], 10, "the UPDATE");
    assert.equal(rows[271], 10, "the DELETE");
    assert.equal(rows[272], 0, "the SELECT");
    assert.equal(execution.rollbackRows, 250 + 10 + 20 + 10, "inserted, updated and deleted rows all have an inverse");
    assert.equal((await onPostgres<{ n: string }>(pgDb, "SELECT count(*) AS n FROM ledger"))[0]!.n, "260");
    await onPostgres(pgDb, "DELETE FROM ledger");
  });

  test("PostgreSQL: a 250-statement schema change in one transaction fails at statement 230: no table of it exists", async () => {
    const statements = Array.from({ length: 250 }, (_, i) => `CREATE TABLE batch_t${i} (id INT PRIMARY KEY);`);
    statements[229] = "CREATE TABLE batch_t3 (id INT PRIMARY KEY);";
    const change = await submit("schema", statements.join("\n"), "many tables, one twice");
    const failed = await waitForStatus(t, change.key, "failed", 30_000);

    const execution = failed.executions[0]!;
    assert.equal(execution.transactional, true);
    assert.match(execution.error ?? "", /^Statement 230 \(line 230\) failed: .*already exists/);
    assert.equal(execution.results.find((r) => r.status === "failed")?.statementId, failed.statements[229]!.id);
    const tables = await onPostgres<{ n: string }>(pgDb, "SELECT count(*) AS n FROM pg_tables WHERE tablename LIKE 'batch\\_t%'");
    assert.equal(tables[0]!.n, "0");
  });
});
