// The literals a MySQL rollback writes straight from the binlog's bytes, read back from real row events of the test MariaDB.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import type { EngineSession } from "../../../src/engines/engine.ts";
import { createMysqlDatabase, dropMysqlDatabase, mysqlServer } from "../../support/servers.ts";
import { available, connect, runDataChange } from "../../rollback/support.ts";

/** Keyless, so the inverse DELETE of an inserted row compares every column with its literal, in table order. */
const TABLE = `CREATE TABLE literals (
  d DECIMAL(30,10), small_d DECIMAL(5,2), ubig BIGINT UNSIGNED, big BIGINT, tiny TINYINT, usmall SMALLINT UNSIGNED, medium MEDIUMINT,
  f FLOAT, dbl DOUBLE, dt DATE, tm TIME(3), tm6 TIME(6), tm0 TIME, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL DEFAULT NULL,
  yr YEAR, ch CHAR(5), vc VARCHAR(300) CHARACTER SET utf8mb4, latin VARCHAR(20) CHARACTER SET latin1, bin BINARY(4), vbin VARBINARY(8),
  bits BIT(10), en ENUM('a','B','c d'), st SET('x','Y','z'), js JSON, n INT, gen INT AS (tiny * 2) VIRTUAL
) DEFAULT CHARSET=utf8mb4`;

const VALUES = `(-12345678901234567890.0123456789, 0.5, 18446744073709551615, -9223372036854775808, -128, 65535, -8388608,
  0.1, 0.30000000000000004, '1000-01-01', '-838:59:58.123', '-00:00:00.5', '12:34:56', '9999-12-31 23:59:59.999999', '2024-02-29 00:00:01',
  '2038-01-19 03:14:07.999999', 0, 'ab', CONCAT('héllo 😀 ''q'' \\\\ ', REPEAT('x', 260)), 'café', X'00FF0000', X'', b'1010101010', 'B', 'Y,x', '{"a": [1, "😀"]}', NULL)`;

const EXPECTED = [
  "-12345678901234567890.0123456789", "0.50", "18446744073709551615", "-9223372036854775808", "-128", "65535", "-8388608",
  "0.10000000149011612", "0.30000000000000004", "'1000-01-01'", "'-838:59:58.123'", "'-00:00:00.500000'", "'12:34:56'",
  "'9999-12-31 23:59:59.999999'", "'2024-02-29 00:00:01'", "CONVERT_TZ('2038-01-19 03:14:07.999999', '+00:00', @@session.time_zone)",
  "0", "'ab' COLLATE utf8mb4_bin", `'héllo 😀 \\'q\\' \\\\ ${"x".repeat(260)}' COLLATE utf8mb4_bin`, "'café' COLLATE utf8mb4_bin",
  "X'00ff0000'", "X''", "682", "'B' COLLATE utf8mb4_bin", "'x,Y' COLLATE utf8mb4_bin",
  // MariaDB keeps JSON as LONGTEXT: text, compared byte-exact like any text.
  `'{"a": [1, "😀"]}' COLLATE utf8mb4_bin`, "NULL",
];
const COLUMNS = ["d", "small_d", "ubig", "big", "tiny", "usmall", "medium", "f", "dbl", "dt", "tm", "tm6", "tm0", "dtm", "dtm0", "ts", "yr", "ch", "vc", "latin", "bin", "vbin", "bits", "en", "st", "js", "n"];

let database: string;
let session: EngineSession;
let admin: mysql.Connection;

describe("MySQL rollback literals from binlog bytes", () => {
  before(async () => {
    database = await createMysqlDatabase("literals");
    admin = await mysql.createConnection({ ...mysqlServer(), database });
    session = await connect("mysql", database);
    await admin.query(TABLE);
  });
  after(async () => {
    await session?.close();
    await admin?.end();
    await dropMysqlDatabase(database);
  });

  it("writes each type's value exactly as the row event holds it, generated columns left out", async () => {
    const change = available(await runDataChange("mysql", session, database, `INSERT INTO literals (${COLUMNS.join(", ")}) VALUES ${VALUES}`));
    const comparisons = COLUMNS.map((column, i) => `\`${column}\` <=> ${EXPECTED[i]}`).join(" AND ");
    assert.equal(change.script.split("\n")[1], `DELETE FROM \`${database}\`.\`literals\` WHERE ${comparisons} LIMIT 1;`);
    available(await runDataChange("mysql", session, database, change.script, { changeKey: "TST-2" }));
    const [rows] = await admin.query("SELECT COUNT(*) AS n FROM literals");
    assert.deepEqual(rows, [{ n: 0 }]);
  });

  it("reads values repeated across rows and images (a bulk UPDATE) as exactly as single ones", async () => {
    await admin.query("CREATE TABLE bulk (id INT PRIMARY KEY, label VARCHAR(20), at DATETIME(6), amount DECIMAL(8,2)) DEFAULT CHARSET=utf8mb4");
    await admin.query("INSERT INTO bulk SELECT seq, CONCAT('item-', seq), '2024-01-01 00:00:00.000001', seq / 4 FROM seq_1_to_2000");
    const change = available(await runDataChange("mysql", session, database, "UPDATE bulk SET at = '2025-06-01 12:00:00.5', amount = -amount WHERE id > 1"));
    assert.equal(change.statementCount, 1999);
    const lines = change.script.split("\n");
    assert.equal(lines[1], `UPDATE \`${database}\`.\`bulk\` SET \`at\` = '2024-01-01 00:00:00.000001', \`amount\` = 500.00 WHERE \`id\` = 2000 AND \`label\` <=> 'item-2000' COLLATE utf8mb4_bin AND \`at\` <=> '2025-06-01 12:00:00.500000' AND \`amount\` <=> -500.00;`);
    assert.equal(lines[1999], `UPDATE \`${database}\`.\`bulk\` SET \`at\` = '2024-01-01 00:00:00.000001', \`amount\` = 0.50 WHERE \`id\` = 2 AND \`label\` <=> 'item-2' COLLATE utf8mb4_bin AND \`at\` <=> '2025-06-01 12:00:00.500000' AND \`amount\` <=> -0.50;`);
  });
});
