// The change history: creating changes with their statements and review, moving their status with
// compare-and-set, and reading them back whole.
import type pg from "pg";
import type { Approval, ChangeStatus, ChangeType, Decision, FindingLevel, Prisma, PrismaClient, Statement, StatementResult, StatementStatus } from "./generated/client.ts";

export type { ChangeStatus, ChangeType };

export interface NewStatement {
  sql: string;
  line: number;
  column: number;
}

export interface NewFinding {
  statementOrdinal: number | null;
  line: number;
  column: number;
  ruleId: string;
  level: FindingLevel;
  message: string;
  advice: string;
}

export interface NewChange {
  projectId: number;
  projectKey: string;
  databaseId: number;
  type: ChangeType;
  sql: string;
  description: string;
  requesterId: string;
  requestKey?: string;
  rollbackOfId?: number;
  statements: NewStatement[];
  review: { errorCount: number; warningCount: number; findings: NewFinding[] };
}

/**
 * A change as the workflow and Slack see it. Its statements and their results are not part of it: a change may hold
 * 100,000 of them (a large rollback), and reading them all each time it is shown cost seconds and hundreds of MB.
 * Their tally is counted in the store; the statements themselves are read when needed (statementsOf, resultsOf).
 */
export const changeDetail = {
  database: { include: { instance: true, environment: true, project: true } },
  reviews: { orderBy: { id: "desc" }, take: 1, include: { findings: { orderBy: { id: "asc" } } } },
  approvals: { orderBy: { id: "asc" } },
  executions: { orderBy: { attempt: "asc" } },
  snapshots: { orderBy: { id: "asc" } },
  rollbackOf: true,
} satisfies Prisma.ChangeInclude;

/** How far a change's statements got. */
export interface StatementTally {
  total: number;
  done: number;
  /** The first statement that failed, if one did. */
  failed?: { ordinal: number; line: number };
  /** Rows affected and time taken by the statements of the last execution. */
  rowsAffected: number;
  durationMs: number;
}

export type ChangeDetail = Prisma.ChangeGetPayload<{ include: typeof changeDetail }> & { tally: StatementTally };

export type StoredStatement = Statement;

/** A statement with its result in the change's last execution, if it ran there. */
export type ShownStatement = Statement & { result?: StatementResult };

const STATEMENT_TALLY = `
  SELECT
    (SELECT count(*) FROM "Statement" WHERE "changeId" = $1::integer)::integer AS total,
    (SELECT count(*) FROM "Statement" WHERE "changeId" = $1::integer AND "status" = 'done')::integer AS done,
    failed."ordinal" AS "failedOrdinal", failed."line" AS "failedLine",
    coalesce(last_run.rows, 0)::float8 AS "rowsAffected", coalesce(last_run.ms, 0)::float8 AS "durationMs"
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
    SELECT "ordinal", "line" FROM "Statement" WHERE "changeId" = $1::integer AND "status" = 'failed' ORDER BY "ordinal" LIMIT 1
  ) AS failed ON true
  LEFT JOIN LATERAL (
    SELECT sum("rowsAffected") AS rows, sum("durationMs") AS ms FROM "StatementResult"
    WHERE "executionId" = (SELECT "id" FROM "Execution" WHERE "changeId" = $1::integer ORDER BY "attempt" DESC LIMIT 1)
  ) AS last_run ON true`;

interface TallyRow {
  total: number;
  done: number;
  failedOrdinal: number | null;
  failedLine: number | null;
  rowsAffected: number;
  durationMs: number;
}

export async function nextChangeNumber(tx: Prisma.TransactionClient, projectId: number): Promise<number> {
  const project = await tx.project.update({ where: { id: projectId }, data: { lastChangeNumber: { increment: 1 } } });
  return project.lastChangeNumber;
}

