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
  /** For a rollback: the change it undoes and how many rows. */
  rollbackOf?: { changeId: number; rowCount: number };
  statements: NewStatement[];
  /**
   * A rollback change: its SQL and statements are the script an execution prepared, read from the store a piece at
   * a time and cut into statements by `split` (`sql` and `statements` are then left empty).
   */
  fromRollbackScript?: { executionId: number; split: (text: string) => NewStatement[] };
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

const STATEMENTS_PER_PAGE = 2_000;

const PENDING_STATEMENTS = `
  SELECT "id", "changeId", "ordinal", "sql", "line", "column", "status"::text AS "status" FROM "Statement"
  WHERE "changeId" = $1::integer AND "ordinal" >= $2::integer AND "status" <> 'done'
  ORDER BY "ordinal" LIMIT $3::integer`;

/** The change's own SQL is read only this far with its detail; the whole of it in pieces with sqlInPieces. */
const SQL_HEAD_CHARACTERS = 4_000;

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

export type ChangeDetail = Omit<Prisma.ChangeGetPayload<{ include: typeof changeDetail }>, "sql"> & {
  tally: StatementTally;
  /** The start of the change's SQL (SQL_HEAD_CHARACTERS at most), and its whole length. */
  sqlHead: string;
  sqlLength: number;
};

export type StoredStatement = Statement;

/** A statement with its result in the change's last execution, if it ran there. */
export type ShownStatement = Statement & { result?: StatementResult };

const STATEMENT_TALLY = `
  SELECT
    (SELECT count(*) FROM "Statement" WHERE "changeId" = $1::integer)::integer AS total,
    (SELECT count(*) FROM "Statement" WHERE "changeId" = $1::integer AND "status" = 'done')::integer AS done,
    failed."ordinal" AS "failedOrdinal", failed."line" AS "failedLine",
    coalesce(last_run.rows, 0)::float8 AS "rowsAffected", coalesce(last_run.ms, 0)::float8 AS "durationMs",
    left(c."sql", ${SQL_HEAD_CHARACTERS}) AS "sqlHead", length(c."sql")::integer AS "sqlLength"
  FROM "Change" c
  LEFT JOIN LATERAL (
    SELECT "ordinal", "line" FROM "Statement" WHERE "changeId" = $1::integer AND "status" = 'failed' ORDER BY "ordinal" LIMIT 1
  ) AS failed ON true
  LEFT JOIN LATERAL (
    SELECT sum("rowsAffected") AS rows, sum("durationMs") AS ms FROM "StatementResult"
    WHERE "executionId" = (SELECT "id" FROM "Execution" WHERE "changeId" = $1::integer ORDER BY "attempt" DESC LIMIT 1)
  ) AS last_run ON true
  WHERE c."id" = $1::integer`;

interface TallyRow {
  total: number;
  done: number;
  failedOrdinal: number | null;
  failedLine: number | null;
  rowsAffected: number;
  durationMs: number;
  sqlHead: string;
  sqlLength: number;
}

