// The migration that keeps rollback scripts in pieces moves the scripts of a store that has them as whole values:
// no prepared rollback is lost on upgrade.
import assert from "node:assert/strict";
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { applyMigrations } from "../../src/store/migrator.ts";
import { dropPostgresDatabase } from "../support/servers.ts";
import { freshDatabase, migrationsDir, poolFor, scratchDir } from "./helpers.ts";

const CHUNKS_MIGRATION = "20261125093000_rollback_scripts_in_chunks";

let database: string | undefined;
after(async () => {
  if (database) await dropPostgresDatabase(database);
});

test("scripts stored whole before the migration become one piece each, guarded and forced", async () => {
  const db = await freshDatabase();
  database = db.name;
  const earlier = scratchDir("sluice-migrations");
  for (const name of readdirSync(migrationsDir).filter((entry) => entry < CHUNKS_MIGRATION)) cpSync(join(migrationsDir, name), join(earlier, name), { recursive: true });
  const pool = poolFor(db.url);
  try {
    await applyMigrations(pool, earlier);
    await pool.query(`INSERT INTO "Project" ("key", "name", "slackChannel", "updatedAt") VALUES ('TAR', 'Tarot', 'C1', now())`);
    await pool.query(`INSERT INTO "Instance" ("name", "engine", "host", "port", "updatedAt") VALUES ('maria', 'mysql', 'h', 3306, now())`);
    await pool.query(`INSERT INTO "Environment" ("name", "updatedAt") VALUES ('Test', now())`);
    await pool.query(`INSERT INTO "Database" ("name", "instanceId", "environmentId", "projectId", "updatedAt") VALUES ('d', 1, 1, 1, now())`);
    await pool.query(`INSERT INTO "Change" ("projectId", "number", "key", "databaseId", "type", "status", "sql", "requesterId", "updatedAt") VALUES (1, 1, 'TAR-1', 1, 'data', 'done', 'UPDATE t SET a = 2', 'U1', now())`);
    const guarded = "-- Rollback of TAR-1 (guarded): 1 statement(s) undoing 1 row(s), latest first.\nUPDATE t SET a = 1 WHERE id = 1 AND a <=> 2;\n";
    await pool.query(
      `INSERT INTO "Execution" ("changeId", "attempt", "status", "runnerId", "rollbackSql", "rollbackForcedSql", "rollbackRows") VALUES (1, 1, 'done', 'r', $1, 'UPDATE t SET a = 1 WHERE id = 1;\n', 1), (1, 2, 'failed', 'r', NULL, NULL, NULL)`,
      [guarded],
    );

    await applyMigrations(pool, migrationsDir);
    const { rows } = await pool.query(`SELECT "executionId", "forced", "seq", "sql" FROM "RollbackChunk" ORDER BY "executionId", "forced", "seq"`);
    assert.deepEqual(rows, [
      { executionId: 1, forced: false, seq: 0, sql: guarded },
      { executionId: 1, forced: true, seq: 0, sql: "UPDATE t SET a = 1 WHERE id = 1;\n" },
    ]);
    const columns = await pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'Execution' AND column_name LIKE 'rollback%' ORDER BY 1`);
    assert.deepEqual(columns.rows.map((row) => row.column_name), ["rollbackNote", "rollbackRows"]);
  } finally {
    await pool.end();
  }
});
