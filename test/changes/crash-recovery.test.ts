// Issue 3: Sluice is killed (kill -9) while a change runs. When it starts again the change is interrupted:
// completed statements stay done, nothing runs again by itself, and the statement that was running is settled from
// the database: MariaDB was still running it for the dead runner's session, so Sluice stops it, and the binlog shows
// it did not take effect; Retry then runs it and only it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { accountOf, APPROVER, CHANNEL, changeFormValues, DEVELOPER, onMysql, onPostgres, workflowYaml, type ChangeAccount } from "../support/changes.ts";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import mysql from "mysql2/promise";
import pg from "pg";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../support/servers.ts";
import { eventually, storeUrl } from "../support/sluice.ts";
import { LocalSlack } from "../../src/sandbox/local-slack.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { ChangeRepository } from "../../src/store/changes.ts";
import { createLogger } from "../../src/logger.ts";
import { migrationsDir } from "../../src/sluice.ts";
import { startSluiceProcess, type SluiceProcess } from "./support/sluice-process.ts";

/**
 * One describe's world: a target database (MariaDB or PostgreSQL), a history store and a local Slack, made before its
 * test and dropped after it, and the Sluice process the test starts, kills and starts again on them.
 */
class CrashWorld {
  slack!: LocalSlack;
  storeDatabase!: string;
  db!: string;
  sluice?: SluiceProcess;
  /** The history store as the test reads it, beside Sluice's process (opened by the first start()). */
  private history?: { store: Store; changes: ChangeRepository };

