// Reading one change's detail: the change with its database (instance, environment, project), latest review and
// findings, approvals, executions, schema snapshots and the change it rolls back, plus the tally of its statements
// and the start of its SQL; and the first statements it shows with their results. Each is one prepared statement
// that PostgreSQL answers as JSON: through Prisma the detail planned a dozen joins each time and cost the store about
// 4 ms of CPU and Sluice as much again, and each button and modal reads it.
import type pg from "pg";
import type { Prisma, Statement, StatementResult } from "./generated/client.ts";

/** The relations a change's detail carries, as Prisma names them (its type is built from this). */
export const changeDetail = {
  database: { include: { instance: true, environment: true, project: true } },
  reviews: { orderBy: { id: "desc" }, take: 1, include: { findings: { orderBy: { id: "asc" } } } },
  approvals: { orderBy: { id: "asc" } },
  executions: { orderBy: { attempt: "asc" } },
  snapshots: { orderBy: { id: "asc" } },
  // The change a rollback undoes, named only: its SQL may be a whole earlier rollback script, tens of MB.
  rollbackOf: { select: { id: true, key: true } },
  // The drift the change was checked against: enough to name it and link to its alert.
  driftAnomaly: { select: { id: true, status: true, resolution: true, resolvedBy: true, slackChannel: true, slackTs: true } },
} satisfies Prisma.ChangeInclude;

/** The change's own SQL is read only this far with its detail; the whole of it in pieces with sqlInPieces. */
export const SQL_HEAD_CHARACTERS = 4_000;

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

/**
 * A change as the workflow and Slack see it. Its statements and their results are not part of it: a change may hold
 * 100,000 of them (a large rollback), and reading them all each time it is shown cost seconds and hundreds of MB.
 * Their tally is counted in the store; the statements themselves are read when needed (pendingStatements,
 * shownStatements).
 */
export type ChangeDetail = Omit<Prisma.ChangeGetPayload<{ include: typeof changeDetail }>, "sql"> & {
  tally: StatementTally;
  /** The start of the change's SQL (SQL_HEAD_CHARACTERS at most), and whether there is more of it. */
  sqlHead: string;
  sqlCut: boolean;
};

/**
 * A row as JSON, its relations beside its columns. The change's own columns are named, to leave its SQL out without
 * reading it: a rollback change's SQL is its whole script, tens of MB, and to_jsonb(c) would convert it all first.
 * The start of it is read as a slice, and whether it goes on from one more character.
 */
const CHANGE_DETAIL = `
  SELECT jsonb_build_object(
    'id', c."id", 'projectId', c."projectId", 'number', c."number", 'key', c."key", 'databaseId', c."databaseId",
    'type', c."type", 'status', c."status", 'description', c."description", 'requesterId', c."requesterId",
    'requestKey', c."requestKey", 'slackChannel', c."slackChannel", 'slackTs', c."slackTs", 'rollbackOfId', c."rollbackOfId",
    'driftAnomalyId', c."driftAnomalyId", 'driftHeld', c."driftHeld", 'createdAt', c."createdAt", 'updatedAt', c."updatedAt"
  ) || jsonb_build_object(
    'database', (
      SELECT to_jsonb(d) || jsonb_build_object('instance', to_jsonb(i), 'environment', to_jsonb(e), 'project', to_jsonb(p))
      FROM "Database" d JOIN "Instance" i ON i."id" = d."instanceId" JOIN "Environment" e ON e."id" = d."environmentId"
        JOIN "Project" p ON p."id" = d."projectId"
      WHERE d."id" = c."databaseId"),
    'reviews', coalesce((
      SELECT jsonb_agg(to_jsonb(r) || jsonb_build_object('findings', coalesce((
        SELECT jsonb_agg(to_jsonb(f) ORDER BY f."id") FROM "Finding" f WHERE f."reviewId" = r."id"), '[]'::jsonb)))
      FROM (SELECT * FROM "Review" WHERE "changeId" = c."id" ORDER BY "id" DESC LIMIT 1) r), '[]'::jsonb),
    'approvals', coalesce((SELECT jsonb_agg(to_jsonb(a) ORDER BY a."id") FROM "Approval" a WHERE a."changeId" = c."id"), '[]'::jsonb),
    'executions', coalesce((SELECT jsonb_agg(to_jsonb(x) ORDER BY x."attempt") FROM "Execution" x WHERE x."changeId" = c."id"), '[]'::jsonb),
    'snapshots', coalesce((SELECT jsonb_agg(to_jsonb(s) ORDER BY s."id") FROM "SchemaSnapshot" s WHERE s."changeId" = c."id"), '[]'::jsonb),
    'rollbackOf', (SELECT jsonb_build_object('id', o."id", 'key', o."key") FROM "Change" o WHERE o."id" = c."rollbackOfId"),
    'driftAnomaly', (
      SELECT jsonb_build_object('id', a."id", 'status', a."status", 'resolution', a."resolution", 'resolvedBy', a."resolvedBy",
        'slackChannel', a."slackChannel", 'slackTs', a."slackTs")
      FROM "DriftAnomaly" a WHERE a."id" = c."driftAnomalyId"),
    'tally', jsonb_build_object(
      'total', counted.total,
      'done', counted.done,
      'failed', (
        SELECT jsonb_build_object('ordinal', "ordinal", 'line', "line") FROM "Statement"
        WHERE "changeId" = c."id" AND "ordinal" = counted.first_failed),
      'rowsAffected', coalesce(last_run.rows, 0),
      'durationMs', coalesce(last_run.ms, 0)),
    'sqlHead', left(c."sql", ${SQL_HEAD_CHARACTERS}),
    'sqlCut', length(left(c."sql", ${SQL_HEAD_CHARACTERS + 1})) > ${SQL_HEAD_CHARACTERS}
  ) AS "detail"
  FROM "Change" c
  -- One pass over the change's statements (a rollback may hold 100,000 of them) counts all three.
  CROSS JOIN LATERAL (
    SELECT count(*) AS total, count(*) FILTER (WHERE "status" = 'done') AS done,
      min("ordinal") FILTER (WHERE "status" = 'failed') AS first_failed
    FROM "Statement" WHERE "changeId" = c."id"
  ) AS counted
  LEFT JOIN LATERAL (
    SELECT sum("rowsAffected")::float8 AS rows, sum("durationMs")::float8 AS ms FROM "StatementResult"
    WHERE "executionId" = (SELECT "id" FROM "Execution" WHERE "changeId" = c."id" ORDER BY "attempt" DESC LIMIT 1)
  ) AS last_run ON true`;

