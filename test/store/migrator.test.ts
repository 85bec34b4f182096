import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFileSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { MigrationError } from "../../src/store/errors.ts";
import { applyMigrations } from "../../src/store/migrator.ts";
import { dropPostgresDatabase } from "../support/servers.ts";
import { freshDatabase, migrationsDir, poolFor, scratchMigrations } from "./helpers.ts";

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  id: string;
}

const databases: string[] = [];
after(async () => {
  for (const name of databases) await dropPostgresDatabase(name);
});

async function fresh() {
  const db = await freshDatabase();
  databases.push(db.name);
  return db;
}

const migrationNames = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function sha256OfFile(dir: string, name: string): string {
  return createHash("sha256").update(readFileSync(join(dir, name, "migration.sql"))).digest("hex");
}

describe("applying migrations to the history store", () => {
  test("a fresh database gets every migration once, recorded with Prisma's columns and sha256 checksum", async () => {
    const { url } = await fresh();
    const pool = poolFor(url);
    try {
      assert.deepEqual(await applyMigrations(pool, migrationsDir), migrationNames);
      const rows = (await pool.query<MigrationRow>(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`)).rows;
      assert.deepEqual(
        rows.map((row) => row.migration_name),
        migrationNames,
      );
      for (const row of rows) {
        assert.equal(row.checksum, sha256OfFile(migrationsDir, row.migration_name));
        assert.ok(row.finished_at instanceof Date);
        assert.equal(row.rolled_back_at, null);
        assert.equal(row.applied_steps_count, 1);
        assert.match(row.id, /^[0-9a-f-]{36}$/);
      }
      const columns = (
        await pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
          `SELECT column_name, data_type, is_nullable FROM information_schema.columns
           WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        )
      ).rows;
      assert.deepEqual(
        columns.map((c) => `${c.column_name} ${c.data_type} ${c.is_nullable}`),
        [
          "id character varying NO",
          "checksum character varying NO",
          "finished_at timestamp with time zone YES",
          "migration_name character varying NO",
          "logs text YES",
          "rolled_back_at timestamp with time zone YES",
          "started_at timestamp with time zone NO",
          "applied_steps_count integer NO",
        ],
      );
    } finally {
      await pool.end();
    }
  });

  test("a second run applies nothing", async () => {
    const { url } = await fresh();
    const pool = poolFor(url);
    try {
      await applyMigrations(pool, migrationsDir);
      assert.deepEqual(await applyMigrations(pool, migrationsDir), []);
      const count = await pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      assert.equal(count.rows[0].n, migrationNames.length);
    } finally {
      await pool.end();
    }
  });

  test("replicas starting at once apply each migration exactly once", async () => {
    const { url } = await fresh();
    // A slow second migration widens the window in which an unlocked runner would apply it twice.
    const dir = scratchMigrations({
      "29990101000000_slow": `SELECT pg_sleep(0.3);\nCREATE TABLE "Probe" ("id" SERIAL NOT NULL, CONSTRAINT "Probe_pkey" PRIMARY KEY ("id"));\n`,
    });
    const pools = [poolFor(url), poolFor(url), poolFor(url), poolFor(url)];
    try {
      const applied = await Promise.all(pools.map((pool) => applyMigrations(pool, dir)));
      assert.deepEqual(applied.flat().sort(), [...migrationNames, "29990101000000_slow"].sort());
      const rows = (
        await pools[0]!.query<{ migration_name: string; n: number }>(
          `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name`,
        )
      ).rows;
      assert.deepEqual(
        rows,
        [...migrationNames, "29990101000000_slow"].map((name) => ({ migration_name: name, n: 1 })),
      );
      const tables = await pools[0]!.query(`SELECT to_regclass('"Change"') AS change, to_regclass('"Probe"') AS probe`);
      assert.deepEqual(tables.rows[0], { change: "\"Change\"", probe: "\"Probe\"" });
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  test("a migration edited after it was applied stops start-up with an error naming it", async () => {
    const { url } = await fresh();
    const dir = scratchMigrations();
    const pool = poolFor(url);
    try {
      await applyMigrations(pool, dir);
      appendFileSync(join(dir, "20261125000000_init", "migration.sql"), "\n-- an afterthought\n");
      await assert.rejects(applyMigrations(pool, dir), (error: Error) => {
        assert.ok(error instanceof MigrationError);
        assert.match(error.message, /20261125000000_init was edited after it was applied/);
        return true;
      });
    } finally {
      await pool.end();
    }
  });

  test("a failed earlier attempt is reported, not retried behind the operator's back", async () => {
    const { url } = await fresh();
    const pool = poolFor(url);
    try {
      await applyMigrations(pool, migrationsDir);
      await pool.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs) VALUES ($1, $2, $3, $4)`,
        ["00000000-0000-4000-8000-000000000000", "0".repeat(64), "29990101000000_half_done", "ERROR: column \"x\" does not exist"],
      );
      await assert.rejects(applyMigrations(pool, migrationsDir), (error: Error) => {
        assert.ok(error instanceof MigrationError);
        assert.match(error.message, /29990101000000_half_done failed in an earlier attempt/);
        assert.match(error.message, /column "x" does not exist/);
        return true;
      });
    } finally {
      await pool.end();
    }
  });

  test("a migration that fails is rolled back whole and not recorded, and the lock is released", async () => {
    const { url } = await fresh();
    const dir = scratchMigrations({
      "29990101000000_broken": `CREATE TABLE "Half" ("id" INTEGER);\nALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n`,
    });
    const pool = poolFor(url, 1);
    try {
      await assert.rejects(applyMigrations(pool, dir), (error: Error) => {
        assert.ok(error instanceof MigrationError);
        assert.match(error.message, /29990101000000_broken failed and was rolled back: relation "NoSuchTable" does not exist/);
        return true;
      });
      const state = await pool.query(
        `SELECT to_regclass('"Half"') AS half, (SELECT count(*)::int FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken') AS recorded,
                (SELECT count(*)::int FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                 WHERE l.locktype = 'advisory' AND d.datname = current_database()) AS locks`,
      );
      assert.deepEqual(state.rows[0], { half: null, recorded: 0, locks: 0 });
    } finally {
      await pool.end();
    }
  });
});
