// Shared set-up for the store tests: fresh databases on the test PostgreSQL and scratch migration directories.
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createLogger } from "../../src/logger.ts";
import { createPostgresDatabase, postgresServer, repoRoot } from "../support/servers.ts";

export const migrationsDir = join(repoRoot, "prisma", "migrations");
export const silentLogger = createLogger("silent");

export function postgresUrl(database: string): string {
  const { user, password, host, port } = postgresServer();
  const credentials = password ? `${encodeURIComponent(user)}:${encodeURIComponent(password)}` : encodeURIComponent(user);
  return `postgres://${credentials}@${host}:${port}/${database}`;
}

export async function freshDatabase(): Promise<{ name: string; url: string }> {
  const name = await createPostgresDatabase("sluice_store");
  return { name, url: postgresUrl(name) };
}

export function poolFor(url: string, max = 2): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  // The database is dropped WITH (FORCE) at the end of a test file; an idle client told so must not crash the run.
  pool.on("error", () => {});
  return pool;
}

const scratchDirs: string[] = [];
// An embedded store's data directory is some 40 MB: leave nothing behind once the test file is done.
process.on("exit", () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

/** A copy of prisma/migrations, plus extra migrations given as name → SQL. */
export function scratchMigrations(extra: Record<string, string> = {}): string {
  const dir = join(scratchDir("sluice-migrations"), "migrations");
  cpSync(migrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, "migration.sql"), sql);
  }
  return dir;
}
