// The change history: creating changes with their statements and review, moving their status with
// compare-and-set, and reading them back whole.
import type pg from "pg";
import { changeDetailById, changeDetailByKey, shownStatements, type ChangeDetail, type ShownStatement } from "./change-detail.ts";
import { ChangeNotFoundError, ChangeStoredError, isUniqueViolation } from "./errors.ts";
import type { Approval, ChangeStatus, ChangeType, Decision, FindingLevel, Prisma, PrismaClient, Statement } from "./generated/client.ts";
import { changeSubject, enqueue } from "./outbox.ts";
import { inTransaction, NOW, prismaQueries, rowsOf, type Queryable } from "./plain-sql.ts";
import { rollbackChunks, SQL_FROM_ROLLBACK_SCRIPT, SQL_SOURCE, statementsOfScript } from "./rollback-scripts.ts";

export type { ChangeStatus, ChangeType };
export { changeDetail, type ChangeDetail, type ShownStatement, type StatementTally } from "./change-detail.ts";

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
  /** The open drift the change was checked against at submission, and whether it holds the change. */
  drift?: DriftCheck;
}

/** An open drift anomaly a change was checked against; `held`: the change waits until it is resolved. */
export interface DriftCheck {
  anomalyId: number;
  held: boolean;
}

const STATEMENTS_PER_PAGE = 2_000;

const PENDING_STATEMENTS = `
  SELECT "id", "changeId", "ordinal", "sql", "line", "column", "status"::text AS "status" FROM "Statement"
  WHERE "changeId" = $1::integer AND "ordinal" >= $2::integer AND "status" <> 'done'
  ORDER BY "ordinal" LIMIT $3::integer`;

export type StoredStatement = Statement;

/**
 * What Slack is to be told of a status move (the workflow's ChangeEvent, as JSON): written to the outbox in the same
 * transaction as the move, so a stored move always reaches Slack (outbox.ts).
 */
export type Announcement = object;

/** A decision as it is recorded. */
export interface NewApproval {
  userId: string;
  decision: Decision;
  reason: string;
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
   * through Prisma each copy cost several times its size in memory. `approval` (a policy's) and what Slack is to be
   * told (`announce`, in order) are written in the same transaction.
   */
  async create(
    input: NewChange,
    status: ChangeStatus,
    { approval, announce = [] }: { approval?: NewApproval; announce?: readonly Announcement[] } = {},
  ): Promise<{ change: ChangeDetail; created: boolean }> {
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
          input.drift?.anomalyId ?? null,
          input.drift?.held ?? false,
        ]);
        const changeId = inserted[0]!.id;
        const script = input.fromRollbackScript;
        if (script) {
          await client.query(SQL_FROM_ROLLBACK_SCRIPT, [changeId, script.executionId, false]);
          await insertStatements(client, changeId, statementsOfScript(rollbackChunks(rowsOf(client), script.executionId, false), script.split));
        } else {
          await insertStatements(client, changeId, [input.statements]);
        }
        const { rows: reviews } = await client.query<{ id: number }>(INSERT_REVIEW, [changeId, input.review.errorCount, input.review.warningCount]);
        await insertFindings(client, reviews[0]!.id, input.review.findings);
        if (input.rollbackOf) await client.query(INSERT_ROLLBACK, [input.rollbackOf.changeId, changeId, input.rollbackOf.rowCount]);
        if (approval) await client.query(INSERT_APPROVAL, [changeId, approval.userId, approval.decision, approval.reason]);
        for (const event of announce) await enqueue(client, changeSubject(changeId), event);
        return changeId;
      });
      return { change: await this.storedChange(id), created: true };
    } catch (error) {
      if (error instanceof ChangeStoredError) throw error;
      if (input.requestKey && isUniqueViolation(error)) {
        const existing = await this.prisma.change.findUnique({ where: { requestKey: input.requestKey }, select: { id: true } });
        if (existing) return { change: await this.get(existing.id), created: false };
      }
      throw error;
    }
  }

  /** A change just committed, read back; when the store fails to answer, a ChangeStoredError says it is stored all the same. */
  private async storedChange(id: number): Promise<ChangeDetail> {
    try {
      return await this.get(id);
    } catch (error) {
      const key = await this.statusOf(id).then((row) => row?.key).catch(() => undefined);
      throw new ChangeStoredError(id, key, error);
    }
  }

  async get(id: number): Promise<ChangeDetail> {
    const change = await changeDetailById(this.pool, id);
    if (!change) throw new ChangeNotFoundError(id);
    return change;
  }

  /**
   * A change's key and status alone (undefined if there is none): what a button checks first, since most clicks on
   * a change that moved on go no further, and its whole detail costs the store about 30 times as much to read.
   */
  async statusOf(id: number): Promise<{ key: string; status: ChangeStatus } | undefined> {
    const { rows } = await this.pool.query<{ key: string; status: ChangeStatus }>({
      name: "sluice-change-status",
      text: `SELECT "key", "status"::text AS "status" FROM "Change" WHERE "id" = $1::integer`,
      values: [id],
    });
    return rows[0];
  }

  async findByKey(key: string): Promise<ChangeDetail | null> {
    return (await changeDetailByKey(this.pool, key)) ?? null;
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

  /** The change's first `limit` statements, each with its result in the last execution. */
  shownStatements(change: ChangeDetail, limit: number): Promise<ShownStatement[]> {
    return shownStatements(this.pool, change.id, change.executions.at(-1)?.id, limit);
  }

  /**
   * Moves a change from one of `from` to `to`, writing `announce` for Slack with the move; false when another request
   * moved it first (then nothing is written).
   */
  async transition(id: number, from: ChangeStatus[], to: ChangeStatus, announce?: Announcement): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const result = await tx.change.updateMany({ where: { id, status: { in: from } }, data: { status: to } });
      if (result.count !== 1) return false;
      if (announce) await enqueue(prismaQueries(tx), changeSubject(id), announce);
      return true;
    });
  }

  /**
   * A decision: the status moves (compare-and-set) and who decided is recorded, with `alongside` (what else the
   * decision changes) and what Slack is to be told of it, in one transaction, so no one ever sees the new status
   * without them. Undefined when the status had already moved on.
   */
  async decide(
    id: number,
    from: ChangeStatus[],
    to: ChangeStatus,
    approval: NewApproval,
    { alongside, announce }: { alongside?: (tx: Prisma.TransactionClient) => Promise<void>; announce?: Announcement } = {},
  ): Promise<Approval | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const moved = await tx.change.updateMany({ where: { id, status: { in: from } }, data: { status: to } });
      if (moved.count !== 1) return undefined;
      await alongside?.(tx);
      if (announce) await enqueue(prismaQueries(tx), changeSubject(id), announce);
      return tx.approval.create({ data: { changeId: id, ...approval } });
    }, LARGE_WRITE);
  }

  /** Holds a change for an open drift (it may not be approved or run until the drift is resolved), and says so. */
  async holdForDrift(id: number, anomalyId: number, announce?: Announcement): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.change.updateMany({ where: { id }, data: { driftAnomalyId: anomalyId, driftHeld: true } });
      if (announce) await enqueue(prismaQueries(tx), changeSubject(id), announce);
    });
  }

  /** Lets a held change go, and says so; false when it was not held (another replica or request released it first). */
  async releaseDriftHold(id: number, announce?: Announcement): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.change.updateMany({ where: { id, driftHeld: true }, data: { driftHeld: false } });
      if (count === 1 && announce) await enqueue(prismaQueries(tx), changeSubject(id), announce);
      return count === 1;
    });
  }

  /** Held changes still waiting (for approval, or approved and not yet run), oldest first; of one database when given. */
  async heldForDrift(databaseId?: number): Promise<Array<{ id: number; status: ChangeStatus; databaseId: number; driftAnomalyId: number | null }>> {
    return this.prisma.change.findMany({
      where: { driftHeld: true, status: { in: ["awaiting_approval", "approved"] }, ...(databaseId === undefined ? {} : { databaseId }) },
      orderBy: { id: "asc" },
      select: { id: true, status: true, databaseId: true, driftAnomalyId: true },
    });
  }

  async recordSlackMessage(id: number, channel: string, ts: string): Promise<void> {
    // updateMany: an update would read the whole row back, SQL and all (a rollback's is tens of MB).
    await this.prisma.change.updateMany({ where: { id }, data: { slackChannel: channel, slackTs: ts } });
  }

  async history(databaseId: number, limit: number) {
    return this.prisma.change.findMany({ where: { databaseId }, orderBy: { id: "desc" }, take: limit, omit: { sql: true } });
  }
}

