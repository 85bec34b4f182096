// `/db query` without Slack: check the SQL, run it read-only with limits, mask it, audit it.
import type { ApproverDirectory } from "../changes/policy.ts";
import { isApprover } from "../changes/policy.ts";
import type { Config } from "../config/load.ts";
import type { EngineSession, QueryResult } from "../engines/engine.ts";
import { EngineError, engineFor } from "../engines/index.ts";
import { SluiceError } from "../errors.ts";
import { boundaryBreach } from "../projects/database-boundary.ts";
import type { RegisteredDatabase, Registry } from "../projects/registry.ts";
import type { AuditTrail } from "./audit.ts";
import { checkReadOnly, type ReadingStatement } from "./guard.ts";
import { applyMask, MaskingAnalysis, type MaskingPlan, SensitiveColumns } from "./masking.ts";
import { QueryRefusedError } from "./refusal.ts";
import { withoutValues } from "./server-errors.ts";

export class DatabaseUnavailableError extends SluiceError {}
export class QueryFailedError extends SluiceError {}

/** A result as people see it: masked values already in place. */
export interface QueryTable {
  columns: string[];
  rows: unknown[][];
  masked: boolean[];
  truncated: boolean;
  /** The result was cut at query.maxResultBytes (its last row's values may be shortened). */
  cutAtBytes: boolean;
  durationMs: number;
  rowLimit: number;
  maxResultBytes: number;
}

export interface QueryAnswer extends QueryTable {
  database: RegisteredDatabase;
}

export interface QueryRequest {
  actorId: string;
  /** The database as typed: its label or bare name. */
  database: string;
  sql: string;
  /**
   * Who will see the answer: the requester alone (the default), or a channel. Unmasked values
   * (`approversSeeUnmasked`) are only ever shown to the requester alone.
   */
  audience?: "requester" | "channel";
}

export interface QueryDeps {
  config: Config;
  registry: Registry;
  audit: AuditTrail;
  directory: ApproverDirectory;
}

export async function runQuery(request: QueryRequest, deps: QueryDeps): Promise<QueryAnswer> {
  const entry = { actorId: request.actorId, action: "query" as const, sql: request.sql };
  const refused = async (error: unknown, databaseId?: number): Promise<never> => {
    if (error instanceof SluiceError) {
      await deps.audit.record({ ...entry, ...(databaseId !== undefined ? { databaseId } : {}), detail: { database: request.database, refused: true, reason: error.message } });
    }
    throw error;
  };
  let database: RegisteredDatabase;
  let statement: ReadingStatement;
  let unmasked: boolean;
  let plan: MaskingPlan | undefined;
  try {
    database = deps.registry.find(request.database);
    statement = await checkReadOnly(database.instance.engine, request.sql);
    const breach = await boundaryBreach(database, [{ text: statement.sql, line: 1 }]);
    if (breach) throw new QueryRefusedError(`${breach.reason}. A query on ${database.label} may read only database ${database.name}.`);
    unmasked = await seesUnmasked(database, request, deps);
    plan = unmasked ? undefined : maskingPlan(statement, database, deps);
  } catch (error) {
    return refused(error);
  }
  const { rowLimit, timeoutSeconds, maxResultBytes } = deps.config.file.query;
  const detail = { database: database.label, refused: false };
  try {
    const calls = statement.shape ? { functions: statement.shape.functions, operators: statement.shape.operators } : undefined;
    const result = await withSession(deps, database, timeoutSeconds * 1000, (session) =>
      session.readOnlyQuery(statement.sql, { rowLimit, timeoutMs: timeoutSeconds * 1000, maxBytes: maxResultBytes, ...(calls ? { calls } : {}) }),
    );
    const table = maskedResult(result, plan);
    await deps.audit.record({
      ...entry,
      databaseId: database.id,
      detail: {
        ...detail,
        rows: table.rows.length,
        durationMs: Math.round(table.durationMs),
        truncated: table.truncated,
        ...(table.cutAtBytes ? { cutAtBytes: true } : {}),
        maskedColumns: table.columns.filter((_, index) => table.masked[index]),
      },
    });
    return { ...table, rowLimit, maxResultBytes, database };
  } catch (error) {
    if (error instanceof EngineError && error.kind === "refused") return refused(new QueryRefusedError(error.message), database.id);
    const failure = describeFailure(error, database, timeoutSeconds, { sql: request.sql, showValues: unmasked });
    await deps.audit.record({ ...entry, databaseId: database.id, detail: { ...detail, error: failure.message } });
    throw failure;
  }
}

