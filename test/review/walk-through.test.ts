// The walk-through catalog: every rule sees the schema the script leads to, not one statement alone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EngineName } from "../../src/engines/engine.ts";
import type { ReviewConfigInput } from "../../src/review/index.ts";
import { reviewAllOn } from "./support/review-helpers.ts";

/** Statement numbers (1-based) at which `ruleId` reports, with every rule on. */
async function flaggedAt(engine: EngineName, ruleId: string, sqls: string[], options: ReviewConfigInput["options"] = {}): Promise<number[]> {
  const report = await reviewAllOn(engine, sqls, options);
  return report.findings.filter((finding) => finding.ruleId === ruleId).map((finding) => finding.statementOrdinal + 1);
}

for (const engine of ["mysql", "postgres"] as const) {
  describe(`walk-through catalog on ${engine}`, () => {
    test("a primary key added after CREATE TABLE satisfies the primary-key rule; dropping it later does not", async () => {
      assert.deepEqual(await flaggedAt(engine, "table.primary-key.require", ["CREATE TABLE t (id INT)", "ALTER TABLE t ADD CONSTRAINT pk_t PRIMARY KEY (id)"]), []);
      assert.deepEqual(await flaggedAt(engine, "table.primary-key.require", ["CREATE TABLE t (id INT)"]), [1]);
      assert.deepEqual(await flaggedAt(engine, "table.primary-key.require", ["CREATE TABLE t (id INT PRIMARY KEY, a INT)", "ALTER TABLE t DROP COLUMN id"]), [2]);
      const partitioned = engine === "mysql" ? "CREATE TABLE t (id INT) PARTITION BY HASH (id) PARTITIONS 4" : "CREATE TABLE t (id INT) PARTITION BY RANGE (id)";
      assert.deepEqual(await flaggedAt(engine, "table.primary-key.require", [partitioned]), [1]);
    });

    test("a column renamed into a required name satisfies the required columns", async () => {
      const options = { requiredColumns: ["id", "creator_id"] };
      assert.deepEqual(await flaggedAt(engine, "table.required-columns", ["CREATE TABLE t (id INT PRIMARY KEY, creator INT)", "ALTER TABLE t RENAME COLUMN creator TO creator_id"], options), []);
      assert.deepEqual(await flaggedAt(engine, "table.required-columns", ["CREATE TABLE t (id INT PRIMARY KEY, creator_id INT)", "ALTER TABLE t DROP COLUMN creator_id"], options), [2]);
    });

    test("a primary key added with ADD COLUMN, or over an existing column, is held to the primary-key types", async () => {
      assert.deepEqual(await flaggedAt(engine, "index.primary-key.type", ["CREATE TABLE t (a INT)", "ALTER TABLE t ADD COLUMN id VARCHAR(5) PRIMARY KEY"]), [2]);
      assert.deepEqual(await flaggedAt(engine, "index.primary-key.type", ["CREATE TABLE t (code VARCHAR(5))", "ALTER TABLE t ADD PRIMARY KEY (code)"]), [2]);
      assert.deepEqual(await flaggedAt(engine, "index.primary-key.type", ["CREATE TABLE t (id BIGINT)", "ALTER TABLE t ADD PRIMARY KEY (id)"]), []);
    });

    test("indexes added by CREATE INDEX count toward the table's index limit", async () => {
      const options = { maxIndexesPerTable: 2 };
      const script = ["CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)", "CREATE INDEX idx_a ON t (a)", "CREATE INDEX idx_b ON t (b)"];
      assert.deepEqual(await flaggedAt(engine, "index.max-count", script, options), [3]);
      assert.deepEqual(await flaggedAt(engine, "index.max-count", [...script.slice(0, 2), "DROP INDEX idx_a" + (engine === "mysql" ? " ON t" : ""), script[2]!], options), []);
    });

    test("dropping a column that an index uses is caught wherever the index was made", async () => {
      assert.deepEqual(await flaggedAt(engine, "column.drop-in-index", ["CREATE TABLE t (id INT PRIMARY KEY, a INT)", "CREATE INDEX idx_a ON t (a)", "ALTER TABLE t DROP COLUMN a"]), [3]);
    });

    test("a DROP COLUMN is not charged with the indexes it leaves alone, and is with one it turns into a duplicate", async () => {
      const script = ["CREATE TABLE t (id CHAR(36) PRIMARY KEY, a INT, b INT, c INT)", "CREATE INDEX idx_a ON t (a)", "CREATE INDEX idx_a2 ON t (a)"];
      assert.deepEqual(await flaggedAt(engine, "index.duplicate", [...script, "ALTER TABLE t DROP COLUMN b"]), [3]);
      assert.deepEqual(await flaggedAt(engine, "index.primary-key.type", [...script, "ALTER TABLE t DROP COLUMN b"]), [1]);
      assert.deepEqual(await flaggedAt(engine, "index.max-count", [...script, "ALTER TABLE t DROP COLUMN b"], { maxIndexesPerTable: 2 }), [3]);
      const narrowed = ["CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)", "CREATE INDEX idx_a ON t (a)", "CREATE INDEX idx_ab ON t (a, b)", "ALTER TABLE t DROP COLUMN b"];
      assert.deepEqual(await flaggedAt(engine, "index.duplicate", narrowed), [4]);
    });

    test("renaming a column or an index is not adding an index: index rules do not report it again", async () => {
      const script = ["CREATE TABLE t (id CHAR(36) PRIMARY KEY, a INT, b INT)", "CREATE INDEX idx_a ON t (a)", "CREATE INDEX idx_a2 ON t (a)"];
      const renames = ["ALTER TABLE t RENAME COLUMN a TO c", "ALTER TABLE t RENAME COLUMN id TO uid", engine === "mysql" ? "ALTER TABLE t RENAME INDEX idx_a2 TO idx_c2" : "ALTER INDEX idx_a2 RENAME TO idx_c2"];
      assert.deepEqual(await flaggedAt(engine, "index.duplicate", [...script, ...renames]), [3]);
      assert.deepEqual(await flaggedAt(engine, "index.primary-key.type", [...script, ...renames]), [1]);
      assert.deepEqual(await flaggedAt(engine, "index.max-count", [...script, ...renames], { maxIndexesPerTable: 2 }), [3]);
    });

    test("a primary-key column given another type is held to the primary-key types; other key columns and indexes are not reported again", async () => {
      const retype = (column: string, type: string) => (engine === "mysql" ? `ALTER TABLE t MODIFY ${column} ${type}` : `ALTER TABLE t ALTER COLUMN ${column} TYPE ${type}`);
      const script = ["CREATE TABLE t (id INT, code CHAR(2), a INT, PRIMARY KEY (id, code))", "CREATE INDEX idx_a ON t (a)", "CREATE INDEX idx_a2 ON t (a)"];
      const flagged = (sqls: string[]) => reviewAllOn(engine, sqls).then((report) => report.findings.filter((finding) => finding.ruleId === "index.primary-key.type").map((finding) => `${finding.statementOrdinal + 1} ${finding.message}`));
      assert.deepEqual(await flagged([...script, retype("id", "VARCHAR(5)")]), ["1 Primary-key column code is CHAR.", "4 Primary-key column id is VARCHAR."]);
      assert.deepEqual(await flagged([...script, retype("id", "BIGINT")]), ["1 Primary-key column code is CHAR."]);
      assert.deepEqual(await flaggedAt(engine, "index.duplicate", [...script, retype("a", "BIGINT")]), [3]);
    });
  });
}

