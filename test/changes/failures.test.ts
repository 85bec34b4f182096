// Issue 3: a change that fails part-way leaves an exact account. A MySQL schema change is not transactional, so
// statement 1 stays done and a retry resumes at statement 2; a PostgreSQL data change is one transaction, so
// statement 1 is rolled back with it and nothing persists. "Mark as done" closes a failed change.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { APPROVER, baselineLiveSchema, CHANNEL, clickOnChange, DEVELOPER, ephemeralTo, onMysql, onPostgres, submitChangeThroughModal, waitForPosted, waitForStatus, startWithTestDatabases, type SluiceWithDatabases } from "../support/changes.ts";
import { eventually, type TestSluice } from "../support/sluice.ts";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";

describe("a change that fails on its second statement", () => {
  let t: TestSluice;
  let mysqlDb: string;
  let pgDb: string;
  let world: SluiceWithDatabases;
  before(async () => {
    world = await startWithTestDatabases("sluice_fail");
    ({ t, mysqlDb, pgDb } = world);
  });
  after(() => world.stop());

  test("MySQL schema change: statement 1 stays done, statement 2 has the error; a retry after the fix does not re-run statement 1", async () => {
    await onMysql(mysqlDb, "CREATE TABLE orders (id INT PRIMARY KEY)");
    await baselineLiveSchema(t, mysqlDb);
    const sql = "CREATE TABLE audit_a (id INT PRIMARY KEY);\nALTER TABLE orders ADD UNIQUE INDEX uk_orders_code (code);";
    // Statement 2 fails: orders has no column `code` yet.
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: mysqlDb, type: "schema", sql, description: "audit table and a unique code" });
    const failed = await waitForPosted(t, change.key, "failed");
    assert.deepEqual(
      failed.statements.map((s) => s.status),
      ["done", "failed"],
    );
    const first = failed.executions[0]!;
    assert.equal(first.transactional, false, "DDL on MySQL commits by itself");
    assert.equal(first.status, "failed");
    assert.deepEqual(
      first.results.map((r) => r.status),
      ["done", "failed"],
    );
    assert.match(first.results[1]!.error ?? "", /code/);
    assert.match(first.error ?? "", /Statement 2 \(line 2\) failed/);
    const root = t.slack.channelMessages(CHANNEL).find((m) => m.ts === failed.slackTs)!;
    assert.match(root.text, /Failed at statement 2 \(line 2\); 1\/2 done/);
    assert.match(JSON.stringify(root.blocks), new RegExp(CHANGE_ACTIONS.retry.replace(".", "\\.")));
    assert.equal((await onMysql(mysqlDb, "SHOW TABLES LIKE 'audit_a'")).length, 1, "statement 1's table exists");

    // The cause is fixed by hand; the retry runs statement 2 only (re-running CREATE TABLE audit_a would fail).
    await onMysql(mysqlDb, "ALTER TABLE orders ADD COLUMN code INT NULL");
    // A fix by hand is drift; where the gate blocks (the default), an approver makes it the baseline before the retry.
    await baselineLiveSchema(t, mysqlDb);
    await clickOnChange(t, APPROVER, failed, CHANGE_ACTIONS.retry);
    const done = await waitForStatus(t, change.key, "done");
    assert.equal(done.executions.length, 2);
    const retry = done.executions[1]!;
    assert.equal(retry.status, "done");
    assert.deepEqual(
      retry.results.map((r) => r.statementId),
      [done.statements[1]!.id],
      "the retry ran statement 2 only",
    );
    assert.deepEqual(
      done.statements.map((s) => s.status),
      ["done", "done"],
    );
    const indexes = await onMysql<{ Key_name: string }>(mysqlDb, "SHOW INDEX FROM orders WHERE Key_name = 'uk_orders_code'");
    assert.equal(indexes.length, 1);
    assert.ok(
      done.approvals.some((a) => a.userId === APPROVER.id && /retry/.test(a.reason)),
      "the retry is recorded as a decision",
    );
  });

  test("PostgreSQL data change: statement 1 is rolled back with statement 2, nothing persists; Mark as done closes it", async () => {
    await onPostgres(pgDb, "CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT NOT NULL)");
    const sql = "INSERT INTO accounts (id, owner) VALUES (1, 'Adela');\nINSERT INTO accounts (id, owner) VALUES (1, 'Bruno');";
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: pgDb, type: "data", sql, description: "two accounts, one key" });
    const failed = await waitForPosted(t, change.key, "failed");
    const execution = failed.executions[0]!;
    assert.equal(execution.transactional, true);
    assert.deepEqual(
      execution.results.map((r) => r.status),
      ["rolled_back", "failed"],
    );
    assert.match(execution.results[1]!.error ?? "", /duplicate key/);
    assert.deepEqual(
      failed.statements.map((s) => s.status),
      ["rolled_back", "failed"],
    );
    assert.deepEqual(await onPostgres(pgDb, "SELECT * FROM accounts"), [], "nothing persisted");

    await clickOnChange(t, DEVELOPER, failed, CHANGE_ACTIONS.markDone);
    await eventually(() => ephemeralTo(t, DEVELOPER.id).find((text) => /Only approvers of Test/.test(text)));
    assert.equal((await t.sluice.services.changes.get(change.id)).status, "failed", "a non-approver cannot close it");

    await clickOnChange(t, APPROVER, failed, CHANGE_ACTIONS.markDone);
    const closed = await waitForStatus(t, change.key, "done");
    assert.equal(closed.executions.length, 1, "marking as done runs nothing");
    assert.equal(closed.approvals.at(-1)!.decision, "mark_done");
    await eventually(() => /Marked as done by <@UAPPROVER>/.test(t.slack.channelMessages(CHANNEL).find((m) => m.ts === closed.slackTs)!.text));
    assert.deepEqual(await onPostgres(pgDb, "SELECT * FROM accounts"), []);
  });

  test("a one-statement change that fails names no statement number or line: there is only the one", async () => {
    await onMysql(mysqlDb, "CREATE TABLE IF NOT EXISTS single (id INT PRIMARY KEY)");
    await baselineLiveSchema(t, mysqlDb);
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: mysqlDb, type: "schema", sql: "ALTER TABLE single ADD UNIQUE INDEX uk_single_code (code);", description: "one statement" });
    const failed = await waitForPosted(t, change.key, "failed");
    assert.match(failed.executions[0]!.error ?? "", /^The statement failed: /);
    const root = t.slack.channelMessages(CHANNEL).find((m) => m.ts === failed.slackTs)!;
    assert.match(root.text, /Failed; 0\/1 done/);
    assert.doesNotMatch(root.text, /line 1/);
  });
});
