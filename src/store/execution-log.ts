// What a run writes while it runs: each statement's claim and end, a transactional run's results at once, and the
// rollback it prepared. The runner's hot path, in plain SQL on the pool.
import type pg from "pg";
import type { StatementStatus } from "./generated/client.ts";
import { inTransaction, NOW } from "./plain-sql.ts";
import { writeRollbackChunks } from "./rollback-scripts.ts";

/** How one statement ended: its rows and time, or the error. */
export type StatementEnd = { rowsAffected: number; durationMs: number } | { error: string };

/** One statement of a transactional run, as recorded once the run's fate is known. */
export interface TransactionResult {
  statementId: number;
  status: Extract<StatementStatus, "done" | "rolled_back" | "failed">;
  rowsAffected?: number;
  durationMs?: number;
  error?: string;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * A transactional run's results, kept column by column until they are written: a run of 200,000 statements holds
 * seven arrays of numbers, not 200,000 objects with two Dates each.
 */
export class TransactionResults {
  readonly statementIds: number[] = [];
  readonly statuses: TransactionResult["status"][] = [];
  readonly rows: Array<number | null> = [];
  readonly durations: Array<number | null> = [];
  readonly errors: Array<string | null> = [];
  readonly startedAt: number[] = [];
  readonly finishedAt: number[] = [];

  get length(): number {
    return this.statementIds.length;
  }

  add(result: TransactionResult): void {
    this.statementIds.push(result.statementId);
    this.statuses.push(result.status);
    this.rows.push(result.rowsAffected ?? null);
    this.durations.push(result.durationMs === undefined ? null : Math.round(result.durationMs));
    this.errors.push(result.error ?? null);
    this.startedAt.push(result.startedAt.getTime());
    this.finishedAt.push(result.finishedAt.getTime());
  }

  /** After the transaction was rolled back: what ran is undone. */
  markRolledBack(): void {
    this.statuses.fill("rolled_back");
  }
}

/*
 * The runner's hot path, one statement per round trip, in plain SQL on the pool (prepared once per connection):
 * through Prisma each round trip costs several times as much.
 */

/**
 * Records the end of statement $2 (result $1) when given, then claims statement $8: both only while the change is
 * running (once recovery declared it interrupted, its account of the statements stands).
 */
const CLAIM_STATEMENT = `
  WITH running AS (
    SELECT 1 FROM "Statement" s JOIN "Change" c ON c."id" = s."changeId" WHERE s."id" = $8::integer AND c."status" = 'running'
  ), finished_result AS (
    UPDATE "StatementResult"
    SET "status" = $3::text::"StatementStatus", "rowsAffected" = $4::integer, "durationMs" = $5::integer, "error" = $6::text, "finishedAt" = ${NOW}
    WHERE "id" = $1::integer AND "status" = 'running' AND EXISTS (SELECT 1 FROM running)
  ), finished_statement AS (
    UPDATE "Statement" SET "status" = $3::text::"StatementStatus" WHERE "id" = $2::integer AND "status" = 'running' AND EXISTS (SELECT 1 FROM running)
  ), claimed AS (
    UPDATE "Statement" SET "status" = 'running' WHERE "id" = $8::integer AND EXISTS (SELECT 1 FROM running)
    RETURNING "id"
  )
  INSERT INTO "StatementResult" ("executionId", "statementId", "status", "startedAt")
  SELECT $7::integer, "id", 'running', ${NOW} FROM claimed
  RETURNING "id"`;

/** Only while the change is running: once recovery declared it interrupted, its account of the statement stands. */
const FINISH_STATEMENT = `
  WITH running AS (
    SELECT 1 FROM "Statement" s JOIN "Change" c ON c."id" = s."changeId" WHERE s."id" = $2::integer AND c."status" = 'running'
  ), finished_result AS (
    UPDATE "StatementResult"
    SET "status" = $3::text::"StatementStatus", "rowsAffected" = $4::integer, "durationMs" = $5::integer, "error" = $6::text, "finishedAt" = ${NOW}
    WHERE "id" = $1::integer AND "status" = 'running' AND EXISTS (SELECT 1 FROM running)
  )
  UPDATE "Statement" SET "status" = $3::text::"StatementStatus" WHERE "id" = $2::integer AND "status" = 'running' AND EXISTS (SELECT 1 FROM running)`;

/** Before a transactional run's results are written for its COMMIT: only while the change is still running. */
const LOCK_RUNNING_CHANGE = `SELECT 1 FROM "Change" WHERE "id" = $1::integer AND "status" = 'running' FOR SHARE`;

/** Writes a chunk of a transactional run's results ($3…$9, one array element per statement) and the statements' status. */
const RECORD_RESULTS = `
  WITH results AS (
    INSERT INTO "StatementResult" ("executionId", "statementId", "status", "rowsAffected", "durationMs", "error", "startedAt", "finishedAt")
    SELECT $1::integer, r.statement, r.status::"StatementStatus", r.rows, r.duration, r.error, r.started, r.finished
    FROM unnest($3::integer[], $4::text[], $5::integer[], $6::integer[], $7::text[], $8::timestamp(3)[], $9::timestamp(3)[])
      AS r(statement, status, rows, duration, error, started, finished)
  )
  UPDATE "Statement" s SET "status" = r.status::"StatementStatus"
  FROM unnest($3::integer[], $4::text[]) AS r(statement, status)
  WHERE s."changeId" = $2::integer AND s."id" = r.statement`;

const RECORD_SESSION_MARK = `UPDATE "Execution" SET "sessionMark" = $2::jsonb WHERE "id" = $1::integer`;

const MARK_COMMITTING = `UPDATE "Execution" SET "committingAt" = ${NOW}, "commitTxid" = $2::text WHERE "id" = $1::integer`;

const RECORD_ROLLBACK = `
  UPDATE "Execution" SET "rollbackRows" = $2, "threadId" = $3, "gtid" = $4, "binlogStart" = $5, "binlogEnd" = $6, "backupTables" = $7::jsonb
  WHERE "id" = $1::integer`;

/** A prepared rollback as an execution keeps it. */
export interface RecordedRollback {
  chunks: string[];
  forcedChunks?: string[];
  rows: number;
  threadId?: string;
  gtid?: string;
  binlogStart?: string;
  binlogEnd?: string;
  backupTables?: string[];
}

/** Results written per statement: bounded parameters, however long the run. */
const RESULTS_PER_WRITE = 10_000;

/** After a failed COMMIT: the results written just before it are rolled back, and the execution is not committing. */
const RECORD_COMMIT_FAILED = `
  WITH results AS (
    UPDATE "StatementResult" SET "status" = 'rolled_back' WHERE "executionId" = $1::integer
  ), statements AS (
    UPDATE "Statement" s SET "status" = 'rolled_back'
    FROM "StatementResult" r
    WHERE r."executionId" = $1::integer AND s."changeId" = $2::integer AND s."id" = r."statementId"
  )
  UPDATE "Execution" SET "committingAt" = NULL WHERE "id" = $1::integer`;

/** What a run writes while it runs: each statement's claim and end, or a transactional run's results at once. */
export class ExecutionLog {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Marks a statement as running and opens its result row, only while its change is still `running`; undefined when
   * the change moved on (e.g. recovery declared it interrupted). `previous`, the statement that ran before it, has
   * its end recorded in the same round trip, so each statement costs one.
   */
  async claimStatement(executionId: number, statementId: number, previous?: { resultId: number; statementId: number; end: StatementEnd }): Promise<number | undefined> {
    const end = previous ? endValues(previous.end) : [null, null, null, null];
    const { rows } = await this.pool.query<{ id: number }>({
      name: "sluice-claim-statement",
      text: CLAIM_STATEMENT,
      values: [previous?.resultId ?? null, previous?.statementId ?? null, ...end, executionId, statementId],
    });
    return rows[0]?.id;
  }

