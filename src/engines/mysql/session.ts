// An EngineSession on one MySQL/MariaDB connection.
import type { ResultSetHeader } from "mysql2";
import type { BatchOutcome, QueryResult, ReadOnlyQueryOptions, SessionMark, StatementOutcome } from "../engine.ts";
import { LinkedSession, type SessionOperations } from "../linked-session.ts";
import { EngineError, statementFailed } from "../errors.ts";
import type { MySqlLink } from "./connect.ts";
import { sessionMark } from "./cut-short.ts";
import { readOnlyQuery } from "./read-only-query.ts";
import { dumpSchema, schemaFingerprint } from "./schema-dump.ts";
import { mysqlReviewCatalog } from "./review-catalog.ts";
import { mysqlLeadingKeyword, splitStatements } from "./split.ts";

/** Server errors that mean a time limit ran out: MariaDB max_statement_time, MySQL max_execution_time, lock wait. */
const TIMEOUT_ERRNOS = new Set([1969, 3024, 1205]);

/** Statements whose affected-row count is not rows of data (a copying ALTER TABLE reports the rows it copied). */
const DATA_DEFINITION = new Set(["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"]);

/**
 * Statements a multi-statement packet may carry: each answers with exactly one OK packet, so counting the answers
 * tells which statement failed. (RETURNING would answer with rows: such a statement goes on its own.)
 */
const BATCHABLE = new Set(["INSERT", "UPDATE", "DELETE", "REPLACE"]);

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
    this.refuseSeveral(sql);
    const started = performance.now();
    const result = await runStatement(this.link, sql);
    const rowsAffected = DATA_DEFINITION.has(mysqlLeadingKeyword(sql)) ? 0 : affectedRows(result);
    return { rowsAffected, durationMs: performance.now() - started };
  }

  override async readOnlyQuery(sql: string, options: ReadOnlyQueryOptions): Promise<QueryResult> {
    this.refuseSeveral(sql);
    return super.readOnlyQuery(sql, options);
  }

  /**
   * Inside the open transaction, on a connection opened for batches: runs of data statements go to the server as one
   * multi-statement packet, which the server runs in order and stops at the first failure; others run on their own.
   */
  override async executeBatch(statements: readonly string[]): Promise<BatchOutcome> {
    if (!this.inTransaction || !this.link.multipleStatements) return super.executeBatch(statements);
    const outcomes: StatementOutcome[] = [];
    let next = 0;
    while (next < statements.length) {
      let end = next;
      while (end < statements.length && batchable(statements[end]!)) end += 1;
      const part = end > next ? await this.runPacket(statements.slice(next, end)) : await super.executeBatch([statements[next]!]);
      outcomes.push(...part.outcomes);
      if (part.failure) return { outcomes, failure: { index: next + part.failure.index, error: part.failure.error } };
      next = Math.max(end, next + 1);
    }
    return { outcomes };
  }

  /** One packet of statements; a statement's time runs from the previous one's answer to its own. */
  private runPacket(statements: readonly string[]): Promise<BatchOutcome> {
    return new Promise((resolve) => {
      const outcomes: StatementOutcome[] = [];
      let previous = performance.now();
      // Each statement on lines of its own, so a trailing `-- comment` cannot swallow the separator.
      const query = this.link.core.query(statements.join("\n;\n"), (error: unknown) => {
        if (error) {
          resolve({ outcomes, failure: { index: outcomes.length, error: statementFailed(error, isTimeout(error)) } });
        } else if (outcomes.length !== statements.length) {
          const mismatch = new EngineError(`the server answered ${outcomes.length} statements for ${statements.length}`, { kind: "invalid" });
          resolve({ outcomes: [], failure: { index: 0, error: mismatch } });
        } else {
          resolve({ outcomes });
        }
      });
      query.on("result", (header: ResultSetHeader) => {
        const now = performance.now();
        outcomes.push({ rowsAffected: header.affectedRows ?? 0, durationMs: now - previous });
        previous = now;
      });
    });
  }

  /** On a connection that accepts multi-statement packets, execute still runs exactly one statement. */
  private refuseSeveral(sql: string): void {
    if (this.link.multipleStatements && splitStatements(sql).length > 1) {
      throw new EngineError("the statement holds several statements; run them as separate statements", { kind: "invalid" });
    }
  }

  /** Where this session stood in the binlog as it starts a run one by one (cut-short.ts settles a crash from it). */
  override mark(): Promise<SessionMark | undefined> {
    return sessionMark((sql, values) => this.queryRows(sql, values), this.connectionId);
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

function batchable(sql: string): boolean {
  return BATCHABLE.has(mysqlLeadingKeyword(sql)) && !/\bRETURNING\b/i.test(sql) && splitStatements(sql).length === 1;
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