export class ChangeRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Stores a change with its statements and review in one transaction. A second request with the same
   * requestKey (a modal submitted twice, a Slack retry) returns the first change and `created: false`.
   */
  async create(input: NewChange, status: ChangeStatus): Promise<{ change: ChangeDetail; created: boolean }> {
    if (input.requestKey) {
      const existing = await this.prisma.change.findUnique({ where: { requestKey: input.requestKey }, select: { id: true } });
      if (existing) return { change: await this.get(existing.id), created: false };
    }
    try {
      const id = await this.prisma.$transaction(async (tx) => {
        const number = await nextChangeNumber(tx, input.projectId);
        const change = await tx.change.create({
          data: {
            projectId: input.projectId,
            number,
            key: `${input.projectKey}-${number}`,
            databaseId: input.databaseId,
            type: input.type,
            status,
            sql: input.sql,
            description: input.description,
            requesterId: input.requesterId,
            requestKey: input.requestKey,
            rollbackOfId: input.rollbackOfId,
          },
        });
        await insertStatements(tx, change.id, input.statements);
        const review = await tx.review.create({
          data: { changeId: change.id, errorCount: input.review.errorCount, warningCount: input.review.warningCount },
        });
        await insertInChunks(
          input.review.findings.map((finding) => ({ ...finding, reviewId: review.id })),
          (rows) => tx.finding.createMany({ data: rows }),
        );
        return change.id;
      }, LARGE_WRITE);
      return { change: await this.get(id), created: true };
    } catch (error) {
      if (input.requestKey && isUniqueViolation(error)) {
        const existing = await this.prisma.change.findUnique({ where: { requestKey: input.requestKey }, select: { id: true } });
        if (existing) return { change: await this.get(existing.id), created: false };
      }
      throw error;
    }
  }

  async get(id: number): Promise<ChangeDetail> {
    const [change, tally] = await Promise.all([this.prisma.change.findUniqueOrThrow({ where: { id }, include: changeDetail }), this.tally(id)]);
    return { ...change, tally };
  }

  async findByKey(key: string): Promise<ChangeDetail | null> {
    const change = await this.prisma.change.findUnique({ where: { key }, include: changeDetail });
    return change && { ...change, tally: await this.tally(change.id) };
  }

  /** A change's statements in order, from `fromOrdinal` on, at most `limit`; `pendingOnly` leaves out those done. */
  async statementsOf(changeId: number, options: { fromOrdinal?: number; limit?: number; pendingOnly?: boolean } = {}): Promise<StoredStatement[]> {
    return this.prisma.statement.findMany({
      where: { changeId, ordinal: { gte: options.fromOrdinal ?? 0 }, ...(options.pendingOnly ? { status: { not: "done" } } : {}) },
      orderBy: { ordinal: "asc" },
      take: options.limit,
    });
  }

  /** The results an execution recorded for the given statements. */
  async resultsOf(executionId: number, statementIds: number[]): Promise<StatementResult[]> {
    return this.prisma.statementResult.findMany({ where: { executionId, statementId: { in: statementIds } } });
  }

  /** The change's first `limit` statements, each with its result in the last execution. */
  async shownStatements(change: ChangeDetail, limit: number): Promise<ShownStatement[]> {
    const statements = await this.statementsOf(change.id, { limit });
    const execution = change.executions.at(-1);
    if (!execution) return statements;
    const results = new Map((await this.resultsOf(execution.id, statements.map((s) => s.id))).map((r) => [r.statementId, r]));
    return statements.map((statement) => ({ ...statement, result: results.get(statement.id) }));
  }

  private async tally(changeId: number): Promise<StatementTally> {
    const [row] = await this.prisma.$queryRawUnsafe<TallyRow[]>(STATEMENT_TALLY, changeId);
    if (!row) return { total: 0, done: 0, rowsAffected: 0, durationMs: 0 };
    return {
      total: row.total,
      done: row.done,
      ...(row.failedOrdinal === null ? {} : { failed: { ordinal: row.failedOrdinal, line: row.failedLine ?? 0 } }),
      rowsAffected: Number(row.rowsAffected),
      durationMs: Number(row.durationMs),
    };
  }

  /** Moves a change from one of `from` to `to`; false when another request moved it first. */
  async transition(id: number, from: ChangeStatus[], to: ChangeStatus): Promise<boolean> {
    const result = await this.prisma.change.updateMany({ where: { id, status: { in: from } }, data: { status: to } });
    return result.count === 1;
  }

  /**
   * A decision: the status moves (compare-and-set) and who decided is recorded, with `alongside` (what else the
   * decision changes), in one transaction, so no one ever sees the new status without them. Undefined when the
   * status had already moved on.
   */
  async decide(
    id: number,
    from: ChangeStatus[],
    to: ChangeStatus,
    approval: { userId: string; decision: Decision; reason: string },
    alongside?: (tx: Prisma.TransactionClient) => Promise<void>,
  ): Promise<Approval | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const moved = await tx.change.updateMany({ where: { id, status: { in: from } }, data: { status: to } });
      if (moved.count !== 1) return undefined;
      await alongside?.(tx);
      return tx.approval.create({ data: { changeId: id, ...approval } });
    }, LARGE_WRITE);
  }

  async recordSlackMessage(id: number, channel: string, ts: string): Promise<void> {
    await this.prisma.change.update({ where: { id }, data: { slackChannel: channel, slackTs: ts } });
  }

  async history(databaseId: number, limit: number) {
    return this.prisma.change.findMany({ where: { databaseId }, orderBy: { id: "desc" }, take: limit });
  }
}

