// A world for the query tests: one MariaDB and one PostgreSQL database with the same fixture tables, a real
// history store for the audit log, and the domain's dependencies wired as Sluice wires them.
import { join } from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";
import type { ApproverDirectory } from "../../src/changes/policy.ts";
import type { Config } from "../../src/config/load.ts";
import { parseConfigFile } from "../../src/config/load.ts";
import type { EngineName } from "../../src/engines/engine.ts";
import { Registry } from "../../src/projects/registry.ts";
import { AuditTrail } from "../../src/query/audit.ts";
import type { QueryDeps } from "../../src/query/run-query.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { createLogger } from "../../src/logger.ts";
import {
  createMysqlDatabase,
  createPostgresDatabase,
  dropMysqlDatabase,
  dropPostgresDatabase,
  mysqlServer,
  postgresServer,
  repoRoot,
} from "../support/servers.ts";
import { eventually, storeUrl, type TestSluice } from "../support/sluice.ts";

export const APPROVER = "UAPPROVER";
export const DEVELOPER = "UDEVELOPER";

const FIXTURE: Record<EngineName, string[]> = {
  mysql: [
    "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), phone VARCHAR(40))",
    "CREATE TABLE customers (id INT PRIMARY KEY, user_id INT, salary DECIMAL(12,2), city VARCHAR(50))",
    "CREATE TABLE samples (id INT PRIMARY KEY, big BIGINT UNSIGNED, amount DECIMAL(30,10), raw VARBINARY(16), label TEXT) DEFAULT CHARSET=utf8mb4",
    "INSERT INTO users VALUES (1, 'Ada', 'ada@example.com', '+1 555 0100'), (2, 'Linus', 'linus@example.com', NULL)",
    "INSERT INTO customers VALUES (1, 1, 120000.50, 'London'), (2, 2, 98000.00, 'Helsinki')",
    "INSERT INTO samples VALUES (1, 18446744073709551615, 12345678901234567890.1234567890, 0x00FF10, 'naïve café 🎉 漢字テスト'), (2, NULL, NULL, NULL, NULL)",
    "CREATE FUNCTION sneaky_write() RETURNS INT DETERMINISTIC MODIFIES SQL DATA BEGIN INSERT INTO users VALUES (99, 'x', 'x', 'x'); RETURN 1; END",
    "CREATE SEQUENCE seq_orders",
  ],
  postgres: [
    "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100), email VARCHAR(200), phone VARCHAR(40))",
    "CREATE TABLE customers (id INT PRIMARY KEY, user_id INT, salary NUMERIC(12,2), city VARCHAR(50))",
    "CREATE TABLE samples (id INT PRIMARY KEY, big NUMERIC(20,0), amount NUMERIC(30,10), raw BYTEA, label TEXT)",
    "INSERT INTO users VALUES (1, 'Ada', 'ada@example.com', '+1 555 0100'), (2, 'Linus', 'linus@example.com', NULL)",
    "INSERT INTO customers VALUES (1, 1, 120000.50, 'London'), (2, 2, 98000.00, 'Helsinki')",
    "INSERT INTO samples VALUES (1, 18446744073709551615, 12345678901234567890.1234567890, '\\x00ff10', 'naïve café 🎉 漢字テスト'), (2, NULL, NULL, NULL, NULL)",
    "CREATE FUNCTION sneaky_write() RETURNS INT LANGUAGE plpgsql AS $$ BEGIN INSERT INTO users VALUES (99, 'x', 'x', 'x'); RETURN 1; END $$",
    "CREATE SEQUENCE seq_orders",
  ],
};

export const FIXTURE_TABLES = ["users", "customers", "samples"];

