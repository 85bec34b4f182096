// The change history: creating changes with their statements and review, moving their status with
// compare-and-set, and reading them back whole.
import type { ChangeStatus, ChangeType, FindingLevel, Prisma, PrismaClient } from "./generated/client.ts";

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

export const changeDetail = {
  database: { include: { instance: true, environment: true, project: true } },
  statements: { orderBy: { ordinal: "asc" } },
  reviews: { orderBy: { id: "desc" }, take: 1, include: { findings: { orderBy: { id: "asc" } } } },
  approvals: { orderBy: { id: "asc" } },
  executions: { orderBy: { attempt: "asc" }, include: { results: { orderBy: { statementId: "asc" } } } },
  snapshots: { orderBy: { id: "asc" } },
  rollbackOf: true,
} satisfies Prisma.ChangeInclude;

export type ChangeDetail = Prisma.ChangeGetPayload<{ include: typeof changeDetail }>;

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
      const existing = await this.prisma.change.findUnique({ where: { requestKey: input.requestKey }, include: changeDetail });
      if (existing) return { change: existing, created: false };
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
            statements: { create: input.statements.map((s, ordinal) => ({ ordinal, sql: s.sql, line: s.line, column: s.column })) },
            reviews: {
              create: {
                errorCount: input.review.errorCount,
                warningCount: input.review.warningCount,
                findings: { create: input.review.findings },
              },
            },
          },
        });
        return change.id;
      });
      return { change: await this.get(id), created: true };
    } catch (error) {
      if (input.requestKey && isUniqueViolation(error)) {
        const existing = await this.prisma.change.findUnique({ where: { requestKey: input.requestKey }, include: changeDetail });
        if (existing) return { change: existing, created: false };
      }
      throw error;
    }
  }

  async get(id: number): Promise<ChangeDetail> {
    return this.prisma.change.findUniqueOrThrow({ where: { id }, include: changeDetail });
  }

  async findByKey(key: string): Promise<ChangeDetail | null> {
    return this.prisma.change.findUnique({ where: { key }, include: changeDetail });
  }

  /** Moves a change from one of `from` to `to`; false when another request moved it first. */
  async transition(id: number, from: ChangeStatus[], to: ChangeStatus): Promise<boolean> {
    const result = await this.prisma.change.updateMany({ where: { id, status: { in: from } }, data: { status: to } });
    return result.count === 1;
  }

  /**
   * Marks a statement as running and opens its result row, in one round trip, only while its change is still
   * `running`; undefined when the change moved on (e.g. recovery declared it interrupted).
   */
  async claimStatement(executionId: number, statementId: number): Promise<number | undefined> {
    const rows = await this.prisma.$queryRaw<Array<{ id: number }>>`
      WITH claimed AS (
        UPDATE "Statement" s SET "status" = 'running'::"StatementStatus"
        FROM "Change" c
        WHERE s."id" = ${statementId} AND c."id" = s."changeId" AND c."status" = 'running'::"ChangeStatus"
        RETURNING s."id"
      )
      INSERT INTO "StatementResult" ("executionId", "statementId", "status", "startedAt")
      SELECT ${executionId}, "id", 'running'::"StatementStatus", now() FROM claimed
      RETURNING "id"`;
    return rows[0]?.id;
  }

  /** Records a statement's end — done with its rows and duration, or failed with the error — in one round trip. */
  async finishStatement(resultId: number, statementId: number, outcome: { rowsAffected: number; durationMs: number } | { error: string }): Promise<void> {
    const status = "error" in outcome ? "failed" : "done";
    const rows = "error" in outcome ? null : outcome.rowsAffected;
    const duration = "error" in outcome ? null : Math.round(outcome.durationMs);
    const error = "error" in outcome ? outcome.error : null;
    await this.prisma.$executeRaw`
      WITH result AS (
        UPDATE "StatementResult"
        SET "status" = ${status}::"StatementStatus", "rowsAffected" = ${rows}::integer, "durationMs" = ${duration}::integer, "error" = ${error}::text, "finishedAt" = now()
        WHERE "id" = ${resultId}
      )
      UPDATE "Statement" SET "status" = ${status}::"StatementStatus" WHERE "id" = ${statementId}`;
  }

  async recordSlackMessage(id: number, channel: string, ts: string): Promise<void> {
    await this.prisma.change.update({ where: { id }, data: { slackChannel: channel, slackTs: ts } });
  }

  async history(databaseId: number, limit: number) {
    return this.prisma.change.findMany({ where: { databaseId }, orderBy: { id: "desc" }, take: limit });
  }
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
