// Cluster-wide mutual exclusion for jobs such as drift detection: one replica at a time, through a Postgres
// session-level advisory lock held by a connection of its own.
import { createHash } from "node:crypto";
import pg from "pg";

export type AdvisoryLockKey = bigint | number;

export type LockedJob<T> = (signal: AbortSignal) => Promise<T>;

export type TryLockResult<T> = { acquired: true; value: T } | { acquired: false };

/** A stable 64-bit key for a job name, e.g. advisoryLockKey("sluice:drift"). */
export function advisoryLockKey(name: string): bigint {
  return createHash("sha256").update(name).digest().readBigInt64BE(0);
}

/**
 * Runs `job` while holding the lock, waiting for it if another process (or this one) holds it. `signal` aborts
 * if the lock's connection is lost mid-job, since from then on another replica may take the lock.
 */
export async function withAdvisoryLock<T>(pool: pg.Pool, key: AdvisoryLockKey, job: LockedJob<T>): Promise<T> {
  const result = await lockAndRun(pool, key, job, true);
  if (!result.acquired) throw new Error("unreachable: a blocking lock is always acquired");
  return result.value;
}

/** Runs `job` only if the lock is free right now; otherwise returns `{ acquired: false }` at once. */
export function tryAdvisoryLock<T>(pool: pg.Pool, key: AdvisoryLockKey, job: LockedJob<T>): Promise<TryLockResult<T>> {
  return lockAndRun(pool, key, job, false);
}

/**
 * Locks held by this process, by key. Postgres grants a session lock again to the session that holds it, and an
 * embedded store is a single session for every connection, so exclusion inside one process is kept here.
 */
const heldHere = new Map<string, Promise<void>>();

async function lockAndRun<T>(pool: pg.Pool, key: AdvisoryLockKey, job: LockedJob<T>, wait: boolean): Promise<TryLockResult<T>> {
  const id = BigInt(key).toString();
  while (heldHere.has(id)) {
    if (!wait) return { acquired: false };
    await heldHere.get(id);
  }
  let releaseHere!: () => void;
  heldHere.set(id, new Promise<void>((resolve) => (releaseHere = resolve)));
  try {
    return await runOnLockConnection(pool, id, job, wait);
  } finally {
    heldHere.delete(id);
    releaseHere();
  }
}

/**
 * The lock's connection is not taken from the pool: the job itself needs the pool, and an embedded store's
 * pool has a single connection.
 */
async function runOnLockConnection<T>(pool: pg.Pool, id: string, job: LockedJob<T>, wait: boolean): Promise<TryLockResult<T>> {
  const client = new pg.Client(pool.options);
  const lost = new AbortController();
  client.on("error", (error) => lost.abort(error));
  client.on("end", () => lost.abort(new Error("the advisory lock's connection closed")));
  await client.connect();
  try {
    if (wait) {
      await client.query("SELECT pg_advisory_lock($1::bigint)", [id]);
    } else {
      const tried = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS locked", [id]);
      if (!tried.rows[0]?.locked) return { acquired: false };
    }
    try {
      return { acquired: true, value: await job(lost.signal) };
    } finally {
      // Explicit, because closing the connection does not end an embedded store's one shared session.
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [id]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
