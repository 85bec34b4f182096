// Issue 10, fault drill: Sluice dies after it started a transactional run's COMMIT and before it heard back. On
// PostgreSQL, recovery asks the server what became of the transaction (by the id recorded before the COMMIT) and
// settles the change: done when it committed, interrupted with nothing changed when it did not. Without the id (or
// on MySQL) it still says the change may or may not be applied.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { accountOf, CHANNEL, DEVELOPER, onPostgres, oneStatementDataChange, startWithTestDatabases, type SluiceWithDatabases } from "../support/changes.ts";
import { eventually, type TestSluice } from "../support/sluice.ts";
import { postgresServer } from "../support/servers.ts";
import { SlackChangeNotifier } from "../../src/slack/change-notifier.ts";

describe("a run cut short during its COMMIT", () => {
  let t: TestSluice;
  let pgDb: string;
  let world: SluiceWithDatabases;
  before(async () => {
    world = await startWithTestDatabases("sluice_commit");
    ({ t, pgDb } = world);
    await onPostgres(pgDb, "CREATE TABLE ledger (id INT PRIMARY KEY)");
  });
  after(() => world.stop());

  /** A transaction on the target that ends as `end` says, and its id, as the runner would have recorded it. */
  async function transactionOnTarget(id: number, end: "COMMIT" | "ROLLBACK"): Promise<string> {
    const client = new pg.Client({ ...postgresServer(), database: pgDb });
    await client.connect();
    try {
      await client.query("BEGIN");
      await client.query("INSERT INTO ledger (id) VALUES ($1)", [id]);
      const { rows } = await client.query<{ id: string }>("SELECT txid_current()::text AS id");
      await client.query(end);
      return rows[0]!.id;
    } finally {
      await client.end();
    }
  }

  /** A change left `running` by a runner that died after writing its results for the COMMIT. */
  async function changeCutShortInCommit(id: number, commitTxid: string | null) {
    const { changes, registry } = t.sluice.services;
    const database = registry.find(pgDb);
    const sql = `INSERT INTO ledger (id) VALUES (${id})`;
    const { change } = await changes.create(
      oneStatementDataChange(database, sql, "cut short in its COMMIT"),
      "running",
    );
    const { prisma } = t.sluice.store;
    const statement = await prisma.statement.findFirstOrThrow({ where: { changeId: change.id } });
    const execution = await prisma.execution.create({
      data: { changeId: change.id, attempt: 1, runnerId: "gone", transactional: true, committingAt: new Date(), commitTxid },
    });
    await prisma.statementResult.create({ data: { executionId: execution.id, statementId: statement.id, status: "done", rowsAffected: 1, durationMs: 1, finishedAt: new Date() } });
    await prisma.statement.update({ where: { id: statement.id }, data: { status: "done" } });
    // Posted as any change is, so that what recovery announces has a message to update and a thread to write in.
    await new SlackChangeNotifier(t.sluice.services.slack, changes, t.sluice.services.logger).notify(change, { kind: "submitted" });
    return change;
  }

  test("committed on PostgreSQL: the change is done, its results stand, and the thread says so", async () => {
    const change = await changeCutShortInCommit(1, await transactionOnTarget(1, "COMMIT"));
    assert.equal(await t.sluice.services.workflow.runner.recoverInterrupted(), 1);
    const done = await accountOf(t, change.key);
    assert.equal(done.status, "done");
    assert.equal(done.executions[0]!.status, "done");
    assert.match(done.executions[0]!.rollbackNote ?? "", /the database confirms the transaction committed/);
    assert.deepEqual(done.statements.map((s) => s.status), ["done"]);
    assert.deepEqual(done.executions[0]!.results.map((r) => r.status), ["done"]);
    const posted = await t.sluice.services.changes.get(change.id);
    await eventually(() => t.slack.thread(CHANNEL, posted.slackTs!).find((m) => m.text.includes(`${change.key} is done`)), 5000, "the done note in the thread");
  });

  test("aborted on PostgreSQL: interrupted, nothing changed, the results undone", async () => {
    const change = await changeCutShortInCommit(2, await transactionOnTarget(2, "ROLLBACK"));
    assert.equal(await t.sluice.services.workflow.runner.recoverInterrupted(), 1);
    const interrupted = await accountOf(t, change.key);
    assert.equal(interrupted.status, "interrupted");
    assert.match(interrupted.executions[0]!.error ?? "", /the database confirms the transaction did not commit, so nothing was changed/);
    assert.deepEqual(interrupted.statements.map((s) => s.status), ["rolled_back"]);
    assert.deepEqual(interrupted.executions[0]!.results.map((r) => r.status), ["rolled_back"]);
  });

  test("no transaction id (as on MySQL): interrupted, and it may or may not be applied", async () => {
    const change = await changeCutShortInCommit(3, null);
    assert.equal(await t.sluice.services.workflow.runner.recoverInterrupted(), 1);
    const interrupted = await accountOf(t, change.key);
    assert.equal(interrupted.status, "interrupted");
    assert.match(interrupted.executions[0]!.error ?? "", /may or may not be applied/);
  });

  test("a real run records the transaction id it commits", async () => {
    const { change } = await t.sluice.services.workflow.submit({ database: pgDb, type: "data", sql: "INSERT INTO ledger (id) VALUES (4)", description: "one row", requesterId: DEVELOPER.id });
    const done = await eventually(async () => {
      const account = await accountOf(t, change.key);
      return account.status === "done" ? account : undefined;
    }, 15_000, "the change to run");
    const txid = done.executions[0]!.commitTxid;
    assert.match(txid ?? "", /^\d+$/);
    const [row] = await onPostgres<{ status: string }>(pgDb, `SELECT txid_status(${txid}) AS status`);
    assert.equal(row!.status, "committed");
  });
});