/** The columns Prisma keeps as DateTime (timestamp(3), UTC, which JSON gives without its zone). */
const TIMESTAMP_KEYS = new Set(["createdAt", "updatedAt", "startedAt", "committingAt", "finishedAt"]);

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value === null || typeof value !== "object") return value;
  const row = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(row)) {
    if (TIMESTAMP_KEYS.has(key) && typeof field === "string") row[key] = new Date(`${field}Z`);
    else if (typeof field === "object") row[key] = key === "backupTables" ? field : revive(field);
  }
  return row;
}

/** A statement with its result in the change's last execution, if it ran there. */
export type ShownStatement = Statement & { result?: StatementResult };

const SHOWN_STATEMENTS = `
  SELECT to_jsonb(s) || CASE WHEN r."id" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('result', to_jsonb(r)) END AS "shown"
  FROM (SELECT * FROM "Statement" WHERE "changeId" = $1::integer ORDER BY "ordinal" LIMIT $3::integer) s
  LEFT JOIN "StatementResult" r ON r."statementId" = s."id" AND r."executionId" = $2::integer
  ORDER BY s."ordinal"`;

/** The change's first `limit` statements, each with its result in `executionId` (the last execution) if there is one. */
export async function shownStatements(pool: pg.Pool, changeId: number, executionId: number | undefined, limit: number): Promise<ShownStatement[]> {
  const { rows } = await pool.query<{ shown: ShownStatement }>({ name: "sluice-shown-statements", text: SHOWN_STATEMENTS, values: [changeId, executionId ?? null, limit] });
  return rows.map((row) => revive(row.shown) as ShownStatement);
}

async function readDetail(pool: pg.Pool, name: string, where: string, value: number | string): Promise<ChangeDetail | undefined> {
  const { rows } = await pool.query<{ detail: Record<string, unknown> }>({ name, text: `${CHANGE_DETAIL} WHERE ${where}`, values: [value] });
  const detail = rows[0]?.detail;
  if (!detail) return undefined;
  const tally = detail.tally as StatementTally & { failed: StatementTally["failed"] | null };
  if (tally.failed === null) delete tally.failed;
  return revive(detail) as ChangeDetail;
}

export function changeDetailById(pool: pg.Pool, id: number): Promise<ChangeDetail | undefined> {
  return readDetail(pool, "sluice-change-detail-by-id", `c."id" = $1::integer`, id);
}

export function changeDetailByKey(pool: pg.Pool, key: string): Promise<ChangeDetail | undefined> {
  return readDetail(pool, "sluice-change-detail-by-key", `c."key" = $1::text`, key);
}
