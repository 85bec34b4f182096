// The scope and correctness slips of issue #22 §3, one test each: rules that looked at too little, or read it wrong.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineName } from "../../src/engines/engine.ts";
import type { ReviewConfigInput } from "../../src/review/index.ts";
import { reviewAllOn } from "./support/review-helpers.ts";

async function flaggedAt(engine: EngineName, ruleId: string, sqls: string[], options: ReviewConfigInput["options"] = {}): Promise<number[]> {
  const report = await reviewAllOn(engine, sqls, options);
  return report.findings.filter((finding) => finding.ruleId === ruleId).map((finding) => finding.statementOrdinal + 1);
}

test("PostgreSQL folds unquoted identifiers: techBook is techbook and passes a lower-case naming rule", async () => {
  const options = { namingTable: "^[a-z]+(_[a-z]+)*$" };
  assert.deepEqual(await flaggedAt("postgres", "naming.table", ["CREATE TABLE techBook (id int PRIMARY KEY)"], options), []);
  assert.deepEqual(await flaggedAt("postgres", "naming.table", ['CREATE TABLE "techBook" (id int PRIMARY KEY)'], options), [1]);
});

test("ON UPDATE is kept when DEFAULT comes first", async () => {
  const sql = "CREATE TABLE t (id INT PRIMARY KEY, a TIMESTAMP DEFAULT NOW() ON UPDATE NOW(), b TIMESTAMP DEFAULT NOW() ON UPDATE NOW())";
  assert.deepEqual(await flaggedAt("mysql", "column.on-update-current-timestamp", [sql]), [1]);
});

test("INT ZEROFILL AUTO_INCREMENT is unsigned", async () => {
  assert.deepEqual(await flaggedAt("mysql", "column.auto-increment.unsigned-integer", ["CREATE TABLE t (id INT ZEROFILL AUTO_INCREMENT PRIMARY KEY)"]), []);
});

test("SELECT * in a plain SELECT is caught", async () => {
  for (const engine of ["mysql", "postgres"] as const) assert.deepEqual(await flaggedAt(engine, "statement.select.no-star", ["SELECT * FROM t WHERE id = 1"]), [1], engine);
});

test("ALTER TABLE ... TRUNCATE PARTITION is a truncate", async () => {
  assert.deepEqual(await flaggedAt("mysql", "table.truncate", ["ALTER TABLE t TRUNCATE PARTITION p0"]), [1]);
});

test("LIMIT in INSERT ... SELECT is caught", async () => {
  assert.deepEqual(await flaggedAt("mysql", "statement.dml.no-limit", ["INSERT INTO t (a) SELECT a FROM u WHERE b = 1 LIMIT 10"]), [1]);
});

test("reserved words come from each engine's full list", async () => {
  assert.deepEqual(await flaggedAt("mysql", "naming.identifier.reserved", ["CREATE TABLE t (id INT PRIMARY KEY, `execute` INT)"]), [1]);
  assert.deepEqual(await flaggedAt("mysql", "naming.identifier.reserved", ["CREATE TABLE t (id INT PRIMARY KEY, `status` INT, `name` INT)"]), []);
  assert.deepEqual(await flaggedAt("postgres", "naming.identifier.reserved", ['CREATE TABLE t (id int PRIMARY KEY, "concurrently" int)']), [1]);
});

test("statements PostgreSQL refuses in a transaction block are flagged when not alone", async () => {
  const flagged = (sql: string) => flaggedAt("postgres", "statement.pg.non-transactional", ["ALTER TABLE t ADD COLUMN c int", sql]);
  for (const sql of ["CREATE INDEX CONCURRENTLY idx_a ON t (a)", "VACUUM FULL t", "CREATE DATABASE d", "ALTER SYSTEM SET work_mem = '64MB'", "REINDEX DATABASE d"]) {
    assert.deepEqual(await flagged(sql), [2], sql);
  }
  assert.deepEqual(await flaggedAt("postgres", "statement.pg.non-transactional", ["VACUUM FULL t"]), []);
});

test("the schema-qualified rule covers every table a statement names, not only CREATE TABLE", async () => {
  const sqls = ["CREATE TABLE public.a (id int PRIMARY KEY)", "INSERT INTO a (id) VALUES (1)", "ALTER TABLE a RENAME TO b", "UPDATE public.b SET id = 2 WHERE id = 1"];
  assert.deepEqual(await flaggedAt("postgres", "table.pg.schema-qualified", sqls), [2, 3]);
});
