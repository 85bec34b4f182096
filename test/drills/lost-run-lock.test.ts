// Fault drill (issue 10): the history store drops the connection that holds a running change's run lock (a store
// failover, a DBA ending sessions). Recovery then rightly declares the change interrupted — and the runner that
// is still alive must not start another statement, or a retry could run next to it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { accountOf, DEVELOPER, onMysql, slackDirectory, submitChangeThroughModal, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase, postgresServer } from "../support/servers.ts";
import { startSluiceProcess } from "../changes/support/sluice-process.ts";

describe("drill: the store drops a running change's lock connection", () => {
  let t: TestSluice;
  let db: string;
  let yaml: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_drill_lock");
    yaml = workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]);
    t = await startTestSluice({ yaml, slack: slackDirectory });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  test("the change is interrupted and its runner starts no further statement", async () => {
    const sql = "CREATE TABLE first_step AS SELECT SLEEP(10) AS s;\nCREATE TABLE second_step (id INT PRIMARY KEY);";
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "schema", sql });
    await eventually(async () => (await accountOf(t, change.key)).statements[0]!.status === "running", 10_000, "statement 1 to run");

    const admin = new pg.Client({ ...postgresServer(), database: "postgres" });
    await admin.connect();
    try {
      const ended = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_advisory_lock(%' AND pid <> pg_backend_pid()",
        [t.storeDatabase],
      );
      assert.equal(ended.rowCount, 1, "the run lock's connection was found and ended");
    } finally {
      await admin.end();
    }
    // A second replica (its own process: the lock bookkeeping is per process) starts on the same store; its
    // start-up recovery finds the change running with nobody holding its lock.
    const replica = await startSluiceProcess({ yaml, storeDatabase: t.storeDatabase, slack: t.slack });
    try {
      await eventually(async () => (await t.sluice.services.changes.get(change.id)).status === "interrupted", 10_000, "the replica to declare it interrupted");
    } finally {
      await replica.stop();
    }
    await t.sluice.services.workflow.idle();

    const after = await accountOf(t, change.key);
    assert.equal(after.status, "interrupted");
    assert.equal(after.executions.length, 1);
    assert.equal(after.executions[0]!.status, "interrupted");
    assert.equal(after.statements[1]!.status, "pending", "statement 2 never started");
    const tables = await onMysql<{ name: string }>(db, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${db}' AND table_name = 'second_step'`);
    assert.deepEqual(tables, [], "statement 2 did not run on the target");
  });
});
