// Readiness of PostgreSQL's prior backup, and the retention of backup tables (their comment carries the creation time).
import { createdBefore, retentionCutoff } from "../../rollback/backup-tables.ts";
import type { RollbackReadiness } from "../../rollback/types.ts";
import { BACKUP_READINESS, BACKUP_SCHEMA, LIST_BACKUP_TABLES } from "./backup-catalog.ts";
import { quoteIdentifier } from "./quote.ts";
import type { PostgresSession } from "./session.ts";

export async function checkBackupReadiness(session: PostgresSession): Promise<RollbackReadiness> {
  const [row] = await session.queryRows(BACKUP_READINESS);
  const mayCreate = row?.schemaExists ? row.mayCreateInSchema === true : row?.mayCreateSchema === true;
  if (mayCreate) return { available: true, problems: [], howToEnable: [] };
  return {
    available: false,
    problems: [`the user Sluice connects as cannot create backup tables in schema ${BACKUP_SCHEMA}`],
    howToEnable: [
      row?.schemaExists
        ? `GRANT CREATE, USAGE ON SCHEMA ${BACKUP_SCHEMA} TO the Sluice user`
        : `CREATE SCHEMA ${BACKUP_SCHEMA} AUTHORIZATION the Sluice user (or GRANT CREATE ON DATABASE to it)`,
    ],
  };
}

/** Drops backup tables created more than olderThanDays ago; returns the dropped names. */
export async function dropExpiredBackups(session: PostgresSession, olderThanDays: number, now = new Date()): Promise<string[]> {
  const cutoff = retentionCutoff(olderThanDays, now);
  const dropped: string[] = [];
  for (const table of await session.queryRows(LIST_BACKUP_TABLES)) {
    if (!createdBefore(String(table.comment ?? ""), cutoff)) continue;
    const name = `${quoteIdentifier(BACKUP_SCHEMA)}.${quoteIdentifier(String(table.name))}`;
    await session.execute(`DROP TABLE IF EXISTS ${name}`);
    dropped.push(name);
  }
  return dropped;
}
