// An EngineSession on one PostgreSQL connection.
import type pg from "pg";
import type { BatchOutcome, SessionMark, StatementOutcome } from "../engine.ts";
import { LinkedSession, type SessionOperations } from "../linked-session.ts";
import { EngineError, statementFailed } from "../errors.ts";
import type { PostgresLink } from "./connect.ts";
import { sessionMark } from "./cut-short.ts";
import { readOnlyQuery } from "./read-only-query.ts";
import { dumpSchema, schemaFingerprint, schemaSnapshot } from "./schema-dump.ts";

/** query_canceled (statement_timeout) and lock_not_available (lock_timeout). */
const TIMEOUT_CODES = new Set(["57014", "55P03"]);

/** What a pipeline returns: each statement's result and time, in order, up to the first failure. */
export interface PipelinedResults {
  results: Array<{ result: pg.QueryResult; durationMs: number }>;
  failure?: { index: number; error: Error };
}

/** Commands whose row count is rows of data changed; for the rest (DDL, SELECT) it is reported as 0. */
const DATA_CHANGES = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "COPY"]);

const operations: SessionOperations<PostgresLink> = {
  run: runStatement,
  beginStatement: "BEGIN",
  readOnlyQuery,
  dumpSchema,
  schemaFingerprint,
  schemaSnapshot,
};

export class PostgresSession extends LinkedSession<PostgresLink> {
  constructor(link: PostgresLink) {
    super(link, operations);
  }

  async execute(sql: string): Promise<StatementOutcome> {
    const started = performance.now();
    const result = await runStatement(this.link, sql);
    return { rowsAffected: affectedRows(result), durationMs: performance.now() - started };
  }

  override async executeBatch(statements: readonly string[]): Promise<BatchOutcome> {
    if (!this.inTransaction) return super.executeBatch(statements);
    const { results, failure } = await this.pipeline(statements);
    return { outcomes: results.map(({ result, durationMs }) => ({ rowsAffected: affectedRows(result), durationMs })), ...(failure ? { failure } : {}) };
  }

  /**
   * Inside the open transaction: sends every statement (each on its own through the extended protocol, with its own
   * Sync) before reading the answers, so the batch costs about one round trip. After a failure the server refuses
   * the rest (the transaction is aborted), so the first failure is the statement that failed. A statement's time
   * runs from the previous one's answer to its own.
   */
  async pipeline(statements: readonly string[]): Promise<PipelinedResults> {
    if (!this.inTransaction) throw new EngineError("statements are pipelined only inside a transaction", { kind: "invalid" });
    const client = this.link.client as pg.Client & { pipeline: boolean };
    let previous = performance.now();
    client.pipeline = true;
    let settled: Array<PromiseSettledResult<{ result: pg.QueryResult; durationMs: number }>>;
    try {
      settled = await Promise.allSettled(
        statements.map(async (text) => {
          const result = await client.query({ text, queryMode: "extended" } as pg.QueryConfig);
          const now = performance.now();
          const durationMs = now - previous;
          previous = now;
          return { result, durationMs };
        }),
      );
    } finally {
      // Every query has answered by now, so the client is idle and may leave pipeline mode.
      client.pipeline = false;
    }
    const results: PipelinedResults["results"] = [];
    for (const [index, answer] of settled.entries()) {
      if (answer.status === "rejected") return { results, failure: { index, error: statementFailed(answer.reason, isTimeout(answer.reason)) } };
      results.push(answer.value);
    }
    return { results };
  }

  override async transactionId(): Promise<string | undefined> {
    if (!this.inTransaction) return undefined;
    const [row] = await this.queryRows("SELECT txid_current()::text AS id");
    return row ? String(row.id) : undefined;
  }

  /** txid_status: 'in progress', or NULL for a transaction too old to be remembered, tell nothing. */
  override async transactionOutcome(id: string): Promise<"committed" | "aborted" | undefined> {
    const [row] = await this.queryRows("SELECT txid_status($1::bigint) AS status", [id]);
    return row?.status === "committed" || row?.status === "aborted" ? row.status : undefined;
  }

  /** The session's backend, so that after a crash recovery can tell whether PostgreSQL still runs its statement. */
  override mark(): Promise<SessionMark | undefined> {
    return sessionMark((sql, values) => this.queryRows(sql, values));
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

/** Rows of data a statement changed; DDL and SELECT count none. */
export function affectedRows(result: pg.QueryResult): number {
  return DATA_CHANGES.has(result.command) ? (result.rowCount ?? 0) : 0;
}

export function isTimeout(error: unknown): boolean {
  return TIMEOUT_CODES.has((error as { code?: string } | null)?.code ?? "");
}