  constructor(readonly engine: "mysql" | "postgres") {
    before(async () => {
      this.db = engine === "mysql" ? await createMysqlDatabase("sluice_crash") : await createPostgresDatabase("sluice_crash_target");
      this.storeDatabase = await createPostgresDatabase("sluice_store");
      this.slack = new LocalSlack();
      await this.slack.listen();
    });
    after(async () => {
      await this.sluice?.kill9();
      await this.history?.store.close();
      await this.slack.close();
      // A killed runner's statement may still be running (or waiting) on the target; end it before dropping its database.
      if (engine === "mysql") {
        const sessions = await onMysql<{ id: number }>(this.db, `SELECT id FROM information_schema.processlist WHERE db = '${this.db}' AND id <> CONNECTION_ID()`);
        for (const { id } of sessions) await onMysql(this.db, `KILL ${id}`).catch(() => {});
        await dropMysqlDatabase(this.db);
      } else {
        await onPostgres(this.db, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
        await dropPostgresDatabase(this.db);
      }
      await dropPostgresDatabase(this.storeDatabase);
    });
  }

  /**
   * The drills keep a statement waiting for a row lock the test holds, across a kill and a restart; a restart on a loaded
   * machine has taken over 20 s, so the runner's lock waits are allowed 120 s. (A wait in SLEEP() would not do:
   * MariaDB ends a SLEEP within about 5 s once its client is gone, before Sluice's recovery can find it.)
   */
  get yaml(): string {
    return workflowYaml([{ name: this.db, engine: this.engine, environment: "Test" }], "execution:\n  lockTimeoutSeconds: 120\n");
  }

  /** Starts Sluice's process (again, after a kill) on the same store and Slack; the test reads the store beside it. */
  async start(): Promise<SluiceProcess> {
    this.sluice = await startSluiceProcess({ yaml: this.yaml, storeDatabase: this.storeDatabase, slack: this.slack });
    if (!this.history) {
      const store = await openStore({ databaseUrl: storeUrl(this.storeDatabase), dataDir: "/nonexistent", migrationsDir, logger: createLogger("silent") });
      this.history = { store, changes: new ChangeRepository(store.prisma, store.pool) };
    }
    return this.sluice;
  }

  get changes(): ChangeRepository {
    assert.ok(this.history, "start() opens the store");
    return this.history.changes;
  }

  account(key: string): Promise<ChangeAccount> {
    assert.ok(this.history, "start() opens the store");
    return accountOf({ changes: this.history.changes, prisma: this.history.store.prisma }, key);
  }

  /** Opens the change modal and submits it, as a developer does; the new change's key, with Slack's answers. */
  async submit(type: "schema" | "data", sql: string) {
    const sluice = this.sluice!;
    const opened = await sluice.send.command("change", DEVELOPER, CHANNEL);
    const view = await eventually(() => this.slack.views.find((v) => v.view.callback_id === "change.submit"), 10_000, "the change modal");
    const submitted = await sluice.send.submitView({ user: DEVELOPER, view: { ...view.view, id: view.id }, values: changeFormValues({ database: this.db, type, sql }) });
    const { prisma } = this.history!.store;
    const key = await eventually(async () => (await prisma.change.findUnique({ where: { requestKey: `view:${view.id}` } }))?.key, 15_000, "the change");
    return { key, opened, submitted };
  }

  /** The change once recovery in a restarted process has declared it interrupted. */
  interrupted(key: string, timeoutMs: number): Promise<ChangeAccount> {
    return eventually(async () => {
      const change = await this.account(key);
      return change.status === "interrupted" ? change : undefined;
    }, timeoutMs, `${key} to be interrupted`);
  }

  /** An approver's Retry, and the change once that run has ended. */
  async retried(change: { id: number; key: string; slackTs: string | null }): Promise<ChangeAccount> {
    await this.sluice!.send.click({ user: APPROVER, channel: CHANNEL, messageTs: change.slackTs!, actionId: CHANGE_ACTIONS.retry, value: String(change.id) });
    return eventually(async () => {
      const account = await this.account(change.key);
      return account.status === "done" || account.status === "failed" ? account : undefined;
    }, 15_000, `${change.key} to run again`);
  }
}


describe("a Sluice process killed during a long change", () => {
  let gate: mysql.Connection | undefined;
  // Registered before the world's, so it runs first: the test's own connection closes before its database goes.
  after(async () => {
    await gate?.end().catch(() => {});
  });
  const world = new CrashWorld("mysql");

  test("after a restart the change is interrupted with exact progress, nothing re-runs, and Retry runs only what did not take effect", async () => {
    const { db, slack } = world;
    // Statement 3 waits for a row of the test's own table, which the test holds locked until the retry. The table is
    // there before Sluice starts, so it is in the first baseline (made later, it would be drift).
    await onMysql(db, "CREATE TABLE gate (id INT PRIMARY KEY)");
    await onMysql(db, "INSERT INTO gate VALUES (1)");
    gate = await mysql.createConnection({ ...mysqlServer(), database: db });
    await gate.query("START TRANSACTION");
    await gate.query("SELECT id FROM gate FOR UPDATE");
    let sluice = await world.start();
    const sql = "CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE b (id INT PRIMARY KEY);\nCREATE TABLE c AS SELECT id FROM gate FOR UPDATE;";
    const { key, opened, submitted } = await world.submit("schema", sql);
    assert.equal(opened.status, 200);
    assert.equal(submitted.body, "");

    await eventually(async () => (await world.account(key)).statements[2]?.status === "running", 20_000, "statement 3 to run");
    const waiting = `SELECT id FROM information_schema.processlist WHERE info LIKE 'CREATE TABLE c%' AND db = '${db}' AND id <> CONNECTION_ID()`;
    await eventually(async () => (await onMysql(db, waiting)).length === 1, 5000, "statement 3 to wait for the gate on MariaDB");
    await sluice.kill9();
    assert.equal(sluice.child.signalCode, "SIGKILL");
    assert.equal((await world.changes.findByKey(key))!.status, "running", "nobody has noticed yet");

    sluice = await world.start();
    const interrupted = await world.interrupted(key, 10_000);
    assert.deepEqual(
      interrupted.statements.map((s) => s.status),
      ["done", "done", "failed"],
    );
    assert.equal(interrupted.executions.length, 1);
    const execution = interrupted.executions[0]!;
    assert.equal(execution.status, "interrupted");
    assert.match(execution.error ?? "", /Sluice stopped during the run/);
    assert.deepEqual(
      execution.results.map((r) => r.status),
      ["done", "done", "failed"],
    );
    assert.match(execution.results[2]!.error ?? "", /Sluice stopped while this statement was running\. The database server was still running it for Sluice's lost session, so Sluice stopped it\. The database's binlog shows this statement did not take effect, so Retry runs it again\./);
    assert.equal((await onMysql(db, waiting)).length, 0, "the dead runner's statement was stopped on the server");

    const root = await eventually(() => {
      const message = slack.channelMessages(CHANNEL).find((m) => m.ts === interrupted.slackTs && /Interrupted/.test(m.text));
      return message;
    }, 5000, "the root message to say interrupted");
    const blocks = JSON.stringify(root.blocks);
    assert.match(blocks, /"action_id":"change\.retry"/);
    assert.match(blocks, /"action_id":"change\.mark_done"/);
    assert.ok(
      slack.thread(CHANNEL, interrupted.slackTs!).some((m) => /was interrupted: Sluice stopped during the run \(runner [^)]+\)\. Statement 3: The database server was still running it for Sluice's lost session, so Sluice stopped it\. The database's binlog shows this statement did not take effect, so Retry runs it again\./.test(m.text)),
      "the thread says what became of statement 3",
    );

    // Nothing runs again by itself: no new execution, and a and b were created once (a re-run would have failed on them).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const later = (await world.changes.findByKey(key))!;
    assert.equal(later.status, "interrupted");
    assert.equal(later.executions.length, 1);
    const tables = await onMysql<{ name: string }>(db, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${db}' AND table_name IN ('a', 'b', 'c') ORDER BY 1`);
    assert.deepEqual(
      tables.map((r) => r.name),
      ["a", "b"],
    );
    assert.doesNotMatch(sluice.output(), /xoxb-process-test/, "the bot token never appears in the log");

    // The restarted process answers the buttons it offered: Retry runs statement 3 alone (a re-run of 1 or 2 would
    // fail, as their tables exist), and the change is done.
    await gate!.query("COMMIT");
    const closed = await world.retried(later);
    assert.equal(closed.status, "done", closed.executions.at(-1)?.error ?? "");
    assert.equal(closed.executions.length, 2);
    assert.deepEqual(
      closed.executions[1]!.results.map((r) => r.status),
      ["done"],
      "the retry ran statement 3 only",
    );
    const created = await onMysql<{ name: string }>(db, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${db}' AND table_name = 'c'`);
    assert.equal(created.length, 1);
  });
});

describe("a Sluice process killed after a statement took effect but before it could record so", () => {
  let holder: mysql.Connection | undefined;
  let storeLock: pg.Client | undefined;
  // Registered before the world's, so it runs first: the test's own connections close before their databases go.
  after(async () => {
    await holder?.end().catch(() => {});
    await storeLock?.end().catch(() => {});
  });
  const world = new CrashWorld("mysql");

  test("after a restart the statement is done, as the binlog shows, and Retry runs only the rest", async () => {
    const { db, slack } = world;
    // The window between a statement's end on the database and its record in the store is made wide on purpose:
    // the ALTER waits for a metadata lock the test holds, and the store's results table is locked before the test
    // lets the ALTER go, so the runner cannot record its end. Then Sluice is killed.
    await onMysql(db, "CREATE TABLE t (id INT PRIMARY KEY)");
    holder = await mysql.createConnection({ ...mysqlServer(), database: db });
    await holder.query("START TRANSACTION");
    await holder.query("SELECT * FROM t");

    const sluice = await world.start();
    const sql = "CREATE TABLE a (id INT PRIMARY KEY);\nALTER TABLE t ADD COLUMN x INT;\nCREATE TABLE z (id INT PRIMARY KEY);";
    const { key } = await world.submit("schema", sql);
    await eventually(async () => (await world.account(key)).statements[1]?.status === "running", 20_000, "statement 2 to run");
    const waiting = `SELECT id FROM information_schema.processlist WHERE db = '${db}' AND info LIKE 'ALTER TABLE t%' AND id <> CONNECTION_ID()`;
    await eventually(async () => (await onMysql(db, waiting)).length === 1, 5000, "the ALTER to wait for its lock");

    storeLock = new pg.Client({ ...postgresServer(), database: world.storeDatabase });
    await storeLock.connect();
    await storeLock.query('BEGIN; LOCK TABLE "StatementResult" IN EXCLUSIVE MODE');
    await holder.query("COMMIT");
    await eventually(async () => (await onMysql(db, waiting)).length === 0, 5000, "the ALTER to end");
    assert.equal((await onMysql(db, "SHOW COLUMNS FROM t LIKE 'x'")).length, 1, "the ALTER took effect");
    const blocked = `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`;
    await eventually(async () => (await storeLock!.query(blocked)).rowCount! > 0, 5000, "the runner to wait for the store");
    await sluice.kill9();
    // The killed runner's write would still go through once the lock is gone: end it, as a crash would have.
    await storeLock.query(`SELECT pg_terminate_backend(pid) FROM (${blocked}) AS b`);
    await storeLock.query("ROLLBACK");
    assert.equal((await world.account(key)).statements[1]!.status, "running", "the store never heard that statement 2 ended");

    await world.start();
    const interrupted = await world.interrupted(key, 15_000);
    assert.deepEqual(
      interrupted.statements.map((s) => s.status),
      ["done", "done", "pending"],
    );
    assert.deepEqual(
      interrupted.executions[0]!.results.map((r) => r.status),
      ["done", "done"],
    );
    assert.match(interrupted.executions[0]!.error ?? "", /Statement 2 is recorded as done: The database's binlog shows this statement took effect\./);
    assert.ok(slack.thread(CHANNEL, interrupted.slackTs!).some((m) => /was interrupted: .*Statement 2 is recorded as done/.test(m.text)), "the thread says statement 2 took effect");

    // Retry runs statement 3 alone: a re-run of the ALTER would fail on its duplicate column.
    const closed = await world.retried(interrupted);
    assert.equal(closed.status, "done", closed.executions.at(-1)?.error ?? "");
    assert.equal(closed.executions[1]!.results.length, 1, "the retry ran statement 3 only");
  });
});

/** A data change's long UPDATE goes on after its runner is killed, holding its row lock: the same drill on each engine. */
const LOST_TRANSACTION_DRILLS: Array<{
  engine: "mysql" | "postgres";
  title: string;
  name: string;
  query: (db: string, sql: string) => Promise<unknown[]>;
  table: string;
  update: string;
  sleeping: (db: string) => string;
  /** A row the test holds locked (on its own connection) while the change waits for it, when the change waits that way. */
  gate?: { table: string; hold: string };
  goesOn: string;
  /** How long after the kill the server is looked at. */
  afterKillMs: number;
  updateWithinASecond: string;
}> = [
  {
    engine: "mysql",
    title: "a Sluice process killed while a data change's transaction runs",
    name: "after a restart the transaction the server still ran is ended, its row locks are free, and nothing was changed",
    query: (db, sql) => onMysql(db, sql),
    table: "CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL); INSERT INTO t VALUES (1, 0)",
    // The first UPDATE takes t's row; the second waits for a row the test holds. (Not SLEEP(): MariaDB ends a SLEEP
    // within about 5 s once its client is gone, before a restarted Sluice can find it on a loaded machine.)
    update: "UPDATE t SET v = v + 1 WHERE id = 1;\nUPDATE gate SET n = n + 1 WHERE id = 1;",
    sleeping: (db: string) => `SELECT id FROM information_schema.processlist WHERE db = '${db}' AND info LIKE 'UPDATE gate SET n%' AND id <> CONNECTION_ID()`,
    gate: { table: "CREATE TABLE gate (id INT PRIMARY KEY, n INT NOT NULL); INSERT INTO gate VALUES (1, 0)", hold: "SELECT id FROM gate FOR UPDATE" },
    goesOn: "the server goes on with the dead runner's transaction, holding t's row lock",
    afterKillMs: 0,
    updateWithinASecond: "SET SESSION innodb_lock_wait_timeout = 1; UPDATE t SET v = v + 10 WHERE id = 1",
  },
  {
    engine: "postgres",
    title: "a Sluice process killed while a PostgreSQL data change's transaction runs",
    name: "after a restart the backend still running it is ended, its row locks are free, and nothing was changed",
    query: (db, sql) => onPostgres(db, sql),
    table: "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL); INSERT INTO t VALUES (1, 0)",
    update: "UPDATE t SET v = v + (SELECT 1 FROM pg_sleep(90)) WHERE id = 1;",
    sleeping: () => `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'UPDATE t SET v%'`,
    goesOn: "PostgreSQL goes on with the dead runner's UPDATE, holding its row lock",
    afterKillMs: 200,
    updateWithinASecond: "SET lock_timeout = '1s'; UPDATE t SET v = v + 10 WHERE id = 1",
  },
];

for (const drill of LOST_TRANSACTION_DRILLS) {
  describe(drill.title, () => {
    let gate: mysql.Connection | undefined;
    // Registered before the world's, so it runs first: the test's own connection closes before its database goes.
    after(async () => {
      await gate?.end().catch(() => {});
    });
    const world = new CrashWorld(drill.engine);

    test(drill.name, async () => {
      const { db } = world;
      const query = (sql: string) => drill.query(db, sql);
      await query(drill.table);
      if (drill.gate) {
        await query(drill.gate.table);
        gate = await mysql.createConnection({ ...mysqlServer(), database: db });
        await gate.query("START TRANSACTION");
        await gate.query(drill.gate.hold);
      }
      const sluice = await world.start();
      const { key } = await world.submit("data", drill.update);
      const sleeping = drill.sleeping(db);
      await eventually(async () => (await query(sleeping)).length === 1, 20_000, "the UPDATE to run");
      await sluice.kill9();
      if (drill.afterKillMs > 0) await new Promise((resolve) => setTimeout(resolve, drill.afterKillMs));
      assert.equal((await query(sleeping)).length, 1, drill.goesOn);

      await world.start();
      const interrupted = await world.interrupted(key, 15_000);
      assert.match(
        interrupted.executions[0]!.error ?? "",
        /its transaction was not committed, so nothing was changed\. The database was still running it for Sluice's lost session: Sluice ended that session, which rolled it back\./,
      );
      assert.equal((await query(sleeping)).length, 0);
      // The row is free at once (a retry would not wait on the lost transaction's lock) and holds what it held before.
      await query(drill.updateWithinASecond);
      assert.deepEqual(await query("SELECT v FROM t"), [{ v: 10 }]);
    });
  });
}
