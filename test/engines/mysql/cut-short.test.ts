// Settling a statement a crash cut short, from MariaDB's binlog: on evidence only, and "cannot tell" otherwise.
// Each case runs real statements on a marked session of the tests' MariaDB, closes it as a dead runner's would be,
// then asks the engine what became of the statement the session had.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConnectionTarget, EngineSession, SessionMark } from "../../../src/engines/engine.ts";
import { mysqlEngine } from "../../../src/engines/mysql/engine.ts";
import { onMysql } from "../../support/changes.ts";
import { createMysqlDatabase, dropMysqlDatabase, ensureMariaDb, mysqlServer } from "../../support/servers.ts";

const LIMITS = { statementTimeoutMs: 10_000, lockTimeoutMs: 2_000 };

describe("settling a MySQL statement cut short by a crash", () => {
  let db: string;
  let target: ConnectionTarget;
  before(async () => {
    await ensureMariaDb();
    db = await createMysqlDatabase("cut_short");
    target = { ...mysqlServer(), database: db, connectTimeoutMs: 5_000, tls: false };
  });
  after(async () => {
    await dropMysqlDatabase(db);
  });

  /** A marked session that runs `ran` and then dies; what the engine says of `statement` with `done` before it. */
  async function settle(ran: string[], run: { done: string[]; statement: string }, tamper?: (mark: SessionMark) => SessionMark) {
    const session: EngineSession = await mysqlEngine.connect(target, LIMITS);
    const mark = await session.mark();
    assert.ok(mark, "the tests' MariaDB has its binlog on");
    try {
      for (const sql of ran) await session.execute(sql);
    } finally {
      await session.close();
    }
    return mysqlEngine.settleCutShort(target, tamper ? tamper(mark) : mark, run);
  }

  it("says a statement ran when it is the session's last entry in the binlog", async () => {
    const outcome = await settle(["CREATE TABLE r1 (id INT)", "ALTER TABLE r1 ADD COLUMN v INT"], { done: ["CREATE TABLE r1 (id INT)"], statement: "ALTER TABLE r1 ADD COLUMN v INT" });
    assert.equal(outcome.ran, true, outcome.note);
  });

  it("says a statement did not run when the one before it is the session's last entry", async () => {
    const outcome = await settle(["CREATE TABLE n1 (id INT)"], { done: ["CREATE TABLE n1 (id INT)"], statement: "ALTER TABLE n1 ADD COLUMN v INT" });
    assert.equal(outcome.ran, false, outcome.note);
  });

  it("says a first statement did not run when the session logged nothing", async () => {
    const outcome = await settle([], { done: [], statement: "CREATE TABLE n2 (id INT)" });
    assert.equal(outcome.ran, false, outcome.note);
  });

  it("cannot tell when the session's last entry is neither statement (the server rewrites DROP TABLE)", async () => {
    await onMysql(db, "CREATE TABLE d1 (id INT)");
    const outcome = await settle(["CREATE TABLE d2 (id INT)", "DROP TABLE d1"], { done: ["CREATE TABLE d2 (id INT)"], statement: "DROP TABLE d1" });
    assert.equal(outcome.ran, undefined);
    assert.match(outcome.note, /does not show whether it took effect/);
  });

  it("cannot tell when an earlier statement of the run has the same text", async () => {
    const outcome = await settle(["CREATE TABLE IF NOT EXISTS s1 (id INT)"], { done: ["CREATE TABLE IF NOT EXISTS s1 (id INT)"], statement: "CREATE TABLE IF NOT EXISTS s1 (id INT)" });
    assert.equal(outcome.ran, undefined, outcome.note);
  });

  it("cannot tell for a data statement: MariaDB logs its rows without the session", async () => {
    await onMysql(db, "CREATE TABLE rows1 (id INT)");
    const outcome = await settle(["CREATE TABLE m1 (id INT)", "INSERT INTO rows1 VALUES (1)"], { done: ["CREATE TABLE m1 (id INT)"], statement: "INSERT INTO rows1 VALUES (1)" });
    assert.equal(outcome.ran, undefined);
    assert.match(outcome.note, /only schema statements/);
  });

  it("cannot tell when the server started again since the run began (thread ids start over)", async () => {
    const outcome = await settle([], { done: [], statement: "CREATE TABLE x1 (id INT)" }, (mark) => ({ ...mark, serverStartedAt: Number(mark.serverStartedAt) - 3600 }));
    assert.equal(outcome.ran, undefined);
    assert.match(outcome.note, /restarted/);
  });

  it("ends a lost session's transaction the server still runs, so its locks are free, and says so only once", async () => {
    await onMysql(db, "CREATE TABLE locked (id INT PRIMARY KEY, v INT NOT NULL); INSERT INTO locked VALUES (1, 0)");
    const session = await mysqlEngine.connect(target, LIMITS);
    const mark = await session.mark();
    assert.ok(mark);
    await session.begin();
    const lost = session.execute("UPDATE locked SET v = v + 1 + SLEEP(30) WHERE id = 1").catch(() => "ended");
    const sleeping = `SELECT id FROM information_schema.processlist WHERE id = ${session.connectionId} AND info LIKE '%SLEEP(30)%'`;
    for (let i = 0; i < 50 && (await onMysql(db, sleeping)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await mysqlEngine.endLostSession(target, mark), { ended: true });
    assert.equal(await lost, "ended");
    // The row is free at once and unchanged: the transaction was rolled back.
    await onMysql(db, "SET SESSION innodb_lock_wait_timeout = 1; UPDATE locked SET v = v + 10 WHERE id = 1");
    assert.deepEqual(await onMysql(db, "SELECT v FROM locked"), [{ v: 10 }]);
    assert.deepEqual(await mysqlEngine.endLostSession(target, mark), { ended: false });
    await session.close();
  });

  it("stops a statement the server still runs for the lost session before it settles it", async () => {
    const session = await mysqlEngine.connect(target, LIMITS);
    const mark = await session.mark();
    assert.ok(mark);
    await session.execute("CREATE TABLE k1 (id INT)");
    // The runner dies while its statement sleeps: the statement goes on on the server.
    const cutShort = session.execute("CREATE TABLE k2 AS SELECT SLEEP(30) AS s").catch(() => "stopped");
    const sleeping = `SELECT id FROM information_schema.processlist WHERE id = ${session.connectionId} AND info LIKE '%SLEEP(30)%'`;
    for (let i = 0; i < 50 && (await onMysql(db, sleeping)).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const outcome = await mysqlEngine.settleCutShort(target, mark, { done: ["CREATE TABLE k1 (id INT)"], statement: "CREATE TABLE k2 AS SELECT SLEEP(30) AS s" });
    assert.equal(outcome.ran, false, outcome.note);
    assert.match(outcome.note, /still running it for Sluice's lost session, so Sluice stopped it/);
    assert.ok(performance.now() - started < 10_000, "it did not wait for the 30 s sleep");
    assert.equal(await cutShort, "stopped");
    assert.equal((await onMysql(db, `SHOW TABLES LIKE 'k2'`)).length, 0);
    await session.close();
  });
});
