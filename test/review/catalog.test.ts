// Catalog-backed rules against the real MariaDB and PostgreSQL servers.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineName, ReviewCatalogSession } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { reviewConfigSchema, reviewStatements } from "../../src/review/index.ts";
import { onMysql, onPostgres } from "../support/changes.ts";
import { change, reviewAllOn } from "./support/review-helpers.ts";
import {
  createMysqlDatabase,
  createPostgresDatabase,
  dropMysqlDatabase,
  dropPostgresDatabase,
  mysqlServer,
  postgresServer,
} from "../support/servers.ts";

const table = `review_catalog_${process.pid}_${Date.now()}`;

interface Server {
  catalog: ReviewCatalogSession;
  /** Rows in the test table, counted on a connection of the test's own. */
  rows(): Promise<number>;
  close(): Promise<void>;
}

const LIMITS = { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 };

async function openMysql(): Promise<Server> {
  const database = await createMysqlDatabase("review_catalog");
  const connection = await mysql.createConnection({ ...mysqlServer(), database });
  await connection.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT '')`);
  await connection.query(`INSERT INTO ${table} (id) VALUES ${Array.from({ length: 50 }, (_, i) => `(${i + 1})`).join(",")}`);
  await connection.query(`ANALYZE TABLE ${table}`);
  await connection.end();
  const catalog = await engineFor("mysql").openReviewCatalog({ ...mysqlServer(), database, connectTimeoutMs: 5_000 }, LIMITS);
  return {
    catalog,
    rows: async () => Number(((await onMysql<{ n: number }>(database, `SELECT count(*) AS n FROM ${table}`))[0]!).n),
    close: async () => {
      await catalog.close();
      await dropMysqlDatabase(database);
    },
  };
}

async function openPostgres(): Promise<Server> {
  const database = await createPostgresDatabase("review_catalog");
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL DEFAULT '')`);
  await client.query(`INSERT INTO ${table} (id) SELECT generate_series(1, 50)`);
  await client.query(`ANALYZE ${table}`);
  await client.end();
  const catalog = await engineFor("postgres").openReviewCatalog({ ...postgresServer(), database, connectTimeoutMs: 5_000 }, LIMITS);
  return {
    catalog,
    rows: async () => Number((await onPostgres<{ n: string }>(database, `SELECT count(*) AS n FROM ${table}`))[0]!.n),
    close: async () => {
      await catalog.close();
      await dropPostgresDatabase(database);
    },
  };
}

const openers: Record<EngineName, () => Promise<Server>> = { mysql: openMysql, postgres: openPostgres };

