// Rollback of data changes: the change workflow records each data change through here and gets its rollback back.
import type { ConnectionTarget, EngineName, EngineSession } from "../engines/engine.ts";
import { priorBackupRefusal, startPriorBackupRecording } from "../engines/mysql/backup-recorder.ts";
import { checkPriorBackupReadiness, dropExpiredBackups as dropExpiredMySqlBackups } from "../engines/mysql/backup-retention.ts";
import { checkBinlogReadiness } from "../engines/mysql/binlog-prerequisites.ts";
import { forcedRollbackScript as forcedMysqlRollbackScript } from "../engines/mysql/rollback-inverse.ts";
import { startBinlogRecording } from "../engines/mysql/rollback-recorder.ts";
import { MySqlSession } from "../engines/mysql/session.ts";
import { BackupRecorder } from "../engines/postgres/backup-recorder.ts";
import { readDataStatement as readPostgresDataStatement } from "../engines/postgres/backup-statement.ts";
import { checkBackupReadiness, dropExpiredBackups as dropExpiredPostgresBackups } from "../engines/postgres/backup-retention.ts";
import { PostgresSession } from "../engines/postgres/session.ts";
import { SluiceError } from "../errors.ts";
import type { DataChangeRecorder, RecordingOptions, RollbackReadiness } from "./types.ts";
import { UnrecordedChange } from "./unrecorded.ts";

export type * from "./types.ts";
export { DEFAULT_ROLLBACK_ROW_LIMIT } from "./types.ts";
export { GuardCheck, isStatementError } from "./verify.ts";

export class RollbackError extends SluiceError {}

/** How MySQL data changes are recorded (sluice.yml's rollback.mysqlMethod and mysqlBackupDatabase). */
export interface MySqlRollbackSettings {
  mysqlMethod: "auto" | "binlog" | "backup";
  mysqlBackupDatabase: string;
}

export const DEFAULT_MYSQL_ROLLBACK: MySqlRollbackSettings = { mysqlMethod: "auto", mysqlBackupDatabase: "sluice_backup" };

/** Checked before each data change: can a rollback be prepared here? */
export async function checkRollbackReadiness(engine: EngineName, session: EngineSession, settings = DEFAULT_MYSQL_ROLLBACK): Promise<RollbackReadiness> {
  if (engine !== "mysql") return checkBackupReadiness(postgresSession(session));
  return (await mysqlMethod(mysqlSession(session), settings)).readiness;
}

/**
 * Which way a MySQL change is recorded: its binlog events where the binlog can be read (unless a prior backup is
 * asked for), else a prior backup (unless the binlog is asked for). Unready, the readiness names every problem.
 */
async function mysqlMethod(session: MySqlSession, settings: MySqlRollbackSettings): Promise<{ readiness: RollbackReadiness; method?: "binlog" | "backup" }> {
  const binlog = settings.mysqlMethod === "backup" ? undefined : await checkBinlogReadiness(session);
  if (binlog?.available) return { readiness: binlog, method: "binlog" };
  if (binlog && settings.mysqlMethod === "binlog") return { readiness: binlog };
  const backup = await checkPriorBackupReadiness(session, settings.mysqlBackupDatabase);
  if (backup.available) return { readiness: backup, method: "backup" };
  return {
    readiness: {
      available: false,
      problems: [...(binlog?.problems ?? []), ...backup.problems],
      howToEnable: [...(binlog?.howToEnable ?? []), ...backup.howToEnable],
    },
  };
}

/** The message a change shows when it runs without rollback. */
export function explainUnavailable(readiness: RollbackReadiness): string {
  return `rollback is unavailable: ${readiness.problems.join("; ")}. To enable it: ${readiness.howToEnable.join("; ")}.`;
}

/**
 * Before a data change is approved: why its rollback could not be prepared where it will run, or undefined when
 * nothing known up front stands in the way. Reads the instance's readiness (grants and settings, read only) and, for a
 * backup, each statement as the recorder will (a MySQL backup also reads its tables' catalog); what only the run can
 * tell (the row limit, ties at a LIMIT) is still checked then, and the done message says so.
 */
export async function rollbackOutlook(engine: EngineName, session: EngineSession, settings: MySqlRollbackSettings, statements: readonly string[]): Promise<string | undefined> {
  if (engine === "postgres") {
    const readiness = await checkBackupReadiness(postgresSession(session));
    if (!readiness.available) return explainUnavailable(readiness);
    for (const [index, sql] of statements.entries()) {
      const statement = readPostgresDataStatement(sql);
      if (statement.kind === "refused") return `rollback is unavailable: statement ${index + 1} cannot be backed up: ${statement.reason}.`;
    }
    return undefined;
  }
  const mysql = mysqlSession(session);
  const { readiness, method } = await mysqlMethod(mysql, settings);
  if (!method) return explainUnavailable(readiness);
  if (method === "binlog") return undefined;
  const refusal = await priorBackupRefusal(mysql, { changeKey: "review", rowLimit: Number.MAX_SAFE_INTEGER, backupDatabase: settings.mysqlBackupDatabase }, statements);
  return refusal ? `rollback is unavailable: ${refusal}.` : undefined;
}

/**
 * Called before session.begin(), with the change's statements: a MySQL prior backup creates its backup tables and
 * sets the transaction's isolation level. `target` lets the binlog reader connect with the same credentials. When the
 * instance is not ready the change still records nothing and finish() says why.
 */
export async function startRecording(
  engine: EngineName,
  session: EngineSession,
  target: ConnectionTarget,
  options: RecordingOptions,
  settings: MySqlRollbackSettings,
  statements: AsyncIterable<string>,
): Promise<DataChangeRecorder> {
  if (engine === "postgres") {
    const readiness = await checkBackupReadiness(postgresSession(session));
    return readiness.available ? new BackupRecorder(postgresSession(session), options) : new UnrecordedChange(session, explainUnavailable(readiness));
  }
  const mysql = mysqlSession(session);
  const { readiness, method } = await mysqlMethod(mysql, settings);
  if (method === "binlog") return startBinlogRecording(mysql, target, options);
  if (method === "backup") return startPriorBackupRecording(mysql, { ...options, backupDatabase: settings.mysqlBackupDatabase }, statements);
  return new UnrecordedChange(session, explainUnavailable(readiness));
}

/**
 * The forced form of one piece of a guarded script, derived for engines that store none (MySQL): each statement
 * keyed by its row's key only, and the header saying so.
 */
export function forcedChunk(chunk: string): string {
  return forcedMysqlRollbackScript(chunk);
}

/**
 * Drops backup tables older than the retention: a PostgreSQL session's database's, or those in the backup database
 * of a MySQL session's instance.
 */
export function dropExpiredBackups(engine: EngineName, session: EngineSession, olderThanDays: number, settings = DEFAULT_MYSQL_ROLLBACK): Promise<string[]> {
  if (engine === "mysql") return dropExpiredMySqlBackups(mysqlSession(session), settings.mysqlBackupDatabase, olderThanDays);
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