/** How one statement ended: its rows and time, or the error. */
export type StatementEnd = { rowsAffected: number; durationMs: number } | { error: string };

/**
 * Rows per INSERT when a change's statements or findings are stored: under PostgreSQL's 32,767 bind parameters, so
 * Prisma sends each as one statement. Left to split a larger nested create itself, it sent the parts concurrently on
 * the transaction's one connection, and a change of more than ~6,500 statements (a large rollback) failed to store.
 */
const INSERT_CHUNK_ROWS = 2_000;

/** A transaction that stores a large change (100,000 statements take tens of seconds): Prisma's 5 s default is for small ones. */
const LARGE_WRITE = { maxWait: 10_000, timeout: 600_000 };

/**
 * A change's statements as columns of arrays, one INSERT per chunk in plain SQL: Prisma compiles a createMany of
 * 2,000 rows for about 0.2 s, which made storing the rollback of 100,000 rows take longer than preparing it.
 */
const INSERT_STATEMENTS = `
  INSERT INTO "Statement" ("changeId", "ordinal", "sql", "line", "column")
  SELECT $1::integer, s.* FROM unnest($2::integer[], $3::text[], $4::integer[], $5::integer[]) AS s`;
const STATEMENT_CHUNK_ROWS = 10_000;

export async function insertStatements(tx: Prisma.TransactionClient, changeId: number, statements: readonly NewStatement[]): Promise<void> {
  for (let first = 0; first < statements.length; first += STATEMENT_CHUNK_ROWS) {
    const chunk = statements.slice(first, first + STATEMENT_CHUNK_ROWS);
    await tx.$executeRawUnsafe(
      INSERT_STATEMENTS,
      changeId,
      chunk.map((_, i) => first + i),
      chunk.map((s) => s.sql),
      chunk.map((s) => s.line),
      chunk.map((s) => s.column),
    );
  }
}

/** Inserts rows in order, one chunk at a time. */
export async function insertInChunks<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let first = 0; first < rows.length; first += INSERT_CHUNK_ROWS) await insert(rows.slice(first, first + INSERT_CHUNK_ROWS));
}

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

/*
 * The runner's hot path, one statement per round trip, in plain SQL on the pool (prepared once per connection):
 * through Prisma each round trip costs several times as much. Times are written in UTC, as Prisma writes them.
 */
const NOW = `(now() AT TIME ZONE 'UTC')`;

/** Records the end of statement $2 (result $1) when given, then claims statement $8 only while its change is running. */
const CLAIM_STATEMENT = `
  WITH finished_result AS (
    UPDATE "StatementResult"
    SET "status" = $3::text::"StatementStatus", "rowsAffected" = $4::integer, "durationMs" = $5::integer, "error" = $6::text, "finishedAt" = ${NOW}
    WHERE "id" = $1::integer
  ), finished_statement AS (
    UPDATE "Statement" SET "status" = $3::text::"StatementStatus" WHERE "id" = $2::integer
  ), claimed AS (
    UPDATE "Statement" s SET "status" = 'running'
    FROM "Change" c
    WHERE s."id" = $8::integer AND c."id" = s."changeId" AND c."status" = 'running'
    RETURNING s."id"
  )
  INSERT INTO "StatementResult" ("executionId", "statementId", "status", "startedAt")
  SELECT $7::integer, "id", 'running', ${NOW} FROM claimed
  RETURNING "id"`;

const FINISH_STATEMENT = `
  WITH finished_result AS (
    UPDATE "StatementResult"
    SET "status" = $3::text::"StatementStatus", "rowsAffected" = $4::integer, "durationMs" = $5::integer, "error" = $6::text, "finishedAt" = ${NOW}
    WHERE "id" = $1::integer
  )
  UPDATE "Statement" SET "status" = $3::text::"StatementStatus" WHERE "id" = $2::integer`;

