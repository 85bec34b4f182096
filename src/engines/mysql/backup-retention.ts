// Readiness of MySQL's prior backup (may Sluice keep backup tables in its own database?), and their retention.
import { createdBefore, retentionCutoff } from "../../rollback/backup-tables.ts";
import type { RollbackReadiness } from "../../rollback/types.ts";
import { OWN_GRANTS } from "./binlog-prerequisites.ts";
import { quoteIdentifier } from "./quote.ts";
import type { MySqlSession } from "./session.ts";

/** What the backup needs in its database: make and fill tables, read them, and drop them when they expire. */
const BACKUP_PRIVILEGES = ["CREATE", "INSERT", "SELECT", "DELETE", "DROP"];

export const LIST_BACKUP_TABLES = `SELECT TABLE_NAME AS name, TABLE_COMMENT AS comment FROM information_schema.TABLES
  WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`;

export async function checkPriorBackupReadiness(session: MySqlSession, backupDatabase: string): Promise<RollbackReadiness> {
  const grants = (await session.queryRows(OWN_GRANTS)).map((row) => String(Object.values(row)[0])).join("\n");
  const missing = missingBackupPrivileges(grants, backupDatabase);
  if (missing.length === 0) return { available: true, problems: [], howToEnable: [] };
  return {
    available: false,
    problems: [`the user Sluice connects as lacks ${missing.join(", ")} on database ${backupDatabase}, where it keeps prior backups`],
    howToEnable: [`GRANT ${BACKUP_PRIVILEGES.join(", ")} ON ${quoteIdentifier(backupDatabase)}.* TO the Sluice user`],
  };
}

/**
 * The privileges of BACKUP_PRIVILEGES that no grant gives on `database`: grants on every database, on it by name, or
 * on a pattern (`_` and `%`) it matches. Grants through a role the server does not list here count as missing.
 */
export function missingBackupPrivileges(grants: string, database: string): string[] {
  const granted = new Set<string>();
  for (const line of grants.split("\n")) {
    const grant = /^GRANT (.+?) ON (\*|`(?:[^`]|``)+`|[^\s.]+)\.\* TO /i.exec(line.trim());
    if (!grant || !scopeCovers(grant[2]!, database)) continue;
    for (const privilege of grant[1]!.split(",")) granted.add(privilege.trim().toUpperCase());
  }
  if (granted.has("ALL PRIVILEGES") || granted.has("ALL")) return [];
  return BACKUP_PRIVILEGES.filter((privilege) => !granted.has(privilege));
}

function scopeCovers(scope: string, database: string): boolean {
  if (scope === "*") return true;
  const name = scope.startsWith("`") ? scope.slice(1, -1).replaceAll("``", "`") : scope;
  // A database pattern in a grant: `_` and `%` are wildcards unless escaped with a backslash.
  const pattern = name.replace(/\\([_%])|([_%])|([^_%\\]+)/g, (_, escaped: string | undefined, wildcard: string | undefined, plain: string | undefined) =>
    escaped ? escapeRegExp(escaped) : wildcard === "_" ? "." : wildcard === "%" ? ".*" : escapeRegExp(plain ?? ""),
  );
  return new RegExp(`^${pattern}$`, "i").test(database);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Drops backup tables created more than olderThanDays ago; returns the dropped names. */
export async function dropExpiredBackups(session: MySqlSession, backupDatabase: string, olderThanDays: number, now = new Date()): Promise<string[]> {
  const cutoff = retentionCutoff(olderThanDays, now);
  const dropped: string[] = [];
  for (const table of await session.queryRows(LIST_BACKUP_TABLES, [backupDatabase])) {
    if (!createdBefore(String(table.comment ?? ""), cutoff)) continue;
    const name = `${quoteIdentifier(backupDatabase)}.${quoteIdentifier(String(table.name))}`;
    await session.execute(`DROP TABLE IF EXISTS ${name}`);
    dropped.push(name);
  }
  return dropped;
}
