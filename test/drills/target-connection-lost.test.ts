// Fault drill (issue 10): the target database drops the change's connection while a statement runs (what a
// restart or failover does to it). The change fails cleanly with the error, and a retry succeeds.
// The shared private mariadbd is not restarted (other test files use it): the change's connection is killed
// from another session instead (`KILL` on MariaDB, `pg_terminate_backend` on PostgreSQL).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { APPROVER, CHANNEL, clickOnChange, DEVELOPER, onMysql, onPostgres, submitChangeThroughModal, waitForPosted, waitForStatus, startWithTestDatabases, type SluiceWithDatabases } from "../support/changes.ts";
import { eventually, type TestSluice } from "../support/sluice.ts";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";

describe("drill: the target database drops the change's connection mid-statement", () => {
  let t: TestSluice;
  let mysqlDb: string;
  let pgDb: string;
  let world: SluiceWithDatabases;
  before(async () => {
    world = await startWithTestDatabases("sluice_drill_target");
    ({ t, mysqlDb, pgDb } = world);
  });
  after(() => world.stop());

  test("MariaDB: KILL of the change's connection fails the statement with the error; a retry runs it again and succeeds", async () => {
    const sql = "CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE slow AS SELECT SLEEP(3) AS s;";
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: mysqlDb, type: "schema", sql });
    const killed = await eventually(
      async () => (await onMysql<{ id: number }>(mysqlDb, `SELECT id FROM information_schema.processlist WHERE db = '${mysqlDb}' AND info LIKE '%SLEEP(3)%' AND id <> CONNECTION_ID()`))[0]?.id,
      10_000,
      "statement 2 to run on MariaDB",
    );
    await onMysql(mysqlDb, `KILL ${killed}`);
    const failed = await waitForPosted(t, change.key, "failed");
    assert.deepEqual(
      failed.statements.map((s) => s.status),
      ["done", "failed"],
    );
    const execution = failed.executions[0]!;
    assert.equal(execution.status, "failed");
    assert.ok(execution.finishedAt);
    assert.match(execution.results[1]!.error ?? "", /connection|closed|lost|interrupted|killed/i);
    assert.match(t.slack.channelMessages(CHANNEL).find((m) => m.ts === failed.slackTs)!.text, /Failed at statement 2/);

    await clickOnChange(t, APPROVER, failed, CHANGE_ACTIONS.retry);
    const done = await waitForStatus(t, change.key, "done", 20_000);
    assert.equal(done.executions.length, 2);
    assert.deepEqual(
      done.executions[1]!.results.map((r) => r.statementId),
      [done.statements[1]!.id],
    );
    assert.equal((await onMysql(mysqlDb, "SELECT s FROM slow")).length, 1);
  });

  test("PostgreSQL: pg_terminate_backend during a data change rolls the transaction back; a retry applies it", async () => {
    await onPostgres(pgDb, "CREATE TABLE counters (id INT PRIMARY KEY, v INT NOT NULL); INSERT INTO counters VALUES (1, 0), (2, 0)");
    const sql = "UPDATE counters SET v = v + 1 WHERE id = 1;\nUPDATE counters SET v = v + 10 WHERE id = 2 AND (SELECT 1 FROM pg_sleep(3)) = 1;";
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: pgDb, type: "data", sql });
    const pid = await eventually(
      async () =>
        (await onPostgres<{ pid: number }>(pgDb, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()`))[0]?.pid,
      10_000,
      "statement 2 to run on PostgreSQL",
    );
    await onPostgres(pgDb, `SELECT pg_terminate_backend(${pid})`);
    const failed = await waitForPosted(t, change.key, "failed");
    assert.deepEqual(
      failed.statements.map((s) => s.status),
      ["rolled_back", "failed"],
    );
    assert.match(failed.executions[0]!.results[1]!.error ?? "", /terminat|connection/i);
    assert.deepEqual(await onPostgres(pgDb, "SELECT id, v FROM counters ORDER BY id"), [
      { id: 1, v: 0 },
      { id: 2, v: 0 },
    ]);

    await clickOnChange(t, APPROVER, failed, CHANGE_ACTIONS.retry);
    const done = await waitForStatus(t, change.key, "done", 20_000);
    assert.equal(done.executions.length, 2);
    assert.deepEqual(await onPostgres(pgDb, "SELECT id, v FROM counters ORDER BY id"), [
      { id: 1, v: 1 },
      { id: 2, v: 10 },
    ]);
  });
});
