// An EngineSession on one PostgreSQL connection.
import type pg from "pg";
import type { StatementOutcome } from "../engine.ts";
import { LinkedSession, type SessionOperations } from "../linked-session.ts";
import { statementFailed } from "../errors.ts";
import type { PostgresLink } from "./connect.ts";
import { readOnlyQuery } from "./read-only-query.ts";
import { dumpSchema, schemaFingerprint } from "./schema-dump.ts";
import { postgresReviewCatalog } from "./review-catalog.ts";

/** query_canceled (statement_timeout) and lock_not_available (lock_timeout). */
const TIMEOUT_CODES = new Set(["57014", "55P03"]);

/** Commands whose row count is rows of data changed; for the rest (DDL, SELECT) it is reported as 0. */
const DATA_CHANGES = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"]);

const operations: SessionOperations<PostgresLink> = {
  run: runStatement,
  beginStatement: "BEGIN",
  readOnlyQuery,
  dumpSchema,
  schemaFingerprint,
  reviewCatalog: (link) => postgresReviewCatalog(link.client),
};

export class PostgresSession extends LinkedSession<PostgresLink> {
  constructor(link: PostgresLink) {
    super(link, operations);
  }

  async execute(sql: string): Promise<StatementOutcome> {
    const started = performance.now();
    const result = await runStatement(this.link, sql);
    const rowsAffected = DATA_CHANGES.has(result.command) ? (result.rowCount ?? 0) : 0;
    return { rowsAffected, durationMs: performance.now() - started };
  }

  /** Runs one statement with parameters on this connection (inside any open transaction) and returns its rows; for the rollback recorder. */
  async queryRows(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
    try {
      return (await this.link.client.query(sql, params)).rows as Array<Record<string, unknown>>;
    } catch (error) {
      throw statementFailed(error, isTimeout(error));
    }
  }

  async close(): Promise<void> {
    await this.link.client.end();
  }
}

/**
 * Runs exactly one statement: the extended protocol refuses a string holding several, which the simple protocol
 * would run one after another. Server refusals become EngineErrors with the server's message.
 */
export async function runStatement(link: PostgresLink, sql: string, rowMode?: "array"): Promise<pg.QueryResult> {
  const query: pg.QueryConfig & { queryMode: "extended"; rowMode?: "array" } = { text: sql, queryMode: "extended" };
  if (rowMode) query.rowMode = rowMode;
  try {
    return await link.client.query(query);
  } catch (error) {
    throw statementFailed(error, isTimeout(error));
  }
}

export function isTimeout(error: unknown): boolean {
  return TIMEOUT_CODES.has((error as { code?: string } | null)?.code ?? "");
}