  /** Records a statement's end — done with its rows and duration, or failed with the error — in one round trip. */
  async finishStatement(resultId: number, statementId: number, end: StatementEnd): Promise<void> {
    await this.pool.query({ name: "sluice-finish-statement", text: FINISH_STATEMENT, values: [resultId, statementId, ...endValues(end)] });
  }

  /**
   * Records a transactional run's results, in one store transaction. With `committing`, only while the change is
   * still `running` (its row stays locked until this commits, so recovery cannot declare it interrupted in between),
   * and the execution is marked as committing, with the target's id of the transaction when the engine gives one;
   * false when the change had moved on and nothing was written.
   */
  async recordTransaction(executionId: number, changeId: number, results: TransactionResults, committing: boolean, transactionId?: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      if (committing && (await client.query(LOCK_RUNNING_CHANGE, [changeId])).rowCount === 0) return false;
      const iso = (ms: number) => new Date(ms).toISOString();
      for (let first = 0; first < results.length; first += RESULTS_PER_WRITE) {
        const end = first + RESULTS_PER_WRITE;
        await client.query({
          name: "sluice-record-results",
          text: RECORD_RESULTS,
          values: [
            executionId,
            changeId,
            results.statementIds.slice(first, end),
            results.statuses.slice(first, end),
            results.rows.slice(first, end),
            results.durations.slice(first, end),
            results.errors.slice(first, end),
            results.startedAt.slice(first, end).map(iso),
            results.finishedAt.slice(first, end).map(iso),
          ],
        });
      }
      if (committing) await client.query(MARK_COMMITTING, [executionId, transactionId ?? null]);
      return true;
    });
  }

  /** After COMMIT: the rollback the run prepared, written in plain SQL (a script of 100,000 rows weighs tens of MB). */
  async recordRollback(executionId: number, rollback: RecordedRollback): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(RECORD_ROLLBACK, [
        executionId,
        rollback.rows,
        rollback.threadId ?? null,
        rollback.gtid ?? null,
        rollback.binlogStart ?? null,
        rollback.binlogEnd ?? null,
        rollback.backupTables === undefined ? null : JSON.stringify(rollback.backupTables),
      ]);
      await writeRollbackChunks(client, executionId, false, rollback.chunks);
      await writeRollbackChunks(client, executionId, true, rollback.forcedChunks ?? []);
    });
  }

  /** Where the run's session stands on the target (EngineSession.mark), for recovery after a crash. */
  async recordSessionMark(executionId: number, mark: Record<string, unknown>): Promise<void> {
    await this.pool.query({ name: "sluice-record-session-mark", text: RECORD_SESSION_MARK, values: [executionId, JSON.stringify(mark)] });
  }

  async recordCommitFailed(executionId: number, changeId: number): Promise<void> {
    await this.pool.query({ name: "sluice-record-commit-failed", text: RECORD_COMMIT_FAILED, values: [executionId, changeId] });
  }
}

function endValues(end: StatementEnd): [StatementStatus, number | null, number | null, string | null] {
  return "error" in end ? ["failed", null, null, end.error] : ["done", end.rowsAffected, Math.round(end.durationMs), null];
}
