import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import type { EngineSession } from "../../src/engines/engine.ts";
import { checkRollbackReadiness } from "../../src/rollback/index.ts";
import { createMysqlDatabase, dropMysqlDatabase, mysqlServer } from "../support/servers.ts";
import { available, connect, forcedScriptOf, runDataChange, verifyRollback } from "./support.ts";

const EVERY_TYPE = `CREATE TABLE every_type (
  id INT PRIMARY KEY,
  n_null VARCHAR(10) NULL,
  d DECIMAL(30,10), big BIGINT UNSIGNED, small TINYINT, f FLOAT, dbl DOUBLE,
  dt DATE, tm TIME(3), dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, yr YEAR,
  ch CHAR(5), vc VARCHAR(100) CHARACTER SET utf8mb4, txt TEXT CHARACTER SET utf8mb4, latin VARCHAR(20) CHARACTER SET latin1,
  bin BINARY(4), vbin VARBINARY(20), blb BLOB, bits BIT(10), en ENUM('a','b','c d'), st SET('x','y','z'), js JSON,
  gen INT AS (id * 2) VIRTUAL, gen_stored VARCHAR(120) AS (CONCAT(vc, '!')) PERSISTENT
) DEFAULT CHARSET=utf8mb4`;

const SEED = `INSERT INTO every_type (id, n_null, d, big, small, f, dbl, dt, tm, dtm, ts, yr, ch, vc, txt, latin, bin, vbin, blb, bits, en, st, js) VALUES
  (1, NULL, 12345678901234567890.0123456789, 18446744073709551615, -128, 0.1, 0.30000000000000004, '2024-02-29', '-838:59:58.123',
   '2024-03-10 02:30:00.123456', '2038-01-19 03:14:07.999999', 2155, 'ab', 'héllo 😀 "q" \\\\ back', 'line1\\nline2\\ttab\\0nul', 'café',
   X'00FF0000', X'', X'DEADBEEF00', b'1010101010', 'c d', 'x,z', '{"a": [1, 2.5, "😀"], "big": 18446744073709551615}'),
  (2, 'x', -0.0000000001, 0, 127, -3.4e38, 1e-300, '1000-01-01', '00:00:00', '1970-01-01 00:00:00.000001', '1970-01-01 00:00:01.000000', 1901,
   '', '', '', '', X'01020304', X'00', NULL, b'0', 'a', '', '[]'),
  (3, 'y', 1, 9007199254740993, 0, 1.5, -2.5, '9999-12-31', '23:59:59.999', '9999-12-31 23:59:59.999999', NULL, NULL,
   'zz', 'O\\'Reilly; -- not a comment', REPEAT('long ', 200), 'x', NULL, X'2A', X'', NULL, NULL, NULL, NULL)`;

const CHANGE = `INSERT INTO every_type (id, n_null, d, big, f, dtm, ts, vc, txt, bin, blb, bits, en, st, js) VALUES
  (4, NULL, 3.5, 18446744073709551614, 2.5, '2000-01-01 00:00:00.5', '2001-02-03 04:05:06.7', '新しい 🎉', 'new', X'FFFFFFFF', X'00', b'1', 'b', 'y', '{"k": null}');
UPDATE every_type SET d = d + 1, big = 1, f = 3.25, dbl = 7, dtm = '2020-02-02 02:02:02.020202', ts = '2020-02-02 02:02:02.5',
  vc = CONCAT(vc, '✓'), latin = 'naïve', vbin = X'0102', bits = b'1', en = 'a', st = 'y,z', js = '{"changed": true}', yr = 2000, tm = '12:00:00.5' WHERE id IN (1, 2);
DELETE FROM every_type WHERE id = 3;
UPDATE every_type SET n_null = 'again' WHERE id = 1`;

/** The binlog only: what these tests check is the binlog's readiness, not the prior backup it falls back to. */
const BINLOG_ONLY = { mysqlMethod: "binlog", mysqlBackupDatabase: "sluice_backup" } as const;

let database: string;
let session: EngineSession;
let admin: mysql.Connection;

async function checksum(table: string): Promise<string> {
  const [rows] = await admin.query(`CHECKSUM TABLE \`${database}\`.\`${table}\` EXTENDED`);
  return String((rows as Array<{ Checksum: unknown }>)[0]!.Checksum);
}