describe("walk-through catalog on mysql only", () => {
  test("indexes added by ALTER TABLE ... ADD INDEX and CREATE INDEX meet the BLOB/TEXT index rule", async () => {
    assert.deepEqual(await flaggedAt("mysql", "index.mysql.blob-text", ["CREATE TABLE t (id INT PRIMARY KEY, doc TEXT)", "ALTER TABLE t ADD INDEX idx_doc (doc(20))"]), [2]);
    assert.deepEqual(await flaggedAt("mysql", "index.mysql.blob-text", ["CREATE TABLE t (id INT PRIMARY KEY, doc BLOB)", "CREATE INDEX idx_doc ON t (doc(20))"]), [2]);
    assert.deepEqual(await flaggedAt("mysql", "index.mysql.blob-text", ["CREATE TABLE t (id INT PRIMARY KEY, doc VARCHAR(20))", "CREATE INDEX idx_doc ON t (doc)"]), []);
  });

  test("an indexed column made BLOB/TEXT by MODIFY or CHANGE meets the BLOB/TEXT index rule", async () => {
    const script = ["CREATE TABLE t (id INT PRIMARY KEY, doc VARCHAR(20), INDEX idx_doc (doc))"];
    assert.deepEqual(await flaggedAt("mysql", "index.mysql.blob-text", [...script, "ALTER TABLE t MODIFY doc TEXT"]), [2]);
    assert.deepEqual(await flaggedAt("mysql", "index.mysql.blob-text", [...script, "ALTER TABLE t CHANGE doc body LONGTEXT"]), [2]);
    assert.deepEqual(await flaggedAt("mysql", "index.mysql.blob-text", [...script, "ALTER TABLE t MODIFY doc VARCHAR(40) NOT NULL"]), []);
  });

  test("indexes added by ALTER TABLE count toward the index limit and against duplicates", async () => {
    const script = ["CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT, INDEX idx_a (a))", "ALTER TABLE t ADD INDEX idx_b (b)"];
    assert.deepEqual(await flaggedAt("mysql", "index.max-count", script, { maxIndexesPerTable: 2 }), [2]);
    assert.deepEqual(await flaggedAt("mysql", "index.duplicate", ["CREATE TABLE t (id INT PRIMARY KEY, a INT, INDEX idx_a (a))", "ALTER TABLE t ADD INDEX idx_a2 (a)"]), [2]);
  });

  test("column order, ALGORITHM= and LOCK= rules apply to a table created earlier in the change", async () => {
    const created = "CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)";
    assert.deepEqual(await flaggedAt("mysql", "column.mysql.change-order", [created, "ALTER TABLE t MODIFY b INT FIRST"]), [2]);
    assert.deepEqual(await flaggedAt("mysql", "statement.mysql.alter-algorithm", [created, "ALTER TABLE t ADD COLUMN c INT"]), [2]);
    assert.deepEqual(await flaggedAt("mysql", "statement.mysql.alter-lock", [created, "ALTER TABLE t ADD COLUMN c INT"]), [2]);
  });

  test("a type change is judged against the column's type before the statement", async () => {
    const created = "CREATE TABLE t (id INT PRIMARY KEY, a INT)";
    assert.deepEqual(await flaggedAt("mysql", "column.type-change", [created, "ALTER TABLE t MODIFY a INT NOT NULL"]), []);
    assert.deepEqual(await flaggedAt("mysql", "column.type-change", [created, "ALTER TABLE t MODIFY a BIGINT"]), [2]);
  });
});

