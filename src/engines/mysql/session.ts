// An EngineSession on one MySQL/MariaDB connection.
import type { StatementOutcome } from "../engine.ts";
import { LinkedSession, type SessionOperations } from "../linked-session.ts";
import { statementFailed } from "../errors.ts";
import type { MySqlLink } from "./connect.ts";
import { readOnlyQuery } from "./read-only-query.ts";
import { dumpSchema, schemaFingerprint } from "./schema-dump.ts";
import { mysqlReviewCatalog } from "./review-catalog.ts";
import { mysqlLeadingKeyword } from "./split.ts";

/** Server errors that mean a time limit ran out: MariaDB max_statement_time, MySQL max_execution_time, lock wait. */
const TIMEOUT_ERRNOS = new Set([1969, 3024, 1205]);

/** Statements whose affected-row count is not rows of data (a copying ALTER TABLE reports the rows it copied). */
const DATA_DEFINITION = new Set(["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"]);

const operations: SessionOperations<MySqlLink> = {
  run: runStatement,
  beginStatement: "START TRANSACTION",
  readOnlyQuery,
  dumpSchema,
  schemaFingerprint,
  reviewCatalog: (link) => mysqlReviewCatalog(link.conn),
};

export class MySqlSession extends LinkedSession<MySqlLink> {
  constructor(link: MySqlLink) {
    super(link, operations);
  }

  async execute(sql: string): Promise<StatementOutcome> {
    const started = performance.now();
    const result = await runStatement(this.link, sql);
    const rowsAffected = DATA_DEFINITION.has(mysqlLeadingKeyword(sql)) ? 0 : affectedRows(result);
    return { rowsAffected, durationMs: performance.now() - started };
  }

  /** Runs one statement with parameters on this connection (inside any open transaction) and returns its rows; for the rollback recorder. */
  async queryRows(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
    try {
      const [rows] = await this.link.conn.query(sql, params);
      return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
    } catch (error) {
      throw statementFailed(error, isTimeout(error));
    }
  }

  async close(): Promise<void> {
    try {
      await this.link.conn.end();
    } catch {
      this.link.core.destroy();
    }
  }
}

/** Runs one statement with the text protocol and turns a server refusal into an EngineError with the server's message. */
export async function runStatement(link: MySqlLink, sql: string): Promise<unknown> {
  try {
    const [result] = await link.conn.query(sql);
    return result;
  } catch (error) {
    throw statementFailed(error, isTimeout(error));
  }
}

export function isTimeout(error: unknown): boolean {
  return TIMEOUT_ERRNOS.has((error as { errno?: number } | null)?.errno ?? 0);
}

function affectedRows(result: unknown): number {
  // A CALL answers with its result sets followed by one status header.
  const header = Array.isArray(result) ? [...result].reverse().find((part: unknown) => !Array.isArray(part)) : result;
  const count = (header as { affectedRows?: unknown } | undefined)?.affectedRows;
  return typeof count === "number" ? count : 0;
}