describe("MySQL rollback from the binlog", () => {
  before(async () => {
    database = await createMysqlDatabase("rollback");
    admin = await mysql.createConnection({ ...mysqlServer(), database, multipleStatements: true });
    session = await connect("mysql", database);
  });
  after(async () => {
    await session?.close();
    await admin?.end();
    await dropMysqlDatabase(database);
  });

  it("the instance is ready: binlog on, ROW, FULL, retention, privileges", async () => {
    const readiness = await checkRollbackReadiness("mysql", session);
    assert.deepEqual(readiness, { available: true, problems: [], howToEnable: [] });
  });

  it("round-trips every type: rollback, rollback of the rollback, and its rollback", async () => {
    await admin.query(EVERY_TYPE);
    await admin.query(SEED);
    const original = await checksum("every_type");
    const change = available(await runDataChange("mysql", session, database, CHANGE));
    assert.equal(change.rowCount, 5);
    assert.equal(change.statementCount, 5);
    const changed = await checksum("every_type");
    assert.notEqual(changed, original);
    assert.deepEqual((await verifyRollback("mysql", session, change.script)).changedRows, []);

    const rollback = available(await runDataChange("mysql", session, database, change.script, { changeKey: "TST-2" }));
    assert.equal(await checksum("every_type"), original);
    const rollbackOfRollback = available(await runDataChange("mysql", session, database, rollback.script, { changeKey: "TST-3" }));
    assert.equal(await checksum("every_type"), changed);
    available(await runDataChange("mysql", session, database, rollbackOfRollback.script, { changeKey: "TST-4" }));
    assert.equal(await checksum("every_type"), original);
    assert.equal(rollbackOfRollback.rowCount, 5);
  });

  it("keeps a concurrent writer's rows: only this transaction's events are undone", async () => {
    await admin.query("CREATE TABLE shared (id INT PRIMARY KEY, v VARCHAR(20)) DEFAULT CHARSET=utf8mb4");
    await admin.query("INSERT INTO shared VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const writer = await mysql.createConnection({ ...mysqlServer(), database });
    try {
      const change = available(
        await runDataChange("mysql", session, database, "UPDATE shared SET v = 'mine' WHERE id = 1; INSERT INTO shared VALUES (10, 'mine')", {
          beforeCommit: async () => {
            await writer.query("UPDATE shared SET v = 'theirs' WHERE id = 2");
            await writer.query("INSERT INTO shared VALUES (20, 'theirs')");
          },
        }),
      );
      await writer.query("UPDATE shared SET v = 'theirs later' WHERE id = 3");
      assert.equal(change.rowCount, 2);
      available(await runDataChange("mysql", session, database, change.script, { changeKey: "TST-5" }));
      const [rows] = await admin.query("SELECT id, v FROM shared ORDER BY id");
      assert.deepEqual(rows, [
        { id: 1, v: "a" },
        { id: 2, v: "theirs" },
        { id: 3, v: "theirs later" },
        { id: 20, v: "theirs" },
      ]);
    } finally {
      await writer.end();
    }
  });

  it("undoes a multi-table change on tables without a key, with duplicate rows", async () => {
    await admin.query("CREATE TABLE loose (a INT, b VARCHAR(10)) DEFAULT CHARSET=utf8mb4");
    await admin.query("CREATE TABLE keyed_unique (code VARCHAR(10) NOT NULL, n INT, UNIQUE KEY (code)) DEFAULT CHARSET=utf8mb4");
    await admin.query("INSERT INTO loose VALUES (1, 'x'), (1, 'x'), (2, NULL)");
    await admin.query("INSERT INTO keyed_unique VALUES ('A', 1), ('B', 2)");
    const original = [await checksum("loose"), await checksum("keyed_unique")];
    const change = available(
      await runDataChange(
        "mysql",
        session,
        database,
        "UPDATE loose SET b = 'y' WHERE a = 1 LIMIT 1; DELETE FROM loose WHERE a = 2; INSERT INTO loose VALUES (1, 'x'); UPDATE keyed_unique SET n = n * 10; DELETE FROM keyed_unique WHERE code = 'A'; INSERT INTO keyed_unique VALUES ('C', 3)",
      ),
    );
    assert.equal(change.rowCount, 7);
    assert.ok(change.script.includes("LIMIT 1"));
    available(await runDataChange("mysql", session, database, change.script, { changeKey: "TST-6" }));
    assert.deepEqual([await checksum("loose"), await checksum("keyed_unique")], original);
  });

  it("detects rows changed after the change, and the forced rollback overrides them", async () => {
    await admin.query("CREATE TABLE guarded (id INT PRIMARY KEY, v VARCHAR(10)) DEFAULT CHARSET=utf8mb4");
    await admin.query("INSERT INTO guarded VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const change = available(
      await runDataChange("mysql", session, database, "UPDATE guarded SET v = 'z'; DELETE FROM guarded WHERE id = 3; INSERT INTO guarded VALUES (4, 'd')"),
    );
    assert.deepEqual((await verifyRollback("mysql", session, change.script)).changedRows, []);
    assert.equal(change.forcedScript, undefined, "MySQL prepares one script; the forced one is derived when needed");
    await admin.query("UPDATE guarded SET v = 'Z' WHERE id = 1"); // differs only in case: still a change
    await admin.query("INSERT INTO guarded VALUES (3, 'new')");
    await admin.query("DELETE FROM guarded WHERE id = 4");
    const { changedRows, checkedStatements } = await verifyRollback("mysql", session, change.script);
    assert.equal(checkedStatements, 5);
    // Row 3 counts twice: its re-insert meets the new row, and its update back to 'c' no longer finds 'z'.
    assert.equal(changedRows.length, 4);
    assert.match(changedRows.join("\n"), /`id` = 1 AND/);
    assert.match(changedRows.join("\n"), /a row has taken its key since/);
    assert.match(changedRows.join("\n"), /`id` = 4/);
    const [unchanged] = await admin.query("SELECT id, v FROM guarded ORDER BY id");
    assert.deepEqual(unchanged, [{ id: 1, v: "Z" }, { id: 2, v: "z" }, { id: 3, v: "new" }]);
    available(await runDataChange("mysql", session, database, forcedScriptOf("mysql", change), { changeKey: "TST-7" }));
    const [rows] = await admin.query("SELECT id, v FROM guarded ORDER BY id");
    assert.deepEqual(rows, [{ id: 1, v: "a" }, { id: 2, v: "b" }, { id: 3, v: "c" }]);
  });

  it("prepares no rollback beyond the row limit, and says so", async () => {
    await admin.query("CREATE TABLE many (id INT PRIMARY KEY)");
    await admin.query("INSERT INTO many SELECT seq FROM seq_1_to_50");
    const rollback = await runDataChange("mysql", session, database, "UPDATE many SET id = id + 100", { rowLimit: 20 });
    assert.equal(rollback.available, false);
    assert.match(rollback.available ? "" : rollback.reason, /more than 20 rows \(50\), the rollback row limit/);
  });

  it("explains a session whose binlog format is not ROW, and still runs the change; by default it falls back to a prior backup", async () => {
    await admin.query("CREATE TABLE stmt_format (id INT PRIMARY KEY)");
    const other = await connect("mysql", database);
    try {
      await other.execute("SET SESSION binlog_format = 'STATEMENT'");
      const readiness = await checkRollbackReadiness("mysql", other, BINLOG_ONLY);
      assert.equal(readiness.available, false);
      assert.deepEqual(readiness.problems, ["binlog_format is STATEMENT for this connection, not ROW"]);
      assert.match(readiness.howToEnable[0]!, /binlog_format=ROW/);
      const rollback = await runDataChange("mysql", other, database, "INSERT INTO stmt_format VALUES (1)", { settings: BINLOG_ONLY });
      assert.equal(rollback.available, false);
      assert.match(rollback.available ? "" : rollback.reason, /rollback is unavailable: binlog_format is STATEMENT.*To enable it/);
      const [rows] = await admin.query("SELECT id FROM stmt_format");
      assert.deepEqual(rows, [{ id: 1 }]);
      const fallback = available(await runDataChange("mysql", other, database, "DELETE FROM stmt_format WHERE id = 1", { changeKey: "TST-8" }));
      assert.equal((fallback.details.backupTables as string[]).length, 1, "auto: the binlog cannot be read, so the rows were backed up");
      assert.equal(fallback.details.binlogStart, undefined);
    } finally {
      await other.close();
    }
  });

  it("explains a user without replication privileges", async () => {
    const user = `nobinlog_${process.pid}`;
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'Secret-pw-1'`);
    try {
      await admin.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${user}'@'%'`);
      const limited = await (await import("../../src/engines/index.ts")).engineFor("mysql").connect(
        { ...mysqlServer(), user, password: "Secret-pw-1", database, connectTimeoutMs: 5000 },
        { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 },
      );
      try {
        const readiness = await checkRollbackReadiness("mysql", limited, BINLOG_ONLY);
        assert.equal(readiness.available, false);
        assert.deepEqual(readiness.problems, ["the user Sluice connects as lacks REPLICATION SLAVE and REPLICATION CLIENT (needed to read the binlog)"]);
        assert.deepEqual(readiness.howToEnable, ["GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO the Sluice user"]);
        assert.ok(!JSON.stringify(readiness).includes("Secret-pw-1"));
      } finally {
        await limited.close();
      }
    } finally {
      await admin.query(`DROP USER '${user}'@'%'`);
    }
  });
});