/** A decision that rewrites a large change (a forced rollback of 100,000 rows takes seconds): Prisma's 5 s default is for small ones. */
const LARGE_WRITE = { maxWait: 10_000, timeout: 600_000 };

const NEXT_CHANGE_NUMBER = `UPDATE "Project" SET "lastChangeNumber" = "lastChangeNumber" + 1, "updatedAt" = ${NOW} WHERE "id" = $1 RETURNING "lastChangeNumber" AS "number"`;

const INSERT_CHANGE = `
  INSERT INTO "Change" ("projectId", "number", "key", "databaseId", "type", "status", "sql", "description", "requesterId", "requestKey", "rollbackOfId",
    "driftAnomalyId", "driftHeld", "createdAt", "updatedAt")
  VALUES ($1, $2, $3, $4, $5::text::"ChangeType", $6::text::"ChangeStatus", $7, $8, $9, $10, $11, $12, $13, ${NOW}, ${NOW})
  RETURNING "id"`;

const INSERT_REVIEW = `INSERT INTO "Review" ("changeId", "errorCount", "warningCount", "createdAt") VALUES ($1, $2, $3, ${NOW}) RETURNING "id"`;

const INSERT_APPROVAL = `INSERT INTO "Approval" ("changeId", "userId", "decision", "reason", "createdAt") VALUES ($1, $2, $3::text::"Decision", $4, ${NOW})`;

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

/** Inserts a change's statements, given a page at a time (or as one page), in order, ROWS_PER_INSERT per INSERT. */
export async function insertStatements(client: Queryable, changeId: number, pages: Iterable<readonly NewStatement[]> | AsyncIterable<readonly NewStatement[]>): Promise<void> {
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
  let pending: NewStatement[] = [];
  for await (const page of pages) {
    for (const statement of page) {
      pending.push(statement);
      if (pending.length === ROWS_PER_INSERT) {
        await insert(pending);
        pending = [];
      }
    }
  }
  if (pending.length > 0) await insert(pending);
}

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
