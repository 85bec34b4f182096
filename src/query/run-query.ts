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
import { checkReadOnly, QueryRefusedError, type ReadingStatement } from "./guard.ts";
import { applyMask, MaskingAnalysis, SensitiveColumns } from "./masking.ts";

export class DatabaseUnavailableError extends SluiceError {}
export class QueryFailedError extends SluiceError {}

/** A result as people see it: masked values already in place. */
export interface QueryTable {
  columns: string[];
  rows: unknown[][];
  masked: boolean[];
  truncated: boolean;
  durationMs: number;
  rowLimit: number;
}

export interface QueryAnswer extends QueryTable {
  database: RegisteredDatabase;
}

export interface QueryRequest {
  actorId: string;
  /** The database as typed: its label or bare name. */
  database: string;
  sql: string;
}

export interface QueryDeps {
  config: Config;
  registry: Registry;
  audit: AuditTrail;
  directory: ApproverDirectory;
}

export async function runQuery(request: QueryRequest, deps: QueryDeps): Promise<QueryAnswer> {
  const entry = { actorId: request.actorId, action: "query" as const, sql: request.sql };
  let database: RegisteredDatabase;
  let statement: ReadingStatement;
  try {
    database = deps.registry.find(request.database);
    statement = checkReadOnly(database.instance.engine, request.sql);
    const breach = await boundaryBreach(database, [{ text: statement.sql, line: 1 }]);
    if (breach) throw new QueryRefusedError(`${breach.reason}. A query on ${database.label} may read only database ${database.name}.`);
  } catch (error) {
    if (!(error instanceof SluiceError)) throw error;
    await deps.audit.record({ ...entry, detail: { database: request.database, refused: true, reason: error.message } });
    throw error;
  }
  const { rowLimit, timeoutSeconds } = deps.config.file.query;
  const detail = { database: database.label, refused: false };
  try {
    const result = await withSession(deps, database, timeoutSeconds * 1000, (session) =>
      session.readOnlyQuery(statement.sql, { rowLimit, timeoutMs: timeoutSeconds * 1000 }),
    );
    const table = await maskedTable(result, statement, database, request.actorId, deps);
    await deps.audit.record({
      ...entry,
      databaseId: database.id,
      detail: {
        ...detail,
        rows: table.rows.length,
        durationMs: Math.round(table.durationMs),
        truncated: table.truncated,
        maskedColumns: table.columns.filter((_, index) => table.masked[index]),
      },
    });
    return { ...table, rowLimit, database };
  } catch (error) {
    const failure = describeFailure(error, database, timeoutSeconds);
    await deps.audit.record({ ...entry, databaseId: database.id, detail: { ...detail, error: failure.message } });
    throw failure;
  }
}

/** Masks what the requester may not see; approvers see raw values only where the configuration allows it. */
export async function maskedTable(
  result: QueryResult,
  statement: ReadingStatement,
  database: RegisteredDatabase,
  actorId: string,
  deps: QueryDeps,
): Promise<Omit<QueryTable, "rowLimit">> {
  const masking = deps.config.file.query.masking;
  const columns = result.columns.map((column) => column.name);
  const unmasked = masking.approversSeeUnmasked && (await isApprover(database.environment, actorId, deps.directory));
  const masked = unmasked
    ? columns.map(() => false)
    : new MaskingAnalysis(statement.ast, new SensitiveColumns(masking, database.name)).maskedColumns(result.columns);
  return { columns, rows: applyMask(result.rows, masked), masked, truncated: result.truncated, durationMs: result.durationMs };
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

/** Turns an engine failure into an answer naming the database and what to do. */
export function describeFailure(error: unknown, database: RegisteredDatabase, timeoutSeconds: number): Error {
  if (!(error instanceof EngineError)) return error instanceof Error ? error : new Error(String(error));
  if (error.kind === "connect") {
    return new DatabaseUnavailableError(`Cannot reach ${database.label} (instance ${database.instance.name}), so nothing was run: ${error.message}. Try again later, or ask your Sluice admins whether the database is up.`, { cause: error });
  }
  if (error.kind === "timeout") {
    return new QueryFailedError(`The query on ${database.label} ran longer than ${timeoutSeconds} s and was stopped. Narrow it down (a WHERE clause, a LIMIT) and try again.`, { cause: error });
  }
  return new QueryFailedError(`${database.label} refused the query: ${error.message}`, { cause: error });
}

