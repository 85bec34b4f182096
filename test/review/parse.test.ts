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

  test("trigger bodies stay unread on MySQL; PostgreSQL DO blocks parse but are flagged as code no rule reads", async () => {
    assert.ok((await ruleIds("mysql", ["CREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW BEGIN INSERT INTO u (a) VALUES (NEW.a); END"])).includes("statement.parse"));
    const doBlock = await ruleIds("postgres", ["DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$"]);
    assert.ok(!doBlock.includes("statement.parse") && doBlock.includes("system.routine"), doBlock.join());
  });
});
