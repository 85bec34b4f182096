// Applies prisma/migrations/*/migration.sql at start-up, as `prisma migrate deploy` would (it cannot run offline):
// in order, under an advisory lock, each in a transaction that also records it in Prisma's `_prisma_migrations`.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { Logger } from "../logger.ts";
import { MigrationError } from "./errors.ts";

/** The key `prisma migrate` itself locks, so Sluice and the Prisma CLI never migrate the same database at once. */
const MIGRATION_LOCK_KEY = 72707369;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

type MigrationLogger = Pick<Logger, "info" | "warn">;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const SELECT_MIGRATION_ROWS = `
SELECT migration_name, checksum, finished_at, rolled_back_at, started_at, logs
FROM "_prisma_migrations" ORDER BY started_at`;

const INSERT_MIGRATION_ROW = `
INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`;

/** Prisma's checksum: the sha256 of the file's bytes, in hex. */
export function migrationChecksum(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The migrations in `migrationsDir`, ordered by directory name as Prisma orders them. */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new MigrationError(`migrations directory not found: ${migrationsDir}`);
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(migrationsDir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: migrationChecksum(bytes) };
    });
}

/**
 * Applies the migrations not yet recorded as finished and returns their names. Needs one connection only,
 * held for the whole run: the advisory lock is session-level, so it must be taken and released on the
 * connection that does the work (and an embedded store has a single connection to give).
 */
export async function applyMigrations(
  db: pg.Pool | pg.ClientBase,
  migrationsDir: string,
  logger?: MigrationLogger,
): Promise<string[]> {
  const migrations = readMigrations(migrationsDir);
  const pooled = db instanceof pg.Pool ? await db.connect() : undefined;
  const client: pg.ClientBase = pooled ?? (db as pg.ClientBase);
  let broken: Error | undefined;
  try {
    await lockMigrations(client, logger).catch((error: Error) => {
      broken = error;
      throw error;
    });
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const rows = (await client.query<MigrationRow>(SELECT_MIGRATION_ROWS)).rows;
      const pending = pendingMigrations(migrations, rows, logger);
      for (const migration of pending) {
        await applyOne(client, migration);
        logger?.info({ migration: migration.name }, "applied migration");
      }
      return pending.map((migration) => migration.name);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    // A connection that could not unlock is destroyed, not reused: closing the session is what frees its lock.
    pooled?.release(broken);
  }
}

async function lockMigrations(client: pg.ClientBase, logger?: MigrationLogger): Promise<void> {
  const tried = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [MIGRATION_LOCK_KEY]);
  if (tried.rows[0]?.locked) return;
  logger?.info({ lockKey: MIGRATION_LOCK_KEY }, "another process is migrating the history store; waiting for it");
  await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
}

/** Checks the recorded history against the files and returns the files still to apply, in order. */
function pendingMigrations(migrations: MigrationFile[], rows: MigrationRow[], logger?: MigrationLogger): MigrationFile[] {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed in an earlier attempt (started ${failed.started_at.toISOString()}) and was not rolled back` +
        (failed.logs ? `: ${failed.logs.trim()}` : "") +
        `. Check the history store, then mark it rolled back (\`prisma migrate resolve --rolled-back ${failed.migration_name}\`,` +
        ` or set rolled_back_at on its row in _prisma_migrations) and start Sluice again.`,
    );
  }
  const applied = new Map(
    rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => [row.migration_name, row]),
  );
  const known = new Set(migrations.map((migration) => migration.name));
  for (const name of applied.keys()) {
    if (!known.has(name)) logger?.warn({ migration: name }, "the history store has a migration that prisma/migrations does not");
  }
  return migrations.filter((migration) => {
    const row = applied.get(migration.name);
    if (!row) return true;
    if (!checksumMatches(migration, row.checksum)) {
      throw new MigrationError(
        `migration ${migration.name} was edited after it was applied: its checksum is ${migration.checksum}, ` +
          `the history store recorded ${row.checksum}. Restore the applied file and put the change in a new migration.`,
      );
    }
    return false;
  });
}

/** Like Prisma, a file whose only difference is CRLF line endings (a Windows checkout) still matches. */
function checksumMatches(migration: MigrationFile, recorded: string): boolean {
  return recorded === migration.checksum || recorded === migrationChecksum(migration.sql.replace(/\r\n/g, "\n"));
}

async function applyOne(client: pg.ClientBase, migration: MigrationFile): Promise<void> {
  const startedAt = new Date();
  await client.query("BEGIN");
  try {
    await client.query(migration.sql);
    await client.query(INSERT_MIGRATION_ROW, [randomUUID(), migration.checksum, migration.name, startedAt]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    // Nothing is recorded: the transaction rolled the migration back whole, so the next start simply retries it.
    throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, { cause: error });
  }
}
