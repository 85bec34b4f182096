// The one interface both database engines implement. Everything engine-specific lives behind it.
import type { ReviewCatalog } from "../review/catalog.ts";
import type { FunctionCall, ReadQueryShape } from "./query-shape.ts";

export type EngineName = "mysql" | "postgres";

/** Where and how to connect; the password is already resolved from its environment variable. */
export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Database to connect to; omitted for server-level work such as CREATE DATABASE. */
  database?: string;
  tls?: { caPath?: string; rejectUnauthorized?: boolean } | false;
  connectTimeoutMs: number;
}

export interface SessionLimits {
  /** Per-statement timeout; 0 means none. */
  statementTimeoutMs: number;
  /** How long a statement may wait for a lock. */
  lockTimeoutMs: number;
}

export interface SessionOptions {
  /**
   * The session runs a transactional change's statements through executeBatch. MySQL then allows multi-statement
   * packets on the connection (only executeBatch sends them; execute still refuses a text holding several).
   */
  batches?: boolean;
}

/** One statement of a script, with where it starts in the script (1-based line and column). */
export interface SqlStatement {
  text: string;
  line: number;
  column: number;
  offset: number;
}

export interface StatementOutcome {
  rowsAffected: number;
  durationMs: number;
}

/** What a batch of statements did: the outcomes in order up to the first failure, and that failure. */
export interface BatchOutcome {
  outcomes: StatementOutcome[];
  /** The first statement that failed, by its index in the batch; none after it took effect. */
  failure?: { index: number; error: Error };
}

/**
 * Where a session that runs statements one by one stood when it started, as the server can later be asked about it
 * (MySQL: its thread id, the binlog position, when the server started). Plain JSON, kept with the execution.
 */
export type SessionMark = Record<string, string | number>;

/**
 * What became of a statement the server had when Sluice stopped: it took effect, it did not, or the server's
 * record cannot tell (`ran` undefined); the note says how that is known, or why not.
 */
export interface CutShortOutcome {
  ran: boolean | undefined;
  note: string;
}

/** After a crash: whether the lost session was still on the server and was ended, or (note) why that cannot be told. */
export type LostSession = { ended: boolean } | { note: string };

export interface QueryColumn {
  name: string;
  /** Source table and column when the server reports them (used for masking). */
  table?: string;
  column?: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: unknown[][];
  /** True when more rows existed than the limit allowed. */
  truncated: boolean;
  /** True when the result was cut at ReadOnlyQueryOptions.maxBytes: the last row kept may have shortened values. */
  cutAtBytes?: boolean;
  durationMs: number;
}

export interface ReadOnlyQueryOptions {
  rowLimit: number;
  timeoutMs: number;
  /** Most bytes of values the result may bring into memory; past it reading stops and the result is cut. */
  maxBytes?: number;
  /**
   * Functions and operators the statement calls, checked in the catalog inside the read-only transaction before the
   * statement runs; a call the engine's rules refuse fails the query with an EngineError of kind "refused".
   */
  calls?: { functions: FunctionCall[]; operators: string[] };
}

/** What `/db query` is about to run: a SELECT (or the SELECT an EXPLAIN explains) with its shape, or a SHOW/DESCRIBE. */
export type ReadingStatementShape = { kind: "select" | "explain"; shape: ReadQueryShape } | { kind: "show" };

/** A dedicated connection to one database. */
export interface EngineSession {
  /** Server-side identifier of this connection (MySQL thread id, PostgreSQL backend pid). */
  readonly connectionId: number;
  execute(sql: string): Promise<StatementOutcome>;
  /**
   * Runs statements in order, stopping at the first failure. Inside a transaction an engine may send them all
   * without waiting for each answer (PostgreSQL pipelines them); each one still gets its own outcome.
   */
  executeBatch(statements: readonly string[]): Promise<BatchOutcome>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /**
   * A name for the open transaction that the server can still be asked about after Sluice lost its connection
   * (transactionOutcome): PostgreSQL's transaction id; undefined where the engine keeps none (MySQL).
   */
  transactionId(): Promise<string | undefined>;
  /** Whether the transaction transactionId named was committed or aborted; undefined when the server cannot tell. */
  transactionOutcome(id: string): Promise<"committed" | "aborted" | undefined>;
  /**
   * Read as a run starts: what Engine.endLostSession and Engine.settleCutShort need after a crash, to end this session
   * if the server still has it and to tell whether the statement it had took effect. Undefined where the server
   * cannot be asked.
   */
  mark(): Promise<SessionMark | undefined>;
  /** Runs read-only SQL inside a read-only transaction with a timeout and a row limit. */
  readOnlyQuery(sql: string, options: ReadOnlyQueryOptions): Promise<QueryResult>;
  /** Normalized, deterministic text of the schema: no counters, statistics or OIDs; stable ordering. */
  dumpSchema(): Promise<string>;
  /** One cheap catalog query whose result changes whenever dumpSchema's would. */
  schemaFingerprint(): Promise<string>;
  /** Both of the above, in as few catalog reads as the engine allows (a change's snapshots before and after). */
  schemaSnapshot(): Promise<{ schema: string; fingerprint: string }>;
  close(): Promise<void>;
}

