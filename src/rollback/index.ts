// Rollback of data changes: the change workflow records each data change through here and gets its rollback back.
import type { ConnectionTarget, EngineName, EngineSession } from "../engines/engine.ts";
import { checkBinlogReadiness } from "../engines/mysql/binlog-prerequisites.ts";
import { forcedRollbackScript as forcedMysqlRollbackScript } from "../engines/mysql/rollback-inverse.ts";
import { startBinlogRecording } from "../engines/mysql/rollback-recorder.ts";
import { MySqlSession } from "../engines/mysql/session.ts";
import { BackupRecorder } from "../engines/postgres/backup-recorder.ts";
import { checkBackupReadiness, dropExpiredBackups as dropExpiredPostgresBackups } from "../engines/postgres/backup-retention.ts";
import { PostgresSession } from "../engines/postgres/session.ts";
import { SluiceError } from "../errors.ts";
import type { DataChangeRecorder, RecordingOptions, RollbackReadiness } from "./types.ts";
import { UnrecordedChange } from "./unrecorded.ts";

export type * from "./types.ts";
export { DEFAULT_ROLLBACK_ROW_LIMIT } from "./types.ts";
export { GuardCheck, isStatementError } from "./verify.ts";

export class RollbackError extends SluiceError {}

/** Checked when an instance is first used and before each data change: can a rollback be prepared here? */
export function checkRollbackReadiness(engine: EngineName, session: EngineSession): Promise<RollbackReadiness> {
  return engine === "mysql" ? checkBinlogReadiness(mysqlSession(session)) : checkBackupReadiness(postgresSession(session));
}

/** The message a change shows when it runs without rollback. */
export function explainUnavailable(readiness: RollbackReadiness): string {
  return `rollback is unavailable: ${readiness.problems.join("; ")}. To enable it: ${readiness.howToEnable.join("; ")}.`;
}

/**
 * Called after session.begin(). `target` lets the MySQL recorder open its binlog reader with the same credentials.
 * When the instance is not ready the change still records nothing and finish() says why.
 */
export async function startRecording(
  engine: EngineName,
  session: EngineSession,
  target: ConnectionTarget,
  options: RecordingOptions,
): Promise<DataChangeRecorder> {
  const readiness = await checkRollbackReadiness(engine, session);
  if (!readiness.available) return new UnrecordedChange(session, explainUnavailable(readiness));
  return engine === "mysql" ? startBinlogRecording(mysqlSession(session), target, options) : new BackupRecorder(postgresSession(session), options);
}

/**
 * The forced form of one piece of a guarded script, derived for engines that store none (MySQL): each statement
 * keyed by its row's key only, and the header saying so.
 */
export function forcedChunk(chunk: string): string {
  return forcedMysqlRollbackScript(chunk);
}

/** Drops PostgreSQL backup tables older than the retention; MySQL keeps no backups (the binlog is the record). */
export function dropExpiredBackups(session: EngineSession, olderThanDays: number): Promise<string[]> {
  return dropExpiredPostgresBackups(postgresSession(session), olderThanDays);
}

function mysqlSession(session: EngineSession): MySqlSession {
  if (session instanceof MySqlSession) return session;
  throw new RollbackError("a MySQL rollback needs a session opened by the MySQL engine");
}

function postgresSession(session: EngineSession): PostgresSession {
  if (session instanceof PostgresSession) return session;
  throw new RollbackError("a PostgreSQL rollback needs a session opened by the PostgreSQL engine");
}
