import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { advisoryLockKey, tryAdvisoryLock, withAdvisoryLock } from "../../src/store/advisory-lock.ts";
import { dropPostgresDatabase } from "../support/servers.ts";
import { freshDatabase, poolFor } from "./helpers.ts";

let url: string;

let database: string;
let replicaA: pg.Pool;
let replicaB: pg.Pool;
before(async () => {
  const db = await freshDatabase();
  database = db.name;
  url = db.url;
  replicaA = poolFor(db.url);
  replicaB = poolFor(db.url);
});
after(async () => {
  await Promise.all([replicaA.end(), replicaB.end()]);
  await dropPostgresDatabase(database);
});

const DRIFT = advisoryLockKey("sluice:drift:test");

test("while one replica runs the job, another replica and this process skip it", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const first = tryAdvisoryLock(replicaA, DRIFT, async () => {
    started();
    await held;
    return "ran";
  });
  await running;
  assert.deepEqual(await tryAdvisoryLock(replicaB, DRIFT, async () => "ran twice"), { acquired: false });
  assert.deepEqual(await tryAdvisoryLock(replicaA, DRIFT, async () => "ran twice"), { acquired: false });
  release();
  assert.deepEqual(await first, { acquired: true, value: "ran" });
  assert.deepEqual(await tryAdvisoryLock(replicaB, DRIFT, async () => "ran again"), { acquired: true, value: "ran again" });
});

test("waiting replicas take turns and never overlap", async () => {
  let inside = 0;
  let most = 0;
  const job = async () => {
    inside += 1;
    most = Math.max(most, inside);
    await new Promise((resolve) => setTimeout(resolve, 50));
    inside -= 1;
  };
  await Promise.all([replicaA, replicaB, replicaA, replicaB].map((pool) => withAdvisoryLock(pool, DRIFT, job)));
  assert.equal(most, 1);
  const locks = await replicaA.query(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
     WHERE l.locktype = 'advisory' AND d.datname = current_database()`,
  );
  assert.equal(locks.rows[0].n, 0);
});

test("a job that throws releases the lock", async () => {
  await assert.rejects(withAdvisoryLock(replicaA, DRIFT, async () => Promise.reject(new Error("boom"))), /boom/);
  assert.deepEqual(await tryAdvisoryLock(replicaB, DRIFT, async () => 1), { acquired: true, value: 1 });
});

test("a lock held by another process's session is honoured, then waited for", async () => {
  const otherReplica = new pg.Client({ connectionString: url });
  await otherReplica.connect();
  try {
    await otherReplica.query("SELECT pg_advisory_lock($1::bigint)", [DRIFT.toString()]);
    assert.deepEqual(await tryAdvisoryLock(replicaA, DRIFT, async () => "ran"), { acquired: false });
    let ran = false;
    const waiting = withAdvisoryLock(replicaA, DRIFT, async () => {
      ran = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(ran, false);
    await otherReplica.query("SELECT pg_advisory_unlock($1::bigint)", [DRIFT.toString()]);
    await waiting;
    assert.equal(ran, true);
  } finally {
    await otherReplica.end();
  }
});