/** A ReviewCatalog on a connection of its own, which nothing but analysis ever uses; close it when the review is done. */
export interface ReviewCatalogSession extends ReviewCatalog {
  close(): Promise<void>;
}

export interface Engine {
  readonly name: EngineName;
  /** Splits a script into statements, respecting quotes, comments, DELIMITER (MySQL) and dollar quotes (PostgreSQL). */
  splitStatements(script: string): SqlStatement[];
  quoteIdentifier(name: string): string;
  quoteLiteral(value: string): string;
  /** Whether a statement can run inside a transaction (MySQL DDL commits implicitly; PostgreSQL CONCURRENTLY cannot). */
  runsInTransaction(statement: string): boolean;
  /**
   * Why one statement, run with `database` as the session's database, could reach outside it (another database, the
   * server's accounts, settings or files, SQL text run later); undefined when it provably stays inside. Deny by
   * default: what the analysis cannot prove stays inside is refused.
   */
  outsideDatabase(statement: string, database: string): Promise<string | undefined>;
  /** The engine's CREATE DATABASE for a new database, with Sluice's defaults (utf8mb4 / UTF8). */
  createDatabaseStatement(name: string): string;
  connect(target: ConnectionTarget, limits: SessionLimits, options?: SessionOptions): Promise<EngineSession>;
  /**
   * Opens what the SQL review reads the live database through. Analysis never executes what it analyses: each read is
   * one statement the server itself holds to one (PostgreSQL's extended protocol, MySQL's prepared statements), inside
   * a read-only transaction that is rolled back, under the limits' statement timeout.
   */
  openReviewCatalog(target: ConnectionTarget, limits: SessionLimits): Promise<ReviewCatalogSession>;
  /**
   * Fingerprints (as EngineSession.schemaFingerprint gives them) of several databases on one server, with as few
   * connections as the engine allows. Databases that do not exist or cannot be read are left out.
   */
  schemaFingerprints(target: ConnectionTarget, databases: readonly string[], limits: SessionLimits): Promise<Map<string, string>>;
  /**
   * After a crash: whether `statement`, which a session marked by EngineSession.mark had when Sluice stopped, took
   * effect. `done` are the statements that session completed before it, in order. MySQL stops a statement the server
   * still runs for the lost session, then reads its binlog; PostgreSQL can only say whether it still runs. Never
   * throws: what cannot be told is `ran: undefined`, with the reason.
   */
  settleCutShort(target: ConnectionTarget, mark: SessionMark, run: { done: readonly string[]; statement: string }): Promise<CutShortOutcome>;
  /**
   * After a crash: ends the session a mark names if the server still has it (its statement stops, its open
   * transaction rolls back) and waits until it is gone, so that a retry does not run beside it or wait on its locks.
   */
  endLostSession(target: ConnectionTarget, mark: SessionMark): Promise<LostSession>;
  /**
   * Reads one statement `/db query` was given: its query shape for masking and the function rules. Throws
   * QueryShapeError when it is not a plain read the shape can describe.
   */
  readQuery(statement: string): Promise<ReadingStatementShape>;
  /** Why `/db query` may not read a relation (a statistics catalog holding column values, other sessions' SQL), or undefined. */
  refusedRelation(name: readonly string[]): string | undefined;
  /** Lists the server's databases (user databases only). */
  listDatabases(target: ConnectionTarget): Promise<string[]>;
}
