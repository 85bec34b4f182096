// An EngineSession on one MySQL/MariaDB connection.
import type { ResultSetHeader } from "mysql2";
import type { BatchOutcome, QueryResult, ReadOnlyQueryOptions, SessionMark, StatementOutcome } from "../engine.ts";
import { LinkedSession, type SessionOperations } from "../linked-session.ts";
import { EngineError, statementFailed } from "../errors.ts";
import type { MySqlLink } from "./connect.ts";
import { sessionMark } from "./cut-short.ts";
import { readOnlyQuery } from "./read-only-query.ts";
import type { MySqlServer } from "./server.ts";
import { dumpSchema, schemaFingerprint } from "./schema-dump.ts";
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

/** One statement of a pipeline, and what receives its rows when it returns some. */
export interface PipelinedStatement {
  sql: string;
  onRow?: (row: unknown[]) => void;
}

export interface PipelinedAnswer {
  affectedRows: number;
  /** Rows it returned (each went to onRow). */
  rows: number;
  durationMs: number;
}

export interface PipelineOutcome {
  answers: PipelinedAnswer[];
  /** The first statement that failed, by its index; none after it ran. */
  failure?: { index: number; error: Error };
}

const operations: SessionOperations<MySqlLink> = {
  run: runStatement,
  beginStatement: "START TRANSACTION",
  readOnlyQuery,
  dumpSchema,
  schemaFingerprint,
};

export class MySqlSession extends LinkedSession<MySqlLink> {
  constructor(link: MySqlLink) {
    super(link, operations);
  }

  /** Which server answers, as read when the connection opened. */
  get server(): MySqlServer {
    return this.link.server;
  }

  /** The database the session was opened on. */
  get database(): string | undefined {
    return this.link.target.database;
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
  private async runPacket(statements: readonly string[]): Promise<BatchOutcome> {
    const { answers, failure } = await this.pipeline(statements.map((sql) => ({ sql })));
    const outcomes = answers.map((answer) => ({ rowsAffected: answer.affectedRows, durationMs: answer.durationMs }));
    return failure ? { outcomes, failure } : { outcomes };
  }

  /**
   * Runs statements in order and stops at the first failure: as one multi-statement packet where the connection
   * allows it, else one after another. Rows of a statement that returns some go to its onRow as they arrive (as
   * arrays), so a large result is never held whole.
   */
  async pipeline(statements: readonly PipelinedStatement[]): Promise<PipelineOutcome> {
    if (this.link.multipleStatements) return this.send(statements);
    const answers: PipelinedAnswer[] = [];
    for (const [index, statement] of statements.entries()) {
      const { answers: [answer], failure } = await this.send([statement]);
      if (failure) return { answers, failure: { index, error: failure.error } };
      answers.push(answer!);
    }
    return { answers };
  }

  private send(statements: readonly PipelinedStatement[]): Promise<PipelineOutcome> {
    return new Promise((resolve) => {
      const answers: PipelinedAnswer[] = [];
      let previous = performance.now();
      let current: PipelinedAnswer | undefined;
      const close = (): void => {
        if (!current) return;
        const now = performance.now();
        current.durationMs = now - previous;
        previous = now;
        answers.push(current);
        current = undefined;
      };
      // Each statement on lines of its own, so a trailing `-- comment` cannot swallow the separator.
      const query = this.link.core.query({ sql: statements.map((statement) => statement.sql).join("\n;\n"), rowsAsArray: true });
      // Every statement's answer starts with `fields` (undefined for one without rows), then its header or its rows.
      query.on("fields", () => {
        close();
        current = { affectedRows: 0, rows: 0, durationMs: 0 };
      });
      query.on("result", (result: unknown) => {
        if (!current) return;
        if (Array.isArray(result)) {
          current.rows += 1;
          statements[answers.length]?.onRow?.(result);
        } else {
          current.affectedRows = (result as ResultSetHeader).affectedRows ?? 0;
          close();
        }
      });
      query.on("error", (error: unknown) => {
        current = undefined;
        resolve({ answers, failure: { index: answers.length, error: statementFailed(error, isTimeout(error)) } });
      });
      query.on("end", () => {
        close();
        if (answers.length === statements.length) return resolve({ answers });
        const mismatch = new EngineError(`the server answered ${answers.length} statements for ${statements.length}`, { kind: "invalid" });
        resolve({ answers: [], failure: { index: 0, error: mismatch } });
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
