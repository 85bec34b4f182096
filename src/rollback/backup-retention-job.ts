// Drops prior backups past `rollback.backupRetentionDays`, once a day, one replica at a time: PostgreSQL's in each
// database, MySQL's in the backup database of each instance that has a database in a project.
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

/** One pass over every PostgreSQL database and MySQL instance; returns the backup tables dropped. */
export async function dropExpiredRollbackBackups(deps: BackupRetentionDeps): Promise<string[]> {
  const { config, registry, logger } = deps;
  const { rollback } = config.file;
  const dropped: string[] = [];
  const postgres = registry.databases.filter((d) => d.instance.engine === "postgres").map((d) => ({ label: d.label, target: registry.target(d.instance, d.name), engine: d.instance.engine }));
  const mysqlInstances = [...new Map(registry.databases.filter((d) => d.instance.engine === "mysql").map((d) => [d.instance.name, d.instance])).values()];
  const mysql = mysqlInstances.map((instance) => ({ label: instance.name, target: registry.target(instance), engine: instance.engine }));
  for (const { label, target, engine } of [...postgres, ...mysql]) {
    try {
      const session = await engineFor(engine).connect(target, { statementTimeoutMs: 60_000, lockTimeoutMs: 5_000 });
      try {
        dropped.push(...(await dropExpiredBackups(engine, session, rollback.backupRetentionDays, rollback)).map((table) => `${label}: ${table}`));
      } finally {
        await session.close();
      }
    } catch (error) {
      logger.warn({ database: label, err: error }, "could not drop expired rollback backups");
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
