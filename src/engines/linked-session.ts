// What both engines' sessions do the same way — transactions, the read-only guard, schema dumps — in one place;
// each engine supplies how to run a statement on its driver and its own catalog code.
import type { BatchOutcome, EngineSession, QueryResult, ReadOnlyQueryOptions, SessionMark, StatementOutcome } from "./engine.ts";
import { EngineError } from "./errors.ts";

export interface SessionOperations<Link> {
  /** Runs one statement, turning a server refusal into an EngineError. */
  run(link: Link, sql: string): Promise<unknown>;
  /** The engine's way to open a transaction (`START TRANSACTION`, `BEGIN`). */
  beginStatement: string;
  readOnlyQuery(link: Link, sql: string, options: ReadOnlyQueryOptions): Promise<QueryResult>;
  dumpSchema(link: Link): Promise<string>;
  schemaFingerprint(link: Link): Promise<string>;
  /** The dump and its fingerprint in one read, where the engine derives the one from the other. */
  schemaSnapshot?(link: Link): Promise<{ schema: string; fingerprint: string }>;
}

export abstract class LinkedSession<Link extends { connectionId: number }> implements EngineSession {
  readonly connectionId: number;
  protected inTransaction = false;

  protected constructor(
    protected readonly link: Link,
    private readonly operations: SessionOperations<Link>,
  ) {
    this.connectionId = link.connectionId;
  }

  abstract execute(sql: string): Promise<StatementOutcome>;
  abstract close(): Promise<void>;

  executeBatch(statements: readonly string[]): Promise<BatchOutcome> {
    return executeInTurn(statements, (sql) => this.execute(sql));
  }

  async begin(): Promise<void> {
    await this.operations.run(this.link, this.operations.beginStatement);
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    this.inTransaction = false;
    await this.operations.run(this.link, "COMMIT");
  }

  async rollback(): Promise<void> {
    this.inTransaction = false;
    await this.operations.run(this.link, "ROLLBACK");
  }

  async transactionId(): Promise<string | undefined> {
    return undefined;
  }

  async transactionOutcome(_id: string): Promise<"committed" | "aborted" | undefined> {
    return undefined;
  }

  async mark(): Promise<SessionMark | undefined> {
    return undefined;
  }

  readOnlyQuery(sql: string, options: ReadOnlyQueryOptions): Promise<QueryResult> {
    if (this.inTransaction) {
      throw new EngineError("a read-only query cannot run inside an open transaction", { kind: "invalid" });
    }
    return this.operations.readOnlyQuery(this.link, sql, options);
  }

  dumpSchema(): Promise<string> {
    return this.operations.dumpSchema(this.link);
  }

  schemaFingerprint(): Promise<string> {
    return this.operations.schemaFingerprint(this.link);
  }

  async schemaSnapshot(): Promise<{ schema: string; fingerprint: string }> {
    if (this.operations.schemaSnapshot) return this.operations.schemaSnapshot(this.link);
    return { schema: await this.dumpSchema(), fingerprint: await this.schemaFingerprint() };
  }
}

/** Runs statements one after another, each once the previous one answered, and stops at the first failure. */
async function executeInTurn<T>(statements: readonly T[], execute: (statement: T) => Promise<StatementOutcome>): Promise<BatchOutcome> {
  const outcomes: StatementOutcome[] = [];
  for (const [index, statement] of statements.entries()) {
    try {
      outcomes.push(await execute(statement));
    } catch (error) {
      return { outcomes, failure: { index, error: error instanceof Error ? error : new Error(String(error)) } };
    }
  }
  return { outcomes };
}
