// How a run's statements reach the database and the store: one by one, each claimed in the store before it runs, or
// in one transaction, sent in batches, with every statement's result stored in one statement before COMMIT.
import type { BatchOutcome, EngineSession, StatementOutcome } from "../engines/engine.ts";
import { redactSecrets } from "../logger.ts";
import { isStatementError, type DataChangeRecorder, type GuardCheck } from "../rollback/index.ts";
import type { ChangeDetail, StoredStatement } from "../store/changes.ts";
import { TransactionResults, type ExecutionLog, type StatementEnd } from "../store/execution-log.ts";
import type { RunProgress } from "./run-progress.ts";

/**
 * Statements of a transactional run sent to the server together (PostgreSQL pipelines them, MySQL sends
 * multi-statement packets): enough to spread a round trip over many, few enough that progress still moves.
 */
const BATCH_SIZE = 200;

/** Why a run stopped, as the change shows it; `statementId` when one statement is to blame. */
export class StatementFailure extends Error {
  constructor(
    readonly statementId: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** One run of a change's pending statements on an open session. */
export interface StatementRun {
  change: ChangeDetail;
  executionId: number;
  session: EngineSession;
  /** The statements to run (those not done), a page at a time. */
  pending: () => AsyncIterable<StoredStatement[]>;
  progress: RunProgress;
  log: ExecutionLog;
}

/**
 * Statements that commit on their own (MySQL DDL, CONCURRENTLY): each one is claimed in the store before it runs
 * and its end recorded before the next one starts (with the next one's claim, in the same round trip), so a crash
 * leaves the exact statements that completed.
 */
export async function runOneByOne({ change, executionId, session, pending, progress, log }: StatementRun): Promise<void> {
  let previous: { resultId: number; statementId: number; end: StatementEnd } | undefined;
  for await (const statement of each(pending())) {
    // Only while the change is still `running`: if this runner's lock connection was lost, recovery (here or on
    // a replica) may have declared it interrupted, and a retry may run it; this runner must not go on.
    const resultId = await log.claimStatement(executionId, statement.id, previous);
    if (resultId === undefined) throw new StatementFailure(undefined, `${change.key} is no longer running here (its run lock was lost); statement ${statement.ordinal + 1} was not started.`);
    let outcome: StatementOutcome;
    try {
      outcome = await session.execute(statement.sql);
    } catch (error) {
      const text = errorText(error);
      await log.finishStatement(resultId, statement.id, { error: text });
      throw new StatementFailure(statement.id, `${statementPlace(change, statement)} failed: ${text}`);
    }
    previous = { resultId, statementId: statement.id, end: outcome };
    progress.advance();
  }
  if (previous) await log.finishStatement(previous.resultId, previous.statementId, previous.end);
}

/**
 * Statements in the transaction the session has open, in batches: nothing is durable until COMMIT, so their results
 * are written to the store in one go just before it (or after the rollback that a failure causes). A crash before
 * that leaves the execution running with no results, which recovery turns into interrupted with nothing done:
 * exactly what the database has. With `guard` (a rollback change), every statement must find its row as the change
 * left it: the run goes on to list each row changed since, then rolls back and says which.
 */
export async function runInTransaction(run: StatementRun, recorder: DataChangeRecorder | undefined, guard?: GuardCheck): Promise<void> {
  const { change, executionId, session, pending, progress, log } = run;
  const ran = new TransactionResults();
  const undo = async (failed?: Parameters<TransactionResults["add"]>[0]) => {
    await session.rollback().catch(() => {});
    ran.markRolledBack();
    if (failed) ran.add(failed);
    await log.recordTransaction(executionId, change.id, ran, false);
  };
  for await (const batch of batches(pending(), BATCH_SIZE)) {
    for (let rest = batch; rest.length > 0; ) {
      let clock = Date.now();
      const { outcomes, failure } = await runBatch(session, recorder, rest);
      for (const [index, outcome] of outcomes.entries()) {
        // Times within a batch follow from each statement's duration, as the server answered them one after another.
        const startedAt = new Date(clock);
        clock += outcome.durationMs;
        ran.add({ statementId: rest[index]!.id, status: "done", rowsAffected: outcome.rowsAffected, durationMs: outcome.durationMs, startedAt, finishedAt: new Date(clock) });
      }
      guard?.ran(outcomes, rest.map((statement) => statement.sql), rest[0]!.ordinal);
      if (!failure) break;
      const statement = rest[failure.index]!;
      const failed = { statementId: statement.id, status: "failed" as const, error: errorText(failure.error), startedAt: new Date(clock), finishedAt: new Date() };
      // A statement the server refused is one more changed row to list; a lost connection ends the run as it is.
      if (guard && isStatementError(failure.error) && guard.failed(failure.error, statement.sql, statement.ordinal)) {
        ran.add(failed);
        rest = rest.slice(failure.index + 1);
        continue;
      }
      if (guard && guard.changedRows.length > 0) {
        await undo();
        throw new StatementFailure(undefined, guard.refusal(change.rollbackOf?.key ?? "the change"));
      }
      await undo(failed);
      throw new StatementFailure(statement.id, `${statementPlace(change, statement)} failed: ${failed.error}`);
    }
    progress.advance(batch.length);
  }
  if (guard && guard.changedRows.length > 0) {
    await undo();
    throw new StatementFailure(undefined, guard.refusal(change.rollbackOf?.key ?? "the change"));
  }
  // The results are written first, with the moment the COMMIT starts: a crash in between is then settled by asking
  // the target (PostgreSQL), or reported as "may or may not be applied" rather than guessed either way. A run whose lock was lost may have been declared
  // interrupted meanwhile: then nothing is written, and nothing may be committed.
  // Where the target names its transactions, the name lets recovery ask it whether a COMMIT cut short went through.
  const transactionId = await session.transactionId().catch(() => undefined);
  if (!(await log.recordTransaction(executionId, change.id, ran, true, transactionId))) {
    await undo();
    throw new StatementFailure(undefined, `${change.key} is no longer running here (its run lock was lost); its transaction was rolled back, not committed.`);
  }
  try {
    await session.commit();
  } catch (error) {
    await session.rollback().catch(() => {});
    await log.recordCommitFailed(executionId, change.id);
    throw new StatementFailure(undefined, `COMMIT failed, nothing was changed: ${errorText(error)}`);
  }
}

/** An error's message as a change shows it, with any secret masked. */
/** "Statement 3 (line 7)"; a change of one statement is just "The statement" (a rollback's line 2 only counts its header). */
function statementPlace(change: ChangeDetail, statement: StoredStatement): string {
  return change.tally.total > 1 ? `Statement ${statement.ordinal + 1} (line ${statement.line})` : "The statement";
}

export function errorText(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

/** A batch through the data change's recorder when there is one, so it keeps what the rollback needs. */
function runBatch(session: EngineSession, recorder: DataChangeRecorder | undefined, batch: StoredStatement[]): Promise<BatchOutcome> {
  if (!recorder) return session.executeBatch(batch.map((statement) => statement.sql));
  return recorder.executeBatch(batch.map(({ sql, ordinal }) => ({ sql, ordinal })));
}

/** Each statement of the pages, in order. */
async function* each(pages: AsyncIterable<StoredStatement[]>): AsyncGenerator<StoredStatement> {
  for await (const page of pages) yield* page;
}

/** The statements of the pages regrouped in batches of `size` (the last one shorter). */
async function* batches<T>(pages: AsyncIterable<readonly T[]>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const page of pages) {
    for (const item of page) {
      batch.push(item);
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
