// Runs data changes the way the change workflow will: BEGIN, the recorder, COMMIT, finish.
import type { ConnectionTarget, EngineName, EngineSession } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { DEFAULT_MYSQL_ROLLBACK, forcedChunk, GuardCheck, isStatementError, startRecording, type MySqlRollbackSettings, type PreparedRollback } from "../../src/rollback/index.ts";
import { mysqlServer, postgresServer } from "../support/servers.ts";

export const limits = { statementTimeoutMs: 60_000, lockTimeoutMs: 10_000 };

export function targetFor(engine: EngineName, database: string): ConnectionTarget {
  const server = engine === "mysql" ? mysqlServer() : postgresServer();
  return { ...server, database, connectTimeoutMs: 5_000 };
}

export function connect(engine: EngineName, database: string): Promise<EngineSession> {
  return engineFor(engine).connect(targetFor(engine, database), limits);
}

/** Runs a script as one recorded data change and returns its prepared rollback. */
export async function runDataChange(
  engine: EngineName,
  session: EngineSession,
  database: string,
  script: string,
  options: { changeKey?: string; rowLimit?: number; beforeCommit?: () => Promise<void>; settings?: MySqlRollbackSettings; target?: ConnectionTarget } = {},
): Promise<PreparedRollback> {
  const recorder = await startRecording(
    engine,
    session,
    options.target ?? targetFor(engine, database),
    { changeKey: options.changeKey ?? "TST-1", rowLimit: options.rowLimit ?? 100_000 },
    options.settings ?? DEFAULT_MYSQL_ROLLBACK,
    statementsOf(engine, script),
  );
  await session.begin();
  try {
    for (const [index, statement] of engineFor(engine).splitStatements(script).entries()) {
      await recorder.execute(statement.text, index + 1);
    }
    await options.beforeCommit?.();
  } catch (error) {
    await session.rollback();
    throw error;
  }
  await session.commit();
  return recorder.finish();
}

async function* statementsOf(engine: EngineName, script: string): AsyncGenerator<string> {
  for (const statement of engineFor(engine).splitStatements(script)) yield statement.text;
}

export function available(rollback: PreparedRollback): Extract<PreparedRollback, { available: true }> {
  if (!rollback.available) throw new Error(`rollback unavailable: ${rollback.reason}`);
  return rollback;
}

/** The forced script an approver's override runs: the stored one (PostgreSQL), or the one derived piece by piece (MySQL). */
export function forcedScriptOf(engine: EngineName, rollback: Extract<PreparedRollback, { available: true }>): string {
  if (rollback.forcedScript !== undefined) return rollback.forcedScript;
  if (engine !== "mysql") throw new Error("no forced script");
  return rollback.chunks.map(forcedChunk).join("");
}

/**
 * Runs a guarded script in a transaction that is always rolled back, checked as a rollback's run checks it, and lists
 * the rows changed since: whether the script still finds every row as the change left it.
 */
export async function verifyRollback(engine: EngineName, session: EngineSession, script: string): Promise<{ changedRows: string[]; checkedStatements: number }> {
  const statements = engineFor(engine).splitStatements(script).map((statement) => statement.text);
  const guard = new GuardCheck(engine);
  await session.begin();
  try {
    let next = 0;
    while (next < statements.length) {
      const { outcomes, failure } = await session.executeBatch(statements.slice(next));
      guard.ran(outcomes, statements.slice(next), next);
      if (!failure) break;
      if (!isStatementError(failure.error)) throw failure.error;
      if (!guard.failed(failure.error, statements[next + failure.index]!, next + failure.index)) break;
      next += failure.index + 1;
    }
  } finally {
    await session.rollback();
  }
  return { changedRows: guard.changedRows, checkedStatements: statements.length };
}
