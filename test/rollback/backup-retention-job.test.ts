// The daily job drops rollback backups older than rollback.backupRetentionDays, and keeps newer ones: PostgreSQL's in
// each database, MySQL's in the backup database of each instance (here the MariaDB without binlog, where they are made).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import pg from "pg";
import { dropExpiredRollbackBackups } from "../../src/rollback/backup-retention-job.ts";
import { workflowYaml } from "../support/changes.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, noBinlogMysqlServer, postgresServer } from "../support/servers.ts";
import { startTestSluice, type TestSluice } from "../support/sluice.ts";

let t: TestSluice;
let database: string;
let mysqlDatabase: string;
/** A backup database of this test's own, so its job touches no other test's backups on the instance. */
const backupDatabase = `sluice_backup_retention_${process.pid}`;

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
  mysqlDatabase = await createMysqlDatabase("retention", noBinlogMysqlServer());
  const conn = await mysql.createConnection({ ...noBinlogMysqlServer(), multipleStatements: true });
  try {
    const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const recent = new Date(Date.now() - 86_400_000).toISOString();
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${backupDatabase};
      CREATE TABLE ${backupDatabase}.\`tar-3_1_t_old\` (\`sluice$statement\` INT, id INT) COMMENT 'sluice backup of ${mysqlDatabase}.t for TAR-3; created ${old}';
      CREATE TABLE ${backupDatabase}.\`tar-4_1_t_new\` (\`sluice$statement\` INT, id INT) COMMENT 'sluice backup of ${mysqlDatabase}.t for TAR-4; created ${recent}';`);
  } finally {
    await conn.end();
  }
  const nobinlog = noBinlogMysqlServer();
  const yaml = workflowYaml([{ name: database, engine: "postgres", environment: "Test" }])
    .replace("instances:\n", `instances:\n  - { name: nobinlog, engine: mysql, host: ${nobinlog.host}, port: ${nobinlog.port}, user: ${nobinlog.user} }\n`)
    .replace(/(databases:\n.*\n)/, `$1      - { name: ${mysqlDatabase}, instance: nobinlog, environment: Test }\n`);
  t = await startTestSluice({ yaml: `${yaml}\nrollback: { backupRetentionDays: 7, mysqlBackupDatabase: ${backupDatabase} }\n` });
});

after(async () => {
  await t.stop();
  await dropPostgresDatabase(database);
  await dropMysqlDatabase(mysqlDatabase, noBinlogMysqlServer());
  const conn = await mysql.createConnection(noBinlogMysqlServer());
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${backupDatabase}`);
  } finally {
    await conn.end();
  }
});

test("backups past the retention are dropped, newer ones kept: in each PostgreSQL database and in a MySQL instance's backup database", async () => {
  const { config, registry, store, logger } = t.sluice.services;
  const dropped = await dropExpiredRollbackBackups({ config, registry, store, logger });
  assert.ok(dropped.includes(`${database}: "sluice_backup"."tar-1_1_t_old"`), dropped.join("\n"));
  assert.ok(dropped.includes(`nobinlog: \`${backupDatabase}\`.\`tar-3_1_t_old\``), dropped.join("\n"));
  assert.ok(!dropped.some((table) => /tar-2_1_t_new|tar-4_1/.test(table)), dropped.join("\n"));
  const conn = await mysql.createConnection(noBinlogMysqlServer());
  try {
    const [left] = await conn.query("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1", [backupDatabase]);
    assert.deepEqual(left, [{ name: `tar-4_1_t_new` }]);
  } finally {
    await conn.end();
  }
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    const left = await client.query<{ name: string }>("SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sluice_backup' ORDER BY 1");
    assert.deepEqual(left.rows.map((r) => r.name), ["tar-2_1_t_new"]);
  } finally {
    await client.end();
  }
});