export interface QueryWorld {
  mysqlDatabase: string;
  postgresDatabase: string;
  store: Store;
  storeDatabase: string;
  config: Config;
  deps: QueryDeps;
  /** The name people type for each engine's database. */
  databaseFor(engine: EngineName): string;
  /** Runs SQL as the fixture's owner, outside Sluice (for checksums and set-up). */
  admin(engine: EngineName, sql: string): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Group membership as Slack would answer it: no groups in these tests. */
export const noGroups: ApproverDirectory = { membersOf: async () => [] };

export function worldYaml(mysqlDatabase: string, postgresDatabase: string, extraQuery = ""): string {
  const my = mysqlServer();
  const pgs = postgresServer();
  return `
environments:
  - name: Test
    approvers: { users: [${APPROVER}] }
instances:
  - { name: maria, engine: mysql, host: ${my.host}, port: ${my.port}, user: ${my.user} }
  - { name: pg, engine: postgres, host: ${pgs.host}, port: ${pgs.port}, user: ${pgs.user} }
projects:
  - key: QRY
    name: Query
    channel: CQUERY
    databases:
      - { name: ${mysqlDatabase}, instance: maria, environment: Test }
      - { name: ${postgresDatabase}, instance: pg, environment: Test }
query:
  rowLimit: 50
  timeoutSeconds: 3
  masking:
    columns:
      - { table: customers, column: salary }
${extraQuery}`;
}

export async function fixtureDatabases(): Promise<{ mysqlDatabase: string; postgresDatabase: string }> {
  const mysqlDatabase = await createMysqlDatabase("sluice_query");
  const postgresDatabase = await createPostgresDatabase("sluice_query");
  for (const sql of FIXTURE.mysql) await runAsOwner("mysql", mysqlDatabase, sql);
  for (const sql of FIXTURE.postgres) await runAsOwner("postgres", postgresDatabase, sql);
  return { mysqlDatabase, postgresDatabase };
}

export async function runAsOwner(engine: EngineName, database: string, sql: string): Promise<unknown[]> {
  if (engine === "mysql") {
    const conn = await mysql.createConnection({ ...mysqlServer(), database, supportBigNumbers: true, bigNumberStrings: true, charset: "utf8mb4_unicode_ci" });
    try {
      const [rows] = await conn.query(sql);
      return rows as unknown[];
    } finally {
      await conn.end();
    }
  }
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

export async function openQueryWorld(extraQuery = ""): Promise<QueryWorld> {
  const { mysqlDatabase, postgresDatabase } = await fixtureDatabases();
  const storeDatabase = await createPostgresDatabase("sluice_store");
  const store = await openStore({
    databaseUrl: storeUrl(storeDatabase),
    dataDir: join(repoRoot, ".sluice-unused"),
    migrationsDir: join(repoRoot, "prisma", "migrations"),
    logger: createLogger("silent"),
  });
  const file = parseConfigFile(worldYaml(mysqlDatabase, postgresDatabase, extraQuery), "sluice.yml");
  const config: Config = {
    settings: { configPath: "sluice.yml", port: 0, logLevel: "silent", dataDir: "", slack: { fileOrigins: [] } },
    file,
    passwords: new Map([["maria", mysqlServer().password], ["pg", postgresServer().password]]),
  };
  const registry = await Registry.sync(store.prisma, config);
  const deps: QueryDeps = { config, registry, audit: new AuditTrail(store.prisma), directory: noGroups };
  return {
    mysqlDatabase,
    postgresDatabase,
    store,
    storeDatabase,
    config,
    deps,
    databaseFor: (engine) => (engine === "mysql" ? mysqlDatabase : postgresDatabase),
    admin: (engine, sql) => runAsOwner(engine, engine === "mysql" ? mysqlDatabase : postgresDatabase, sql),
    close: async () => {
      await store.close();
      await dropPostgresDatabase(storeDatabase);
      await dropMysqlDatabase(mysqlDatabase);
      await dropPostgresDatabase(postgresDatabase);
    },
  };
}

/** A fingerprint of every fixture table's rows. */
export async function tableChecksums(world: QueryWorld, engine: EngineName): Promise<string> {
  const sums: string[] = [];
  for (const table of [...FIXTURE_TABLES]) {
    const rows =
      engine === "mysql"
        ? await world.admin(engine, `CHECKSUM TABLE ${table} EXTENDED`)
        : await world.admin(engine, `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM ${table} t`);
    sums.push(JSON.stringify(rows));
  }
  const sequence = engine === "mysql" ? "SELECT next_not_cached_value AS v FROM seq_orders" : "SELECT last_value, is_called FROM seq_orders";
  sums.push(JSON.stringify(await world.admin(engine, sequence)));
  return sums.join("\n");
}

/** `/db query <database>` without SQL, then the modal it opens submitted with `sql`, its answer to come in a thread. */
export async function submitQueryModalToThread(t: TestSluice, user: string, channel: string, database: string, sql: string) {
  const opened = t.slack.callsTo("views.open").length;
  await t.send.command(`query ${database}`, { id: user }, channel);
  const view = await eventually(() => t.slack.views[opened], 10_000, "the query modal");
  return t.send.submitView({
    user: { id: user },
    view: { ...view.view, id: view.id },
    values: {
      database: { database: { type: "static_select", selected_option: { value: database } } },
      sql: { sql: { type: "plain_text_input", value: sql } },
      delivery: { delivery: { type: "radio_buttons", selected_option: { value: "thread" } } },
    },
  });
}
