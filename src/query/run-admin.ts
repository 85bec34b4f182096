// `/db admin` without Slack: an approver runs any SQL on a database, statement by statement, audited, outside
// the change history (so a schema change made here shows up later as drift).
import { isApprover } from "../changes/policy.ts";
import type { QueryResult } from "../engines/engine.ts";
import { engineFor } from "../engines/index.ts";
import { SluiceError } from "../errors.ts";
import { boundaryBreach, boundaryMessage } from "../projects/database-boundary.ts";
import type { RegisteredDatabase } from "../projects/registry.ts";
import { checkReadOnly, type ReadingStatement } from "./guard.ts";
import { MaskingPlan } from "./masking.ts";
import { QueryRefusedError } from "./refusal.ts";
import { describeFailure, maskedResult, maskingPlan, withSession, type QueryDeps, type QueryTable } from "./run-query.ts";

export class AdminRefusedError extends SluiceError {}

export interface AdminStatementOutcome {
  sql: string;
  durationMs: number;
  /** Rows written, for statements that are not reads. */
  rowsAffected?: number;
  /** The result of a statement that reads. */
  table?: QueryTable;
  error?: string;
}

export interface AdminOutcome {
  database: RegisteredDatabase;
  statements: AdminStatementOutcome[];
  /** Statements not run because an earlier one failed. */
  skipped: number;
}

export interface AdminRequest {
  actorId: string;
  database: string;
  sql: string;
}

export async function runAdmin(request: AdminRequest, deps: QueryDeps): Promise<AdminOutcome> {
  const entry = { actorId: request.actorId, action: "admin" as const, sql: request.sql };
  const refuse = async (error: SluiceError, databaseId?: number): Promise<never> => {
    await deps.audit.record({ ...entry, databaseId, detail: { database: request.database, refused: true, reason: error.message } });
    throw error;
  };
  let database: RegisteredDatabase;
  try {
    database = deps.registry.find(request.database);
  } catch (error) {
    if (error instanceof SluiceError) return refuse(error);
    throw error;
  }
  if (!(await isApprover(database.environment, request.actorId, deps.directory))) {
    return refuse(new AdminRefusedError(`Only approvers of ${database.environment.name} can use /db admin on ${database.label}. Nothing was run. Use /db query for read-only SQL.`), database.id);
  }
  const { execution } = deps.config.file;
  const statements = engineFor(database.instance.engine).splitStatements(request.sql);
  if (statements.length === 0) return refuse(new AdminRefusedError("There is no SQL to run."), database.id);
  if (statements.length > execution.maxStatements || Buffer.byteLength(request.sql) > execution.maxScriptBytes) {
    return refuse(new AdminRefusedError(`The script is larger than allowed (${execution.maxStatements} statements, ${execution.maxScriptBytes} bytes). Split it.`), database.id);
  }
  // Approvers of an environment may run anything, but only on that environment's database (SECURITY.md §3).
  const breach = await boundaryBreach(database, statements);
  if (breach) return refuse(new AdminRefusedError(`Refused, nothing was run: ${boundaryMessage(database, breach, "/db admin on")}`), database.id);
  const outcomes: AdminStatementOutcome[] = [];
  try {
    await withSession(deps, database, execution.statementTimeoutSeconds * 1000, async (session) => {
      for (const statement of statements) {
        const started = performance.now();
        const reading = await readingStatement(database, statement.text);
        try {
          if (reading) {
            const { rowLimit, maxResultBytes } = deps.config.file.query;
            const result: QueryResult = await session.readOnlyQuery(reading.sql, {
              rowLimit,
              timeoutMs: Math.max(1, execution.statementTimeoutSeconds) * 1000,
              maxBytes: maxResultBytes,
            });
            const table = maskedResult(result, adminMasking(reading, database, deps));
            outcomes.push({ sql: statement.text, durationMs: table.durationMs, table: { ...table, rowLimit, maxResultBytes } });
          } else {
            const { rowsAffected, durationMs } = await session.execute(statement.text);
            outcomes.push({ sql: statement.text, durationMs, rowsAffected });
          }
        } catch (error) {
          const failure = describeFailure(error, database, execution.statementTimeoutSeconds);
          outcomes.push({ sql: statement.text, durationMs: performance.now() - started, error: failure.message });
          return;
        }
      }
    });
  } catch (error) {
    const failure = describeFailure(error, database, execution.statementTimeoutSeconds);
    await deps.audit.record({ ...entry, databaseId: database.id, detail: { database: database.label, refused: false, error: failure.message } });
    throw failure;
  }
  await deps.audit.record({
    ...entry,
    databaseId: database.id,
    detail: {
      database: database.label,
      refused: false,
      statements: outcomes.map((outcome) => ({
        durationMs: Math.round(outcome.durationMs),
        ...(outcome.rowsAffected !== undefined ? { rowsAffected: outcome.rowsAffected } : {}),
        ...(outcome.table ? { rows: outcome.table.rows.length } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      })),
    },
  });
  return { database, statements: outcomes, skipped: statements.length - outcomes.length };
}

/** A statement that only reads runs read-only so its rows come back (masked like /db query); anything else executes. */
async function readingStatement(database: RegisteredDatabase, sql: string): Promise<ReadingStatement | undefined> {
  try {
    return await checkReadOnly(database.instance.engine, sql);
  } catch {
    return undefined;
  }
}

/**
 * An approver's read is masked as /db query would mask it, unless approversSeeUnmasked (the answer goes to them alone).
 * Where /db query would refuse it for masking's sake, every column is masked instead: the approver may run it.
 */
function adminMasking(reading: ReadingStatement, database: RegisteredDatabase, deps: QueryDeps): MaskingPlan | undefined {
  if (deps.config.file.query.masking.approversSeeUnmasked) return undefined;
  try {
    return maskingPlan(reading, database, deps);
  } catch (error) {
    if (error instanceof QueryRefusedError) return MaskingPlan.everything();
    throw error;
  }
}
