// Runs data changes the way the change workflow will: BEGIN, the recorder, COMMIT, finish.
import type { ConnectionTarget, EngineName, EngineSession } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { forcedRollbackScript, startRecording, type PreparedRollback } from "../../src/rollback/index.ts";
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
  options: { changeKey?: string; rowLimit?: number; beforeCommit?: () => Promise<void> } = {},
): Promise<PreparedRollback> {
  await session.begin();
  const recorder = await startRecording(engine, session, targetFor(engine, database), {
    changeKey: options.changeKey ?? "TST-1",
    rowLimit: options.rowLimit ?? 100_000,
  });
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

export function available(rollback: PreparedRollback): Extract<PreparedRollback, { available: true }> {
  if (!rollback.available) throw new Error(`rollback unavailable: ${rollback.reason}`);
  return rollback;
}

/** The forced script an approver's override runs: the stored one, or the one derived from the guarded script. */
export function forcedScriptOf(engine: EngineName, rollback: Extract<PreparedRollback, { available: true }>): string {
  const forced = forcedRollbackScript(engine, { sql: rollback.script, forcedSql: rollback.forcedScript ?? "" });
  if (forced === undefined) throw new Error("no forced script");
  return forced;
}