/** Approvers see raw values only where the configuration allows it, and only in an answer to them alone. */
async function seesUnmasked(database: RegisteredDatabase, request: QueryRequest, deps: QueryDeps): Promise<boolean> {
  if (!deps.config.file.query.masking.approversSeeUnmasked || request.audience === "channel") return false;
  return isApprover(database.environment, request.actorId, deps.directory);
}

/**
 * How a statement's result is masked; refuses (QueryRefusedError) a SELECT that uses a sensitive column other than by
 * selecting it. SHOW and DESCRIBE have no shape: they return no table data, and only the name rule masks them.
 */
export function maskingPlan(statement: ReadingStatement, database: RegisteredDatabase, deps: Pick<QueryDeps, "config">): MaskingPlan {
  const rules = new SensitiveColumns(deps.config.file.query.masking, database.name);
  const engine = engineFor(database.instance.engine);
  const analysis = new MaskingAnalysis(rules, (name) => engine.refusedRelation(name));
  if (!statement.shape) return analysis.planWithoutShape();
  const plan = analysis.plan(statement.shape.query);
  // EXPLAIN is refused as its SELECT would be, but its result is a plan, not the SELECT's columns.
  return statement.kind === "explain" ? analysis.planWithoutShape() : plan;
}

/** The result as people see it: every column the plan masks replaced; no plan means the viewer sees values. */
export function maskedResult(result: QueryResult, plan: MaskingPlan | undefined): Omit<QueryTable, "rowLimit" | "maxResultBytes"> {
  const columns = result.columns.map((column) => column.name);
  const masked = plan ? plan.maskedColumns(result.columns) : columns.map(() => false);
  return {
    columns,
    rows: applyMask(result.rows, masked),
    masked,
    truncated: result.truncated,
    cutAtBytes: result.cutAtBytes === true,
    durationMs: result.durationMs,
  };
}

/** Opens a session on the database, runs `work`, and always closes it. */
export async function withSession<T>(
  deps: Pick<QueryDeps, "config" | "registry">,
  database: RegisteredDatabase,
  statementTimeoutMs: number,
  work: (session: EngineSession) => Promise<T>,
): Promise<T> {
  const engine = engineFor(database.instance.engine);
  const target = deps.registry.target(database.instance, database.name);
  const session = await engine.connect(target, {
    statementTimeoutMs,
    lockTimeoutMs: deps.config.file.execution.lockTimeoutSeconds * 1000,
  });
  try {
    return await work(session);
  } finally {
    await session.close().catch(() => {});
  }
}

/**
 * Turns an engine failure into an answer naming the database and what to do. A server's message can quote values it
 * read (`invalid input syntax for type integer: "…"`): unless the requester may see unmasked values, it is shown with
 * its code and without the quoted text and numbers that are not in the SQL the requester wrote.
 */
export function describeFailure(error: unknown, database: RegisteredDatabase, timeoutSeconds: number, shown?: { sql: string; showValues: boolean }): Error {
  if (!(error instanceof EngineError)) return error instanceof Error ? error : new Error(String(error));
  if (error.kind === "connect") {
    return new DatabaseUnavailableError(`Cannot reach ${database.label} (instance ${database.instance.name}), so nothing was run: ${error.message}. Try again later, or ask your Sluice admins whether the database is up.`, { cause: error });
  }
  if (error.kind === "timeout") {
    return new QueryFailedError(`The query on ${database.label} ran longer than ${timeoutSeconds} s and was stopped. Narrow it down (a WHERE clause, a LIMIT) and try again.`, { cause: error });
  }
  if (shown && !shown.showValues) {
    const code = error.code ? ` (${error.code})` : "";
    return new QueryFailedError(`${database.label} refused the query${code}: ${withoutValues(error.message, shown.sql, [database.name])}`, { cause: error });
  }
  return new QueryFailedError(`${database.label} refused the query: ${error.message}`, { cause: error });
}
