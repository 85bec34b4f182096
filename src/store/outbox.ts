// What Slack is still to be told, kept in the store: a row is written in the same transaction as the change or
// drift it reports, so nothing that was stored can miss its message, and deleted once Slack has it. The rows of one
// subject are delivered in order, one at a time: only the oldest row of a subject can be claimed, and a claim is a
// lease (compare-and-set under SKIP LOCKED), so two replicas never deliver the same row at once.
import type pg from "pg";
import { NOW, type Queryable } from "./plain-sql.ts";

/** One message owed to Slack: what it is about (`subject`) and what to say (`payload`, read by its deliverer). */
export interface OutboxEntry {
  id: number;
  subject: string;
  payload: unknown;
  /** Deliveries tried so far, this one included. */
  attempts: number;
  /** When the row was written: what it says went to Slack after that. */
  createdAt: Date;
}

/** The subject of everything Slack is told about one change: its root message and its thread, in order. */
export function changeSubject(changeId: number): string {
  return `change:${changeId}`;
}

/** The subject of a drift anomaly's alert and its updates. */
export function driftSubject(anomalyId: number): string {
  return `drift:${anomalyId}`;
}

const INSERT = `INSERT INTO "SlackOutbox" ("subject", "payload", "availableAt", "createdAt") VALUES ($1::text, $2::jsonb, ${NOW}, ${NOW})`;

/** Writes a message owed to Slack with `client`: inside the transaction that stores what it reports. */
export async function enqueue(client: Queryable, subject: string, payload: unknown): Promise<void> {
  await client.query(INSERT, [subject, JSON.stringify(payload)]);
}

/**
 * The oldest row of each subject that is due and not leased; of one subject when $3 is given. FOR UPDATE SKIP LOCKED
 * and the re-checked lease make a row claimed by one replica invisible to the others until its lease runs out.
 */
const CLAIM = `
  UPDATE "SlackOutbox" o
  SET "claimedBy" = $1::text, "claimedUntil" = ${NOW} + $2::integer * interval '1 millisecond', "attempts" = o."attempts" + 1
  WHERE o."id" IN (
    SELECT h."id" FROM "SlackOutbox" h
    WHERE h."availableAt" <= ${NOW} AND (h."claimedUntil" IS NULL OR h."claimedUntil" < ${NOW})
      AND ($3::text IS NULL OR h."subject" = $3::text)
      AND NOT EXISTS (SELECT 1 FROM "SlackOutbox" e WHERE e."subject" = h."subject" AND e."id" < h."id")
    ORDER BY h."id" LIMIT $4::integer
    FOR UPDATE SKIP LOCKED)
  RETURNING o."id", o."subject", o."payload", o."attempts", (extract(epoch FROM o."createdAt") * 1000)::float8 AS "createdAtMs"`;

const DELIVERED = `DELETE FROM "SlackOutbox" WHERE "id" = $1::integer AND "claimedBy" = $2::text`;

const EXTEND = `UPDATE "SlackOutbox" SET "claimedUntil" = ${NOW} + $3::integer * interval '1 millisecond' WHERE "id" = $1::integer AND "claimedBy" = $2::text`;

const RETRY_LATER = `
  UPDATE "SlackOutbox" SET "claimedBy" = NULL, "claimedUntil" = NULL, "lastError" = $3::text,
    "availableAt" = ${NOW} + $4::integer * interval '1 millisecond'
  WHERE "id" = $1::integer AND "claimedBy" = $2::text`;

export class Outbox {
  constructor(private readonly pool: pg.Pool) {}

  /** Claims up to `limit` due rows for `owner` for `leaseMs` (the heads of their subjects; of `subject` only when given). */
  async claim(owner: string, leaseMs: number, limit: number, subject?: string): Promise<OutboxEntry[]> {
    const { rows } = await this.pool.query<Omit<OutboxEntry, "createdAt"> & { createdAtMs: number }>(CLAIM, [owner, leaseMs, subject ?? null, limit]);
    return rows.map(({ createdAtMs, ...entry }) => ({ ...entry, createdAt: new Date(createdAtMs) })).sort((a, b) => a.id - b.id);
  }

  /** Keeps a claim while its delivery goes on (a process that died stops renewing it, and its claim runs out). */
  async extend(id: number, owner: string, leaseMs: number): Promise<void> {
    await this.pool.query(EXTEND, [id, owner, leaseMs]);
  }

  /** The row was delivered: it goes. False when `owner`'s lease had run out and another replica claimed it. */
  async delivered(id: number, owner: string): Promise<boolean> {
    return ((await this.pool.query(DELIVERED, [id, owner])).rowCount ?? 0) === 1;
  }

  /** The delivery failed: the row is due again in `delayMs`, for any replica. */
  async retryLater(id: number, owner: string, delayMs: number, error: string): Promise<void> {
    await this.pool.query(RETRY_LATER, [id, owner, error, Math.round(delayMs)]);
  }

  /** How many messages Slack is still owed (all, or about one subject). */
  async pending(subject?: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS "n" FROM "SlackOutbox" WHERE $1::text IS NULL OR "subject" = $1::text`, [subject ?? null]);
    return rows[0]?.n ?? 0;
  }
}