/**
 * Writes a transactional run's results ($3…$9, one array element per statement) and the statements' status. With
 * $10 (committing) only while the change is still running — its row is locked until this commits, so recovery cannot
 * declare it interrupted in between — and the execution's committingAt is set. Answers whether it wrote.
 */
const RECORD_TRANSACTION = `
  WITH live AS (
    SELECT 1 FROM "Change" WHERE "id" = $2::integer AND ("status" = 'running' OR NOT $10::boolean) FOR SHARE
  ), results AS (
    INSERT INTO "StatementResult" ("executionId", "statementId", "status", "rowsAffected", "durationMs", "error", "startedAt", "finishedAt")
    SELECT $1::integer, r.statement, r.status::"StatementStatus", r.rows, r.duration, r.error, r.started, r.finished
    FROM unnest($3::integer[], $4::text[], $5::integer[], $6::integer[], $7::text[], $8::timestamp(3)[], $9::timestamp(3)[])
      AS r(statement, status, rows, duration, error, started, finished)
    WHERE EXISTS (SELECT 1 FROM live)
  ), statements AS (
    UPDATE "Statement" s SET "status" = r.status::"StatementStatus"
    FROM unnest($3::integer[], $4::text[]) AS r(statement, status)
    WHERE s."changeId" = $2::integer AND s."id" = r.statement AND EXISTS (SELECT 1 FROM live)
  ), execution AS (
    UPDATE "Execution" SET "committingAt" = ${NOW} WHERE "id" = $1::integer AND $10::boolean AND EXISTS (SELECT 1 FROM live)
  )
  SELECT EXISTS (SELECT 1 FROM live) AS written`;

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
   * Records a transactional run's results in one statement. With `committing`, only while the change is still
   * `running`, and the execution is marked as committing; false when the change had moved on and nothing was written.
   */
  async recordTransaction(executionId: number, changeId: number, results: readonly TransactionResult[], committing: boolean): Promise<boolean> {
    const { rows } = await this.pool.query<{ written: boolean }>({
      name: "sluice-record-transaction",
      text: RECORD_TRANSACTION,
      values: [
        executionId,
        changeId,
        results.map((r) => r.statementId),
        results.map((r) => r.status),
        results.map((r) => (r.rowsAffected === undefined ? null : r.rowsAffected)),
        results.map((r) => (r.durationMs === undefined ? null : Math.round(r.durationMs))),
        results.map((r) => r.error ?? null),
        results.map((r) => r.startedAt.toISOString()),
        results.map((r) => r.finishedAt.toISOString()),
        committing,
      ],
    });
    return rows[0]?.written === true;
  }

  async recordCommitFailed(executionId: number, changeId: number): Promise<void> {
    await this.pool.query({ name: "sluice-record-commit-failed", text: RECORD_COMMIT_FAILED, values: [executionId, changeId] });
  }
}

function endValues(end: StatementEnd): [StatementStatus, number | null, number | null, string | null] {
  return "error" in end ? ["failed", null, null, end.error] : ["done", end.rowsAffected, Math.round(end.durationMs), null];
}

/** SQLSTATEs and driver codes that mean the store cannot be reached or dropped the connection (not a bad query). */
const UNREACHABLE_CODES = /^(08|57P0[123]$|P1001$|P1002$|P1017$|ECONNREFUSED$|ECONNRESET$|ETIMEDOUT$|EPIPE$|ENOTFOUND$)/;
const UNREACHABLE_MESSAGES = /not currently accepting connections|Connection terminated|terminating connection|Can't reach database server|Server has closed the connection|connect ECONNREFUSED/i;

/** Whether a store query failed because the history store is down or unreachable, as opposed to a bug. */
export function isStoreUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 6; depth += 1) {
    const { code, message, meta, cause } = current as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } }; cause?: unknown };
    const adapterCause = meta?.driverAdapterError?.cause;
    const codes = [code, adapterCause?.originalCode, adapterCause?.code].filter((c): c is string => typeof c === "string");
    if (codes.some((c) => UNREACHABLE_CODES.test(c))) return true;
    if (typeof message === "string" && UNREACHABLE_MESSAGES.test(message)) return true;
    current = cause ?? (meta?.driverAdapterError as unknown);
  }
  return false;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "P2002" || code === "23505" || /Unique constraint failed|duplicate key/i.test(String((error as Error).message));
}