test("PostgreSQL: an index named alone (DROP INDEX, ALTER INDEX ... RENAME) is found on its table among others", async () => {
  const tables = ["CREATE TABLE a (id int PRIMARY KEY, x int)", "CREATE TABLE b (id int PRIMARY KEY, x int)", "CREATE INDEX idx_a_x ON a (x)", "CREATE UNIQUE INDEX uk_b_x ON b (x)"];
  const options = { maxIndexesPerTable: 2 };
  assert.deepEqual(await flaggedAt("postgres", "index.max-count", [...tables, "DROP INDEX uk_b_x", "CREATE INDEX idx_b_x ON b (x)"], options), []);
  assert.deepEqual(await flaggedAt("postgres", "index.max-count", [...tables, "DROP INDEX idx_a_x", "CREATE INDEX idx_b_x ON b (x)"], options), [6]);
  assert.deepEqual(await flaggedAt("postgres", "naming.unique", [...tables, "ALTER INDEX uk_b_x RENAME TO b_x_key"]), [5]);
  assert.deepEqual(await flaggedAt("postgres", "naming.index", [...tables, "ALTER INDEX uk_b_x RENAME TO b_x_key"]), []);
});

test("PostgreSQL: an index name that moved to another table is dropped from the table that has it now", async () => {
  const tables = ["CREATE TABLE a (id int PRIMARY KEY, x int)", "CREATE TABLE b (id int PRIMARY KEY, x int)"];
  const moved = ["CREATE INDEX ix ON a (x)", "DROP INDEX ix", "CREATE INDEX ix ON b (x)", "DROP INDEX ix", "CREATE INDEX iy ON b (x)"];
  const options = { maxIndexesPerTable: 2 };
  // Both tables have held an index named ix: the second DROP INDEX must find it on b, or b ends with three indexes.
  assert.deepEqual(await flaggedAt("postgres", "index.max-count", [...tables, ...moved], options), []);
  assert.deepEqual(await flaggedAt("postgres", "index.max-count", [...tables, ...moved.slice(0, 3), "CREATE INDEX iy ON b (x)"], options), [6]);
});
