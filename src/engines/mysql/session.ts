// An EngineSession on one MySQL/MariaDB connection.
import type { EngineSession, QueryResult, ReadOnlyQueryOptions, StatementOutcome } from "../engine.ts";
import { EngineError, statementFailed } from "../errors.ts";
import type { MySqlLink } from "./connect.ts";
import { readOnlyQuery } from "./read-only-query.ts";
import { dumpSchema, schemaFingerprint } from "./schema-dump.ts";
import { mysqlReviewCatalog } from "./review-catalog.ts";
import type { ReviewCatalog } from "../../review/catalog.ts";
import { mysqlLeadingKeyword } from "./split.ts";

/** Server errors that mean a time limit ran out: MariaDB max_statement_time, MySQL max_execution_time, lock wait. */
const TIMEOUT_ERRNOS = new Set([1969, 3024, 1205]);

/** Statements whose affected-row count is not rows of data (a copying ALTER TABLE reports the rows it copied). */
const DATA_DEFINITION = new Set(["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"]);

export class MySqlSession implements EngineSession {
  readonly connectionId: number;
  private inTransaction = false;

  constructor(private readonly link: MySqlLink) {
    this.connectionId = link.connectionId;
  }

  async execute(sql: string): Promise<StatementOutcome> {
    const started = performance.now();
    const result = await runStatement(this.link, sql);
    const rowsAffected = DATA_DEFINITION.has(mysqlLeadingKeyword(sql)) ? 0 : affectedRows(result);
    return { rowsAffected, durationMs: performance.now() - started };
  }

  async begin(): Promise<void> {
    await runStatement(this.link, "START TRANSACTION");
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    this.inTransaction = false;
    await runStatement(this.link, "COMMIT");
  }

  async rollback(): Promise<void> {
    this.inTransaction = false;
    await runStatement(this.link, "ROLLBACK");
  }

  readOnlyQuery(sql: string, options: ReadOnlyQueryOptions): Promise<QueryResult> {
    if (this.inTransaction) {
      throw new EngineError("a read-only query cannot run inside an open transaction", { kind: "invalid" });
    }
    return readOnlyQuery(this.link, sql, options);
  }

  dumpSchema(): Promise<string> {
    return dumpSchema(this.link);
  }

  schemaFingerprint(): Promise<string> {
    return schemaFingerprint(this.link);
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

  reviewCatalog(): ReviewCatalog {
    return mysqlReviewCatalog(this.link.conn);
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
