// Drops PostgreSQL rollback backups past `rollback.backupRetentionDays`, once a day, one replica at a time.
import { schedule, type ScheduledTask } from "node-cron";
import type { Config } from "../config/load.ts";
import { engineFor } from "../engines/index.ts";
import type { Logger } from "../logger.ts";
import type { Registry } from "../projects/registry.ts";
import { advisoryLockKey, tryAdvisoryLock } from "../store/advisory-lock.ts";
import type { Store } from "../store/index.ts";
import { dropExpiredBackups } from "./index.ts";

const DAILY = "17 3 * * *";

export interface BackupRetentionDeps {
  config: Config;
  registry: Registry;
  store: Store;
  logger: Logger;
}

/** One pass over every PostgreSQL database; returns the backup tables dropped. */
export async function dropExpiredRollbackBackups(deps: BackupRetentionDeps): Promise<string[]> {
  const { config, registry, logger } = deps;
  const dropped: string[] = [];
  for (const database of registry.databases.filter((d) => d.instance.engine === "postgres")) {
    try {
      const session = await engineFor("postgres").connect(registry.target(database.instance, database.name), { statementTimeoutMs: 60_000, lockTimeoutMs: 5_000 });
      try {
        dropped.push(...(await dropExpiredBackups(session, config.file.rollback.backupRetentionDays)).map((table) => `${database.label}: ${table}`));
      } finally {
        await session.close();
      }
    } catch (error) {
      logger.warn({ database: database.label, err: error }, "could not drop expired rollback backups");
    }
  }
  if (dropped.length > 0) logger.info({ dropped }, "dropped expired rollback backups");
  return dropped;
}

export function scheduleBackupRetention(deps: BackupRetentionDeps): ScheduledTask {
  return schedule(
    DAILY,
    () => void tryAdvisoryLock(deps.store.pool, advisoryLockKey("sluice:backup-retention"), () => dropExpiredRollbackBackups(deps)),
    { name: "sluice-backup-retention", noOverlap: true },
  );
}
