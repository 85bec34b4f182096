// A target database for the drift tests on either engine: created fresh, written to directly (outside Sluice,
// which is what drift is), and described in sluice.yml.
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineName } from "../../../src/engines/engine.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../../support/servers.ts";

export interface TargetDatabase {
  engine: EngineName;
  name: string;
  /** Runs SQL on the database as its owner would, outside Sluice. */
  exec(sql: string): Promise<void>;
  /** The SQL of the seed's t1 table. */
  createT1: string;
  drop(): Promise<void>;
}

export const engines: EngineName[] = ["mysql", "postgres"];

export async function createTarget(engine: EngineName, prefix = "drift"): Promise<TargetDatabase> {
  const name = engine === "mysql" ? await createMysqlDatabase(prefix) : await createPostgresDatabase(prefix);
  return targetFor(engine, name);
}

/** A database by name, which need not exist (for the unreachable case). */
export function targetFor(engine: EngineName, name: string): TargetDatabase {
  const createT1 =
    engine === "mysql"
      ? "CREATE TABLE t1 (id integer NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(50) NOT NULL, KEY name_idx (name))"
      : "CREATE TABLE t1 (id serial PRIMARY KEY, name varchar(50) NOT NULL); CREATE INDEX name_idx ON t1 (name)";
  return {
    engine,
    name,
    createT1,
    exec: (sql) => (engine === "mysql" ? execMysql(name, sql) : execPostgres(name, sql)),
    drop: () => (engine === "mysql" ? dropMysqlDatabase(name) : dropPostgresDatabase(name)),
  };
}

async function execMysql(database: string, sql: string): Promise<void> {
  const conn = await mysql.createConnection({ ...mysqlServer(), database, multipleStatements: true });
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

async function execPostgres(database: string, sql: string): Promise<void> {
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** sluice.yml with one instance per engine and the given databases in project DRF (channel CPROJECT). */
export function driftYaml(databases: Array<{ engine: EngineName; name: string; environment?: string }>, drift = "drift: { enabled: false, channel: CDRIFT }"): string {
  const my = mysqlServer();
  const pgs = postgresServer();
  return `
environments:
  - name: Test
    autoApprove: true
  - name: Prod
    tier: prod
    approvers: { users: [UAPPROVER], groups: [SDBAS] }
instances:
  - { name: maria, engine: mysql, host: ${my.host}, port: ${my.port}, user: ${my.user}${my.password ? ", passwordEnv: DRIFT_TEST_MYSQL_PASSWORD" : ""} }
  - { name: pg, engine: postgres, host: ${pgs.host}, port: ${pgs.port}, user: ${pgs.user}${pgs.password ? ", passwordEnv: DRIFT_TEST_PG_PASSWORD" : ""} }
projects:
  - key: DRF
    name: Drift
    channel: CPROJECT
    databases:
${databases.map((d) => `      - { name: ${d.name}, instance: ${d.engine === "mysql" ? "maria" : "pg"}, environment: ${d.environment ?? "Prod"} }`).join("\n")}
${drift}
`;
}

/** The instance passwords driftYaml's passwordEnv names, when the test servers have any. */
export function driftEnv(): Record<string, string> {
  return { DRIFT_TEST_MYSQL_PASSWORD: mysqlServer().password, DRIFT_TEST_PG_PASSWORD: postgresServer().password };
}