for (const engine of ["mysql", "postgres"] as const) {
  describe(`catalog-backed review on ${engine}`, () => {
    let server: Server;
    before(async () => {
      server = await openers[engine]();
    });
    after(async () => {
      await server?.close();
    });

    const ruleFindings = async (ruleId: string, sqls: string[], options = {}) =>
      (await reviewAllOn(engine, sqls, options, server.catalog)).findings.filter((finding) => finding.ruleId === ruleId);

    test("the catalog reads tables, columns and estimates", async () => {
      assert.equal(await server.catalog.tableExists(undefined, table), true);
      assert.equal(await server.catalog.tableExists(undefined, `${table}_missing`), false);
      assert.deepEqual((await server.catalog.columnsOf(table)).map((column) => column.name), ["id", "name"]);
      assert.deepEqual(
        (await server.catalog.indexesOf(table)).map((index) => [index.kind, index.columns]),
        [["primary", ["id"]]],
      );
      assert.ok(((await server.catalog.tableRowEstimate(table)) ?? 0) >= 40);
      assert.ok(((await server.catalog.estimateAffectedRows(`DELETE FROM ${table} WHERE id > 0`)) ?? 0) >= 40);
    });

    test("the estimate runs nothing: a second command in the text is refused by the server, and no row goes", async () => {
      const hidden = `DELETE FROM ${table} WHERE id > 0; DELETE FROM ${table}`;
      assert.equal(await server.catalog.estimateAffectedRows(hidden), undefined);
      assert.equal(await server.rows(), 50);
      assert.equal(await server.catalog.tableExists(undefined, table), true, "the catalog still answers after a refusal");
    });

    test("a misspelled table or column is caught; tables created earlier in the change count as existing", async () => {
      assert.equal((await ruleFindings("statement.reference.exists", [`UPDATE ${table}x SET name = 'a' WHERE id = 1`])).length, 1);
      assert.equal((await ruleFindings("statement.reference.exists", [`INSERT INTO ${table} (id, nmae) VALUES (99, 'a')`])).length, 1);
      assert.equal((await ruleFindings("statement.reference.exists", [`UPDATE ${table} SET name = 'a' WHERE id = 1`])).length, 0);
      assert.equal(
        (await ruleFindings("statement.reference.exists", ["CREATE TABLE fresh_table (id INT PRIMARY KEY)", "INSERT INTO fresh_table (id) VALUES (1)"])).length,
        0,
      );
    });

    test("an UPDATE/DELETE expected to touch more rows than maxAffectedRows is flagged", async () => {
      const options = { maxAffectedRows: 10 };
      assert.equal((await ruleFindings("statement.affected-rows.max", [`DELETE FROM ${table} WHERE id > 0`], options)).length, 1);
      assert.equal((await ruleFindings("statement.affected-rows.max", [`DELETE FROM ${table} WHERE id = 3`], options)).length, 0);
    });

    test("a table-rewrite warning becomes an error on a table larger than largeTableRows", async () => {
      const sql = engine === "mysql" ? `ALTER TABLE ${table} MODIFY name VARCHAR(40)` : `ALTER TABLE ${table} ALTER COLUMN name TYPE varchar(40)`;
      const review = (largeTableRows: number) =>
        reviewStatements({
          engine,
          statements: change([sql]),
          environment: { name: "Prod", tier: "prod" },
          config: reviewConfigSchema.parse({ options: { largeTableRows } }),
          catalog: server.catalog,
        });
      const levelOf = async (largeTableRows: number) =>
        (await review(largeTableRows)).findings.find((finding) => finding.ruleId === "column.type-change")?.level;
      assert.equal(await levelOf(10), "error");
      assert.equal(await levelOf(1_000_000), "warning");
    });

    if (engine === "mysql") {
      test("a join compares the live table's columns, with their character sets, to the columns of a table the change creates", async () => {
        const other = ["CREATE TABLE other (id INT PRIMARY KEY, code BIGINT, name VARCHAR(20) CHARACTER SET ascii)"];
        const mismatches = async (on: string) => (await ruleFindings("statement.join.column-mismatch", [...other, `SELECT t.id FROM ${table} AS t JOIN other AS o ON ${on}`])).map((finding) => finding.message);
        assert.deepEqual(await mismatches("t.id = o.id"), []);
        assert.deepEqual(await mismatches("t.id = o.code"), ["t.id = o.code compares columns that differ: type INT against BIGINT."]);
        const [charset] = await mismatches("t.name = o.name");
        assert.match(charset ?? "", /^t\.name = o\.name compares columns that differ: character set (?!ascii)\w+ against ascii\.$/);
      });
    }

    test("the walk-through catalog starts from the live schema: its columns and its primary key", async () => {
      const nameType = engine === "mysql" ? `ALTER TABLE ${table} MODIFY name VARCHAR(20) NOT NULL DEFAULT 'x'` : `ALTER TABLE ${table} ALTER COLUMN name TYPE text`;
      assert.equal((await ruleFindings("column.type-change", [nameType])).length, 0);
      assert.deepEqual((await ruleFindings("table.primary-key.require", [`ALTER TABLE ${table} ADD COLUMN a INT`, `ALTER TABLE ${table} DROP COLUMN id`])).map((finding) => finding.statementOrdinal), [1]);
      assert.deepEqual((await ruleFindings("column.drop-in-index", [`ALTER TABLE ${table} DROP COLUMN id`])).length, 1);
    });

    test("without a catalog the live rules are skipped, not failed", async () => {
      const report = await reviewAllOn(engine, [`UPDATE ${table}x SET name = 'a' WHERE id = 1`]);
      assert.equal(report.findings.filter((finding) => finding.ruleId.startsWith("statement.reference")).length, 0);
    });
  });
}