export class ChangeRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: pg.Pool,
  ) {}

  /**
   * Stores a change with its statements and review (and, for a rollback, its link to the change it undoes) in one
   * transaction. A second request with the same requestKey (a modal submitted twice, a Slack retry) returns the first
   * change and `created: false`. Written in plain SQL: a rollback's script and statements can weigh tens of MB, and
   * through Prisma each copy cost several times its size in memory.
   */
  async create(input: NewChange, status: ChangeStatus): Promise<{ change: ChangeDetail; created: boolean }> {
    if (input.requestKey) {
      const existing = await this.prisma.change.findUnique({ where: { requestKey: input.requestKey }, select: { id: true } });
      if (existing) return { change: await this.get(existing.id), created: false };
    }
    try {
      const id = await inTransaction(this.pool, async (client) => {
        const { rows: numbered } = await client.query<{ number: number }>(NEXT_CHANGE_NUMBER, [input.projectId]);
        const number = numbered[0]!.number;
        const { rows: inserted } = await client.query<{ id: number }>(INSERT_CHANGE, [
          input.projectId,
          number,
          `${input.projectKey}-${number}`,
          input.databaseId,
          input.type,
          status,
          input.sql,
          input.description,
          input.requesterId,
          input.requestKey ?? null,
          input.rollbackOf?.changeId ?? null,
        ]);
        const changeId = inserted[0]!.id;
        const script = input.fromRollbackScript;
        if (script) {
          await client.query(SQL_FROM_ROLLBACK_SCRIPT, [changeId, script.executionId]);
          await insertStatements(client, changeId, statementsOfScript(rollbackChunks(rowsOf(client), script.executionId, false), script.split));
        } else {
          await insertStatements(client, changeId, input.statements);
        }
        const { rows: reviews } = await client.query<{ id: number }>(INSERT_REVIEW, [changeId, input.review.errorCount, input.review.warningCount]);
        await insertFindings(client, reviews[0]!.id, input.review.findings);
        if (input.rollbackOf) await client.query(INSERT_ROLLBACK, [input.rollbackOf.changeId, changeId, input.rollbackOf.rowCount]);
        return changeId;
      });
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
    const [change, summary] = await Promise.all([this.prisma.change.findUniqueOrThrow({ where: { id }, include: changeDetail, omit: { sql: true } }), this.summary(id)]);
    return { ...change, ...summary };
  }

  async findByKey(key: string): Promise<ChangeDetail | null> {
    const change = await this.prisma.change.findUnique({ where: { key }, include: changeDetail, omit: { sql: true } });
    return change && { ...change, ...(await this.summary(change.id)) };
  }

  /** A change's statements in order, from `fromOrdinal` on, at most `limit`. */
  async statementsOf(changeId: number, options: { fromOrdinal?: number; limit?: number } = {}): Promise<StoredStatement[]> {
    return this.prisma.statement.findMany({ where: { changeId, ordinal: { gte: options.fromOrdinal ?? 0 } }, orderBy: { ordinal: "asc" }, take: options.limit });
  }

  /**
   * The change's SQL a piece at a time, with its whole length in bytes (UTF-8): a rollback change's is the script
   * its source's execution prepared, tens of MB, read from the pieces it is kept in; any other change's is one piece.
   */
  async sqlInPieces(changeId: number): Promise<{ bytes: number; pieces: AsyncIterable<string> | Iterable<string> }> {
    const { rows } = await this.pool.query<{ executionId: number | null; forced: boolean | null; bytes: number }>(SQL_SOURCE, [changeId]);
    const source = rows[0];
    if (!source) return { bytes: 0, pieces: [] };
    if (source.executionId === null) {
      const { rows: whole } = await this.pool.query<{ sql: string }>(`SELECT "sql" FROM "Change" WHERE "id" = $1`, [changeId]);
      return { bytes: source.bytes, pieces: [whole[0]?.sql ?? ""] };
    }
    return { bytes: source.bytes, pieces: this.rollbackChunksOf(source.executionId, source.forced ?? false) };
  }

  /** The pieces of the rollback script an execution prepared (the forced one with `forced`), in order. */
  rollbackChunksOf(executionId: number, forced = false): AsyncGenerator<string> {
    return rollbackChunks(rowsOf(this.pool), executionId, forced);
  }

  /** Whether the execution keeps forced pieces of its rollback (PostgreSQL stores them; MySQL's are derived). */
  async hasForcedChunks(executionId: number): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM "RollbackChunk" WHERE "executionId" = $1 AND "forced" LIMIT 1`, [executionId]);
    return rows.length > 0;
  }

  /** Keeps forced pieces derived from the guarded ones, unless the execution has them already. */
  async storeForcedChunks(executionId: number, chunks: AsyncIterable<string>): Promise<void> {
    let seq = 0;
    for await (const chunk of chunks) {
      await this.pool.query(`INSERT INTO "RollbackChunk" ("executionId", "forced", "seq", "sql") VALUES ($1, true, $2, $3) ON CONFLICT DO NOTHING`, [executionId, seq, chunk]);
      seq += 1;
    }
  }

  /**
   * The change's statements that are not done, in order, a page at a time: a change can hold 100,000 of them, and a
   * run holds one page. Pages follow the ordinal, so statements that finish meanwhile do not shift them.
   */
  async *pendingStatements(changeId: number, pageSize = STATEMENTS_PER_PAGE): AsyncGenerator<StoredStatement[]> {
    let fromOrdinal = 0;
    for (;;) {
      const { rows } = await this.pool.query<StoredStatement>({ name: "sluice-pending-statements", text: PENDING_STATEMENTS, values: [changeId, fromOrdinal, pageSize] });
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < pageSize) return;
      fromOrdinal = rows.at(-1)!.ordinal + 1;
    }
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

  private async summary(changeId: number): Promise<Pick<ChangeDetail, "tally" | "sqlHead" | "sqlLength">> {
    const [row] = await this.prisma.$queryRawUnsafe<TallyRow[]>(STATEMENT_TALLY, changeId);
    if (!row) throw new Error(`change ${changeId} does not exist`);
    return {
      tally: {
        total: row.total,
        done: row.done,
        ...(row.failedOrdinal === null ? {} : { failed: { ordinal: row.failedOrdinal, line: row.failedLine ?? 0 } }),
        rowsAffected: Number(row.rowsAffected),
        durationMs: Number(row.durationMs),
      },
      sqlHead: row.sqlHead,
      sqlLength: row.sqlLength,
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

/** A decision that rewrites a large change (a forced rollback of 100,000 rows takes seconds): Prisma's 5 s default is for small ones. */
const LARGE_WRITE = { maxWait: 10_000, timeout: 600_000 };

/** Times are written in UTC, as Prisma writes them. */
const NOW = `(now() AT TIME ZONE 'UTC')`;

const NEXT_CHANGE_NUMBER = `UPDATE "Project" SET "lastChangeNumber" = "lastChangeNumber" + 1, "updatedAt" = ${NOW} WHERE "id" = $1 RETURNING "lastChangeNumber" AS "number"`;

const INSERT_CHANGE = `
  INSERT INTO "Change" ("projectId", "number", "key", "databaseId", "type", "status", "sql", "description", "requesterId", "requestKey", "rollbackOfId", "createdAt", "updatedAt")
  VALUES ($1, $2, $3, $4, $5::text::"ChangeType", $6::text::"ChangeStatus", $7, $8, $9, $10, $11, ${NOW}, ${NOW})
  RETURNING "id"`;

const INSERT_REVIEW = `INSERT INTO "Review" ("changeId", "errorCount", "warningCount", "createdAt") VALUES ($1, $2, $3, ${NOW}) RETURNING "id"`;

const INSERT_ROLLBACK = `INSERT INTO "Rollback" ("sourceChangeId", "rollbackChangeId", "rowCount", "createdAt") VALUES ($1, $2, $3, ${NOW})`;

/** A change's statements as columns of arrays: one INSERT per chunk, however many statements there are. */
const INSERT_STATEMENTS = `
  INSERT INTO "Statement" ("changeId", "ordinal", "sql", "line", "column")
  SELECT $1::integer, s.* FROM unnest($2::integer[], $3::text[], $4::integer[], $5::integer[]) AS s`;

const INSERT_FINDINGS = `
  INSERT INTO "Finding" ("reviewId", "statementOrdinal", "line", "column", "ruleId", "level", "message", "advice")
  SELECT $1::integer, f.ordinal, f.line, f.col, f.rule, f.level::"FindingLevel", f.message, f.advice
  FROM unnest($2::integer[], $3::integer[], $4::integer[], $5::text[], $6::text[], $7::text[], $8::text[]) AS f(ordinal, line, col, rule, level, message, advice)`;

/** Rows per INSERT of statements or findings: bounded parameters, whatever the size of the change. */
const ROWS_PER_INSERT = 10_000;

/** Something that runs a query: a pooled client in a transaction, or Prisma's transaction (prismaQueries). */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/** A Prisma transaction as a Queryable, for writes that a decision makes alongside its status move. */
export function prismaQueries(tx: Prisma.TransactionClient): Queryable {
  return { query: (text, values) => tx.$executeRawUnsafe(text, ...values) };
}

/** Inserts a change's statements in order, ROWS_PER_INSERT per INSERT, given at once or a page at a time. */
export async function insertStatements(client: Queryable, changeId: number, statements: readonly NewStatement[] | AsyncIterable<readonly NewStatement[]>): Promise<void> {
  let ordinal = 0;
  const insert = async (chunk: readonly NewStatement[]) => {
    const first = ordinal;
    ordinal += chunk.length;
    await client.query(INSERT_STATEMENTS, [
      changeId,
      chunk.map((_, i) => first + i),
      chunk.map((s) => s.sql),
      chunk.map((s) => s.line),
      chunk.map((s) => s.column),
    ]);
  };
  if (Array.isArray(statements)) {
    for (let first = 0; first < statements.length; first += ROWS_PER_INSERT) await insert(statements.slice(first, first + ROWS_PER_INSERT));
    return;
  }
  let pending: NewStatement[] = [];
  for await (const page of statements as AsyncIterable<readonly NewStatement[]>) {
    pending.push(...page);
    if (pending.length >= ROWS_PER_INSERT) {
      await insert(pending);
      pending = [];
    }
  }
  if (pending.length > 0) await insert(pending);
}

/** Reads rows with a query: a pool, a pooled client, or Prisma's transaction (its raw query). */
export type RowReader = (text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>;

export function rowsOf(client: Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">): RowReader {
  return async (text, values) => (await (client as pg.Pool).query(text, values)).rows;
}

export function prismaRows(tx: Prisma.TransactionClient): RowReader {
  return (text, values) => tx.$queryRawUnsafe(text, ...values);
}

const ROLLBACK_CHUNKS = `
  SELECT "seq", "sql" FROM "RollbackChunk" WHERE "executionId" = $1::integer AND "forced" = $2::boolean AND "seq" >= $3::integer
  ORDER BY "seq" LIMIT 4`;

/** The pieces of an execution's rollback script in order, read a few at a time. */
export async function* rollbackChunks(read: RowReader, executionId: number, forced: boolean): AsyncGenerator<string> {
  let next = 0;
  for (;;) {
    const rows = await read(ROLLBACK_CHUNKS, [executionId, forced, next]);
    for (const row of rows) yield String(row.sql);
    if (rows.length < 4) return;
    next = Number(rows.at(-1)!.seq) + 1;
  }
}

/** Statements of a script given in pieces cut between statements, with their lines counted in the whole script. */
export async function* statementsOfScript(chunks: AsyncIterable<string>, split: (text: string) => NewStatement[]): AsyncGenerator<NewStatement[]> {
  let linesBefore = 0;
  for await (const chunk of chunks) {
    const statements = split(chunk).map((statement) => ({ ...statement, line: statement.line + linesBefore }));
    for (let i = chunk.indexOf("\n"); i >= 0; i = chunk.indexOf("\n", i + 1)) linesBefore += 1;
    if (statements.length > 0) yield statements;
  }
}

/**
 * Where a change's SQL is kept in pieces: for a rollback change, the source's execution whose script it is (the
 * forced pieces once forced), and the length in bytes either way.
 */
const SQL_SOURCE = `
  SELECT e."id" AS "executionId", r."forced", octet_length(c."sql")::integer AS "bytes"
  FROM "Change" c
  LEFT JOIN "Rollback" r ON r."rollbackChangeId" = c."id"
  LEFT JOIN LATERAL (
    SELECT "id" FROM "Execution" WHERE "changeId" = r."sourceChangeId" AND "status" = 'done' ORDER BY "attempt" DESC LIMIT 1
  ) AS e ON true
  WHERE c."id" = $1`;

/** A rollback change's SQL: the script its source's execution prepared, joined in the store. */
const SQL_FROM_ROLLBACK_SCRIPT = `
  UPDATE "Change" SET "sql" = coalesce((SELECT string_agg("sql", '' ORDER BY "seq") FROM "RollbackChunk" WHERE "executionId" = $2 AND NOT "forced"), '')
  WHERE "id" = $1`;

/** The same from the forced pieces, when an approver overrides rows changed since. */
export const SQL_FROM_FORCED_SCRIPT = `
  UPDATE "Change" SET "sql" = coalesce((SELECT string_agg("sql", '' ORDER BY "seq") FROM "RollbackChunk" WHERE "executionId" = $2 AND "forced"), '')
  WHERE "id" = $1`;

async function insertFindings(client: Queryable, reviewId: number, findings: readonly NewFinding[]): Promise<void> {
  for (let first = 0; first < findings.length; first += ROWS_PER_INSERT) {
    const chunk = findings.slice(first, first + ROWS_PER_INSERT);
    await client.query(INSERT_FINDINGS, [
      reviewId,
      chunk.map((f) => f.statementOrdinal),
      chunk.map((f) => f.line),
      chunk.map((f) => f.column),
      chunk.map((f) => f.ruleId),
      chunk.map((f) => f.level),
      chunk.map((f) => f.message),
      chunk.map((f) => f.advice),
    ]);
  }
}

/** Runs `work` in a transaction on one pooled connection: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const value = await work(client);
    await client.query("COMMIT");
    return value;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
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

const MARK_COMMITTING = `UPDATE "Execution" SET "committingAt" = ${NOW} WHERE "id" = $1::integer`;

const RECORD_ROLLBACK = `
  UPDATE "Execution" SET "rollbackRows" = $2, "threadId" = $3, "gtid" = $4, "binlogStart" = $5, "binlogEnd" = $6, "backupTables" = $7::jsonb
  WHERE "id" = $1::integer`;

const INSERT_ROLLBACK_CHUNKS = `
  INSERT INTO "RollbackChunk" ("executionId", "forced", "seq", "sql")
  SELECT $1::integer, $2::boolean, c.seq, c.sql FROM unnest($3::integer[], $4::text[]) AS c(seq, sql)`;

/** Pieces of a rollback script written per statement (about 2 MB). */
const CHUNKS_PER_WRITE = 8;

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
   * and the execution is marked as committing; false when the change had moved on and nothing was written.
   */
  async recordTransaction(executionId: number, changeId: number, results: TransactionResults, committing: boolean): Promise<boolean> {
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
      if (committing) await client.query(MARK_COMMITTING, [executionId]);
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
      for (const [forced, chunks] of [[false, rollback.chunks], [true, rollback.forcedChunks ?? []]] as const) {
        for (let first = 0; first < chunks.length; first += CHUNKS_PER_WRITE) {
          const part = chunks.slice(first, first + CHUNKS_PER_WRITE);
          await client.query(INSERT_ROLLBACK_CHUNKS, [executionId, forced, part.map((_, i) => first + i), part]);
        }
      }
    });
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
