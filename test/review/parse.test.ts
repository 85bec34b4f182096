// Statements the grammars miss but whose meaning is plain: read correctly, and what stays unread is still flagged.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EngineName } from "../../src/engines/engine.ts";
import { reviewAllOn } from "./support/review-helpers.ts";

async function ruleIds(engine: EngineName, sqls: string[]): Promise<string[]> {
  return (await reviewAllOn(engine, sqls)).findings.map((finding) => finding.ruleId);
}

describe("statements the grammar misses", () => {
  test("MySQL PREPARE/EXECUTE/DEALLOCATE are read, and the dynamic SQL is flagged instead of passing", async () => {
    const ids = await ruleIds("mysql", ["PREPARE stmt FROM @sql", "EXECUTE stmt", "DEALLOCATE PREPARE stmt"]);
    assert.ok(!ids.includes("statement.parse"), ids.join());
    assert.deepEqual(ids.filter((id) => id === "statement.dynamic-sql").length, 1);
  });

  test("MySQL national types, BOOL, BINARY, TYPE= and PARTITION BY parse, keeping what they mean", async () => {
    const ids = await ruleIds("mysql", ["CREATE TABLE t (id INT PRIMARY KEY, a NVARCHAR(10), b BOOL, c VARCHAR(5) BINARY) TYPE=MyISAM PARTITION BY HASH(id) PARTITIONS 4"]);
    assert.ok(!ids.includes("statement.parse"), ids.join());
    for (const id of ["table.charset", "engine.mysql.innodb", "table.partition.disallow"]) assert.ok(ids.includes(id), id);
  });

  test("MySQL DISABLE KEYS and ALTER COLUMN SET DEFAULT parse", async () => {
    const ids = await ruleIds("mysql", ["/*!40000 ALTER TABLE `t` DISABLE KEYS */", "ALTER TABLE `t` ALTER `a` SET DEFAULT ''"]);
    assert.ok(!ids.includes("statement.parse"), ids.join());
  });

  test("PostgreSQL identity columns count as generated, not as NOT NULL columns without a default", async () => {
    const ids = await ruleIds("postgres", ["CREATE TABLE t (id INT NOT NULL GENERATED ALWAYS AS IDENTITY, name text NOT NULL, CONSTRAINT pk_t PRIMARY KEY (id))"]);
    assert.ok(!ids.includes("statement.parse"), ids.join());
    assert.equal(ids.filter((id) => id === "column.default.require").length, 1, "only name lacks a default");
  });

  test("PostgreSQL SET STORAGE, ATTACH PARTITION, brin indexes and IF NOT EXISTS after CONCURRENTLY parse", async () => {
    const ids = await ruleIds("postgres", [
      "ALTER TABLE host ALTER COLUMN id SET STORAGE PLAIN",
      "ALTER TABLE ONLY public.payment ATTACH PARTITION public.payment_p1 FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')",
      "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_d ON downloads USING brin (date)",
    ]);
    assert.ok(!ids.includes("statement.parse"), ids.join());
  });

  test("routine bodies and DO blocks are read as server-side code that system.routine puts before a reviewer", async () => {
    const trigger = await ruleIds("mysql", ["CREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW BEGIN INSERT INTO u (a) VALUES (NEW.a); END"]);
    assert.ok(!trigger.includes("statement.parse") && trigger.includes("system.routine") && trigger.includes("system.trigger.disallow"), trigger.join());
    const both = await ruleIds("mysql", ["DROP TRIGGER IF EXISTS trg; CREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END"]);
    assert.ok(!both.includes("statement.parse") && both.includes("system.routine"), both.join());
    const doBlock = await ruleIds("postgres", ["DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$"]);
    assert.ok(!doBlock.includes("statement.parse") && doBlock.includes("system.routine"), doBlock.join());
  });

  test("what stays unread is still flagged: a client command, broken SQL", async () => {
    assert.ok((await ruleIds("mysql", ["source load_departments.dump"])).includes("statement.parse"));
    assert.ok((await ruleIds("postgres", ["SELECT :'month'::date"])).includes("statement.parse"));
  });

  test("MySQL forms the grammar misses parse: column lists, named primary keys, database charsets, partitioning, LOCALTIME and CURRENT_USER defaults", async () => {
    const ids = await ruleIds("mysql", [
      "ALTER TABLE t ADD COLUMN (a JSON, b JSON)",
      "ALTER TABLE t ADD PRIMARY KEY pk (a, a)",
      "ALTER DATABASE app CHARSET utf8mb4",
      "ALTER TABLE t PARTITION BY HASH (id) PARTITIONS 4",
      "CREATE TABLE t (id INT PRIMARY KEY, a DATETIME DEFAULT localtime ON UPDATE localtimestamp, b VARCHAR(20) DEFAULT current_user)",
      "ALTER TABLE t DROP CONSTRAINT `t_fk`, MODIFY a CHAR(36) NULL",
      "CREATE VIEW v AS SELECT CONCAT(a, _utf8' ', b) AS ab FROM t",
      "ALTER TABLE t RENAME INDEX a TO b",
    ]);
    assert.ok(!ids.includes("statement.parse"), ids.join());
    assert.ok(ids.includes("index.column.duplicate") && ids.includes("table.partition.disallow"), ids.join());
  });

  test("PostgreSQL forms node-sql-parser missed parse with PostgreSQL's own parser", async () => {
    const ids = await ruleIds("postgres", [
      "CREATE TABLE t (id int PRIMARY KEY, a timestamp DEFAULT localtime, b text DEFAULT current_user, u int REFERENCES u ON DELETE CASCADE)",
      "ALTER TABLE t VALIDATE CONSTRAINT c",
      "SET SESSION ROLE joe",
      "CREATE DATABASE d ENCODING 'LATIN1'",
      "ALTER TABLE t DROP COLUMN a CASCADE",
    ]);
    assert.ok(!ids.includes("statement.parse"), ids.join());
    for (const id of ["table.foreign-key.on-delete-cascade", "system.pg.encoding", "statement.pg.cascade"]) assert.ok(ids.includes(id), id);
  });
});
