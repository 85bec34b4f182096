// The daily job drops PostgreSQL rollback backups older than rollback.backupRetentionDays, and keeps newer ones.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { dropExpiredRollbackBackups } from "../../src/rollback/backup-retention-job.ts";
import { workflowYaml } from "../support/changes.ts";
import { createPostgresDatabase, dropPostgresDatabase, postgresServer } from "../support/servers.ts";
import { startTestSluice, type TestSluice } from "../support/sluice.ts";

let t: TestSluice;
let database: string;

before(async () => {
  database = await createPostgresDatabase("retention");
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const recent = new Date(Date.now() - 86_400_000).toISOString();
    await client.query(`CREATE SCHEMA sluice_backup;
      CREATE TABLE sluice_backup."tar-1_1_t_old" ("sluice$statement" int, id int); COMMENT ON TABLE sluice_backup."tar-1_1_t_old" IS 'sluice backup of public.t for TAR-1; created ${old}';
      CREATE TABLE sluice_backup."tar-2_1_t_new" ("sluice$statement" int, id int); COMMENT ON TABLE sluice_backup."tar-2_1_t_new" IS 'sluice backup of public.t for TAR-2; created ${recent}';`);
  } finally {
    await client.end();
  }
  t = await startTestSluice({ yaml: `${workflowYaml([{ name: database, engine: "postgres", environment: "Test" }])}\nrollback: { backupRetentionDays: 7 }\n` });
});

after(async () => {
  await t.stop();
  await dropPostgresDatabase(database);
});

test("backups past the retention are dropped, newer ones kept", async () => {
  const { config, registry, store, logger } = t.sluice.services;
  const dropped = await dropExpiredRollbackBackups({ config, registry, store, logger });
  assert.deepEqual(dropped, [`${database}: "sluice_backup"."tar-1_1_t_old"`]);
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    const left = await client.query<{ name: string }>("SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sluice_backup' ORDER BY 1");
    assert.deepEqual(left.rows.map((r) => r.name), ["tar-2_1_t_new"]);
  } finally {
    await client.end();
  }
});
