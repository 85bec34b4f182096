// MySQL rollback without a binlog (Aurora MySQL's default): prior backups on a MariaDB whose binlog is off.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql2/promise";
import type { EngineSession } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { checkRollbackReadiness, dropExpiredBackups, type PreparedRollback } from "../../src/rollback/index.ts";
import { createMysqlDatabase, dropMysqlDatabase, noBinlogMysqlServer } from "../support/servers.ts";
import { available, forcedScriptOf, limits, runDataChange, verifyRollback } from "./support.ts";

const EVERY_TYPE = `CREATE TABLE every_type (
  id INT PRIMARY KEY,
  n_null VARCHAR(10) NULL,
  d DECIMAL(30,10), big BIGINT UNSIGNED, small TINYINT, f FLOAT, dbl DOUBLE,
  dt DATE, tm TIME(3), dtm DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, yr YEAR,
  ch CHAR(5), vc VARCHAR(100) CHARACTER SET utf8mb4, txt TEXT CHARACTER SET utf8mb4, latin VARCHAR(20) CHARACTER SET latin1,
  bin BINARY(4), vbin VARBINARY(20), blb BLOB, bits BIT(10), en ENUM('a','b','c d'), st SET('x','y','z'), js JSON,
  zd DATE, zdt DATETIME(3), zts TIMESTAMP NULL DEFAULT NULL, sj VARCHAR(10) CHARACTER SET sjis, pt POINT,
  gen INT AS (id * 2) VIRTUAL, gen_stored VARCHAR(120) AS (CONCAT(vc, '!')) PERSISTENT
) DEFAULT CHARSET=utf8mb4`;

const SEED = `INSERT INTO every_type (id, n_null, d, big, small, f, dbl, dt, tm, dtm, ts, yr, ch, vc, txt, latin, bin, vbin, blb, bits, en, st, js, zd, zdt, zts, sj, pt) VALUES
  (1, NULL, 12345678901234567890.0123456789, 18446744073709551615, -128, 0.1, 0.30000000000000004, '2024-02-29', '-838:59:58.123',
   '2024-03-10 02:30:00.123456', '2038-01-19 03:14:07.999999', 2155, 'ab', 'héllo 😀 "q" \\\\ back', 'line1\\nline2\\ttab\\0nul', 'café',
   X'00FF0000', X'', X'DEADBEEF00', b'1010101010', 'c d', 'x,z', '{"a": [1, 2.5, "😀"], "big": 18446744073709551615}',
   '0000-00-00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00', 'ｶﾀｶﾅ', POINT(1.5, -2)),
  (2, 'x', -0.0000000001, 0, 127, -3.4e38, 1e-300, '1000-01-01', '00:00:00', '1970-01-01 00:00:00.000001', '1970-01-01 00:00:01.000000', 0,
   '', '', '', '', X'01020304', X'00', NULL, b'0', 'a', '', '[]', '2024-00-10', '2024-01-00 10:00:00.5', NULL, '', NULL),
  (3, 'y', 1, 9007199254740993, 0, 16777217, -2.5, '9999-12-31', '23:59:59.999', '9999-12-31 23:59:59.999999', NULL, NULL,
   'zz', 'O\\'Reilly; -- not a comment', REPEAT('long ', 200), 'x', NULL, X'2A', X'', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;

// The change first makes the session refuse zero dates, as MySQL 8's default sql_mode does: the backup still copies them.
const CHANGE = `SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_ZERO_DATE,NO_ZERO_IN_DATE');
INSERT INTO every_type (id, n_null, d, big, f, dtm, ts, vc, txt, bin, blb, bits, en, st, js) VALUES
  (4, NULL, 3.5, 18446744073709551614, 2.5, '2000-01-01 00:00:00.5', '2001-02-03 04:05:06.7', '新しい 🎉', 'new', X'FFFFFFFF', X'00', b'1', 'b', 'y', '{"k": null}');
UPDATE every_type SET d = d + 1, big = 1, f = 3.25, dbl = -0e0, dtm = '2020-02-02 02:02:02.020202', ts = '2020-02-02 02:02:02.5',
  vc = CONCAT(vc, '✓'), latin = 'naïve', vbin = X'0102', bits = b'1', en = 'a', st = 'y,z', js = '{"changed": true}', yr = 2000, tm = '12:00:00.5',
  sj = 'ﾃｽﾄ', pt = POINT(0, 0) WHERE id IN (1, 2);
DELETE FROM every_type WHERE id = 3;
UPDATE every_type SET n_null = 'again' WHERE id = 1`;

const server = noBinlogMysqlServer();
let database: string;
let session: EngineSession;
let admin: mysql.Connection;

function connect(): Promise<EngineSession> {
  return engineFor("mysql").connect({ ...server, database, connectTimeoutMs: 5_000 }, limits);
}

/** The no-binlog server's target for the shared helpers, which take the binlog server's by default. */
function change(script: string, options: Parameters<typeof runDataChange>[4] = {}): Promise<PreparedRollback> {
  return runDataChange("mysql", session, database, script, { ...options, target: { ...server, database, connectTimeoutMs: 5_000 } });
}

async function checksum(table: string): Promise<string> {
  const [rows] = await admin.query(`CHECKSUM TABLE \`${database}\`.\`${table}\` EXTENDED`);
  return String((rows as Array<{ Checksum: unknown }>)[0]!.Checksum);
}

function reasonOf(rollback: PreparedRollback): string {
  assert.equal(rollback.available, false, "the rollback should be unavailable");
  return rollback.available ? "" : rollback.reason;
}

describe("MySQL rollback from prior backups (binlog off)", () => {
  before(async () => {
    database = await createMysqlDatabase("backup", server);
    admin = await mysql.createConnection({ ...server, database, multipleStatements: true });
    session = await connect();
  });
  after(async () => {
    await session?.close();
    await admin?.end();
    await dropMysqlDatabase(database, server);
  });

  it("the instance is ready by prior backup; asked for the binlog only, it says why not", async () => {
    const [[logBin]] = (await admin.query("SELECT @@log_bin AS v")) as unknown as [[{ v: number }]];
    assert.equal(logBin.v, 0);
    assert.deepEqual(await checkRollbackReadiness("mysql", session), { available: true, problems: [], howToEnable: [] });
    const binlogOnly = await checkRollbackReadiness("mysql", session, { mysqlMethod: "binlog", mysqlBackupDatabase: "sluice_backup" });
    assert.equal(binlogOnly.available, false);
    assert.deepEqual(binlogOnly.problems, ["the binary log is off (log_bin=OFF)"]);
  });

  it("round-trips every type, zero dates included: rollback, rollback of the rollback, and its rollback", async () => {
    await admin.query(EVERY_TYPE);
    await admin.query(SEED);
    const original = await checksum("every_type");
    const forward = available(await change(CHANGE));
    assert.equal(forward.rowCount, 5);
    assert.equal(forward.statementCount, 5);
    const backups = forward.details.backupTables as string[];
    assert.equal(backups.length, 1, "one backup table for the target, whatever the number of statements");
    assert.match(backups[0]!, /^`sluice_backup`\.`tst-1_1_every_type_\d{8}t\d{9}z`$/);
    const changed = await checksum("every_type");
    assert.notEqual(changed, original);
    assert.deepEqual((await verifyRollback("mysql", session, forward.script)).changedRows, []);

    const rollback = available(await change(forward.script, { changeKey: "TST-2" }));
    assert.equal(await checksum("every_type"), original);
    const rollbackOfRollback = available(await change(rollback.script, { changeKey: "TST-3" }));
    assert.equal(await checksum("every_type"), changed);
    available(await change(rollbackOfRollback.script, { changeKey: "TST-4" }));
    assert.equal(await checksum("every_type"), original);
    assert.equal(rollbackOfRollback.rowCount, 5);
  });

  it("keeps the backed-up rows in Sluice's own database, labelled, and never among the user's tables", async () => {
    const [tables] = await admin.query("SELECT TABLE_NAME AS name, TABLE_COMMENT AS comment FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'sluice_backup' AND TABLE_COMMENT LIKE ?", [
      `sluice backup of ${database}.every_type for TST-1;%`,
    ]);
    const rows = tables as Array<{ name: string; comment: string }>;
    assert.equal(rows.length, 1);
    assert.match(rows[0]!.comment, new RegExp(`^sluice backup of ${database}\\.every_type for TST-1; created \\d{4}-`));
    const [copied] = await admin.query(`SELECT \`sluice$statement\` AS statement, COUNT(*) AS n FROM \`sluice_backup\`.\`${rows[0]!.name}\` GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(copied, [{ statement: 3, n: 2 }, { statement: 4, n: 1 }, { statement: 5, n: 1 }]);
    // An UPDATE's rows are copied as far as it changes them (the key and the columns it assigns); a DELETE's whole.
    const [held] = await admin.query(
      `SELECT \`sluice$statement\` AS statement, id, d IS NOT NULL AS d, txt IS NOT NULL AS txt FROM \`sluice_backup\`.\`${rows[0]!.name}\` ORDER BY 1, 2`,
    );
    assert.deepEqual(held, [
      { statement: 3, id: 1, d: 1, txt: 0 },
      { statement: 3, id: 2, d: 1, txt: 0 },
      { statement: 4, id: 3, d: 1, txt: 1 },
      { statement: 5, id: 1, d: 0, txt: 0 },
    ]);
    const [own] = await admin.query("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1");
    assert.deepEqual(own, [{ name: "every_type" }]);
  });

  it("keeps a concurrent writer's rows, and holds the rows it backed up until COMMIT", async () => {
    await admin.query("CREATE TABLE shared (id INT PRIMARY KEY, v VARCHAR(20)) DEFAULT CHARSET=utf8mb4");
    await admin.query("INSERT INTO shared VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const writer = await mysql.createConnection({ ...server, database });
    try {
      await writer.query("SET SESSION innodb_lock_wait_timeout = 1");
      const forward = available(
        await change("UPDATE shared SET v = 'mine' WHERE id = 1; INSERT INTO shared VALUES (10, 'mine')", {
          beforeCommit: async () => {
            await writer.query("UPDATE shared SET v = 'theirs' WHERE id = 2");
            await writer.query("INSERT INTO shared VALUES (20, 'theirs')");
            await assert.rejects(writer.query("UPDATE shared SET v = 'blocked' WHERE id = 1"), /Lock wait timeout/);
          },
        }),
      );
      await writer.query("UPDATE shared SET v = 'theirs later' WHERE id = 3");
      assert.equal(forward.rowCount, 2);
      available(await change(forward.script, { changeKey: "TST-5" }));
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

  it("restores a column the UPDATE changed without assigning it (ON UPDATE CURRENT_TIMESTAMP)", async () => {
    await admin.query("CREATE TABLE stamped (id INT PRIMARY KEY, v INT, seen DATETIME(6) NOT NULL DEFAULT '2001-01-01 00:00:00' ON UPDATE CURRENT_TIMESTAMP(6))");
    await admin.query("INSERT INTO stamped (id, v) VALUES (1, 1), (2, 2)");
    const original = await checksum("stamped");
    const forward = available(await change("UPDATE stamped SET v = v + 10"));
    const [[moved]] = (await admin.query("SELECT COUNT(*) AS n FROM stamped WHERE seen > '2001-01-01'")) as unknown as [[{ n: number }]];
    assert.equal(Number(moved.n), 2, "the server set the column itself");
    assert.deepEqual((await verifyRollback("mysql", session, forward.script)).changedRows, []);
    available(await change(forward.script, { changeKey: "TST-16" }));
    assert.equal(await checksum("stamped"), original);
  });

  it("undoes deletes and inserts on a table without a key, duplicate rows included", async () => {
    await admin.query("CREATE TABLE loose (a INT, b VARCHAR(10)) DEFAULT CHARSET=utf8mb4");
    await admin.query("INSERT INTO loose VALUES (1, 'x'), (1, 'x'), (2, NULL), (3, 'y')");
    const original = await checksum("loose");
    const forward = available(
      await change("DELETE FROM loose WHERE a = 1; INSERT INTO loose VALUES (1, 'x'), (4, NULL); DELETE FROM loose WHERE b IS NULL; DELETE FROM loose WHERE a = 3 LIMIT 1"),
    );
    assert.equal(forward.rowCount, 7);
    available(await change(forward.script, { changeKey: "TST-6" }));
    assert.equal(await checksum("loose"), original);
  });

  it("finds an AUTO_INCREMENT table's new rows above its largest key", async () => {
    await admin.query("CREATE TABLE counted (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10)) DEFAULT CHARSET=utf8mb4");
    await admin.query("INSERT INTO counted (v) VALUES ('a'), ('b')");
    const original = await checksum("counted");
    const forward = available(await change("INSERT INTO counted (v) VALUES ('c'), ('d'); INSERT INTO counted (v) SELECT CONCAT(v, '2') FROM counted; UPDATE counted SET v = 'z' WHERE id = 1"));
    assert.equal(forward.rowCount, 7);
    available(await change(forward.script, { changeKey: "TST-7" }));
    assert.equal(await checksum("counted"), original);
    const below = await change("DELETE FROM counted WHERE id = 1; INSERT INTO counted (id, v) VALUES (1, 'again')");
    assert.match(reasonOf(below), /statement 2 inserted 1 rows but 0 were found again above the table's largest key/);
  });

  it("detects rows changed after the change, and the forced rollback overrides them", async () => {
    await admin.query("CREATE TABLE guarded (id INT PRIMARY KEY, v VARCHAR(10)) DEFAULT CHARSET=utf8mb4");
    await admin.query("INSERT INTO guarded VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const forward = available(await change("UPDATE guarded SET v = 'z'; DELETE FROM guarded WHERE id = 3; INSERT INTO guarded VALUES (4, 'd')"));
    assert.deepEqual((await verifyRollback("mysql", session, forward.script)).changedRows, []);
    await admin.query("UPDATE guarded SET v = 'Z' WHERE id = 1"); // differs only in case: still a change
    await admin.query("INSERT INTO guarded VALUES (3, 'new')");
    await admin.query("DELETE FROM guarded WHERE id = 4");
    const { changedRows, checkedStatements } = await verifyRollback("mysql", session, forward.script);
    assert.equal(checkedStatements, 5);
    assert.equal(changedRows.length, 4);
    assert.match(changedRows.join("\n"), /`id` = 1 AND/);
    assert.match(changedRows.join("\n"), /a row has taken its key since/);
    assert.match(changedRows.join("\n"), /`id` = 4/);
    // The forced script re-inserts a deleted row with REPLACE, which a backup cannot vouch for: it runs without rollback.
    assert.match(reasonOf(await change(forcedScriptOf("mysql", forward), { changeKey: "TST-8" })), /REPLACE deletes the rows it conflicts with/);
    const [rows] = await admin.query("SELECT id, v FROM guarded ORDER BY id");
    assert.deepEqual(rows, [{ id: 1, v: "a" }, { id: 2, v: "b" }, { id: 3, v: "c" }]);
  });

  it("backs up an ORDER BY … LIMIT whose order fixes its rows, and refuses one with ties at the limit before it runs", async () => {
    await admin.query("CREATE TABLE queue (id INT PRIMARY KEY, prio INT, done TINYINT DEFAULT 0)");
    await admin.query("INSERT INTO queue (id, prio) VALUES (1, 5), (2, 1), (3, 1), (4, 9), (5, 1)");
    const original = await checksum("queue");
    const fixed = available(await change("UPDATE queue SET done = 1 WHERE done = 0 ORDER BY prio DESC LIMIT 2; DELETE FROM queue ORDER BY id DESC LIMIT 1"));
    assert.equal(fixed.rowCount, 3);
    available(await change(fixed.script, { changeKey: "TST-9" }));
    assert.equal(await checksum("queue"), original);
    const tied = await change("UPDATE queue SET done = 1 WHERE done = 0 ORDER BY prio LIMIT 2");
    assert.match(reasonOf(tied), /statement 1: its ORDER BY … LIMIT leaves rows that tie at the limit, so which of them it changes cannot be told up front; order by the key too \(id\)/);
    const [[{ n }]] = (await admin.query("SELECT COUNT(*) AS n FROM queue WHERE done = 1")) as unknown as [[{ n: number }]];
    assert.equal(Number(n), 2, "the refused statement still ran");
  });

  it("refuses what it cannot back up exactly, with the reason, and still runs it", async () => {
    await admin.query(`CREATE TABLE parent (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;
      CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE) ENGINE=InnoDB;
      CREATE TABLE audited (id INT PRIMARY KEY, v INT); CREATE TABLE audit_log (v INT);
      CREATE TRIGGER audited_update AFTER UPDATE ON audited FOR EACH ROW INSERT INTO audit_log VALUES (NEW.v);
      CREATE TABLE bag (a INT, b INT);
      INSERT INTO parent VALUES (1, 1), (2, 2); INSERT INTO child VALUES (1, 1); INSERT INTO audited VALUES (1, 1); INSERT INTO bag VALUES (1, 1), (1, 2)`);
    for (const [sql, reason] of [
      ["UPDATE parent p JOIN child c ON c.parent_id = p.id SET p.v = 10", /a multi-table UPDATE is not supported/],
      ["UPDATE parent p, child c SET p.v = 11 WHERE c.parent_id = p.id AND c.id = 9", /a multi-table UPDATE is not supported/],
      ["DELETE p FROM parent p JOIN child c ON c.parent_id = p.id WHERE p.id = 9", /a multi-table DELETE is not supported/],
      ["REPLACE INTO parent VALUES (2, 20)", /REPLACE deletes the rows it conflicts with/],
      ["INSERT INTO parent VALUES (2, 3) ON DUPLICATE KEY UPDATE v = 30", /ON DUPLICATE KEY UPDATE changes existing rows too/],
      ["UPDATE parent SET id = id + 100 WHERE v = 99", /changes the key of `[^`]+`\.`parent`/],
      ["DELETE FROM parent WHERE id = 2", /foreign key child_ibfk_1 of child follows \(ON DELETE CASCADE\)/],
      ["UPDATE audited SET v = 2", /fires trigger\(s\) audited_update/],
      ["UPDATE bag SET b = 3 WHERE a = 1", /which has no primary key or unique NOT NULL key to find its rows again/],
      ["DELETE FROM bag WHERE a = 1 LIMIT 1", /its WHERE selects more rows of `[^`]+`\.`bag` than its LIMIT, and without a key/],
      ["UPDATE bag SET b = 4 ORDER BY b LIMIT 1", /which has no primary key or unique NOT NULL key to find its rows again/],
      ["DELETE FROM bag ORDER BY b LIMIT 1", /has an ORDER BY … LIMIT on `[^`]+`\.`bag`, which has no key: which rows it changes cannot be told up front/],
      ["UPDATE parent SET v = 5 WHERE RAND() < 2", /calls RAND\(\), whose value differs/],
    ] as const) {
      assert.match(reasonOf(await change(sql)), reason, sql);
    }
    const [rows] = await admin.query("SELECT (SELECT v FROM parent WHERE id = 1) AS p1, (SELECT COUNT(*) FROM parent) AS parents, (SELECT COUNT(*) FROM child) AS children, (SELECT COUNT(*) FROM bag) AS bag");
    assert.deepEqual(rows, [{ p1: 5, parents: 1, children: 1, bag: 0 }]);
  });

  it("refuses an UPDATE of the columns another database's foreign key follows ON UPDATE CASCADE, and backs up one of other columns", async () => {
    const other = await createMysqlDatabase("backup_child", server);
    try {
      await admin.query(`CREATE TABLE coded (id INT PRIMARY KEY, code INT NOT NULL, v INT, UNIQUE KEY (code)) ENGINE=InnoDB;
        INSERT INTO coded VALUES (1, 10, 1), (2, 20, 2);
        CREATE TABLE \`${other}\`.coded_child (id INT PRIMARY KEY, code INT,
          CONSTRAINT follows_code FOREIGN KEY (code) REFERENCES \`${database}\`.coded (code) ON UPDATE CASCADE) ENGINE=InnoDB;
        INSERT INTO \`${other}\`.coded_child VALUES (1, 10)`);
      assert.match(reasonOf(await change("UPDATE coded SET code = code + 1 WHERE id = 1")), /foreign key follows_code of coded_child follows \(ON UPDATE CASCADE\)/);
      const original = await checksum("coded");
      const forward = available(await change("UPDATE coded SET v = 5 WHERE id = 2"));
      available(await change(forward.script, { changeKey: "TST-18" }));
      assert.equal(await checksum("coded"), original);
    } finally {
      await dropMysqlDatabase(other, server);
    }
  });

  it("finds a statement it cannot back up before any statement runs: no backup is made for the ones before it", async () => {
    await admin.query("CREATE TABLE early (id INT PRIMARY KEY, v INT); INSERT INTO early VALUES (1, 1), (2, 2)");
    const rollback = await change("UPDATE early SET v = 10 WHERE id = 1; DELETE FROM early WHERE id = 2; REPLACE INTO early VALUES (3, 3)", { changeKey: "TST-17" });
    const reason = reasonOf(rollback);
    assert.match(reason, /^rollback is unavailable: statement 3 cannot be backed up: REPLACE deletes the rows it conflicts with/);
    assert.doesNotMatch(reason, /backup tables kept/);
    const [tables] = await admin.query("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'sluice_backup' AND TABLE_COMMENT LIKE ?", [`sluice backup of ${database}.early for TST-17;%`]);
    assert.deepEqual(tables, [{ n: 0 }]);
    const [rows] = await admin.query("SELECT id, v FROM early ORDER BY id");
    assert.deepEqual(rows, [{ id: 1, v: 10 }, { id: 3, v: 3 }], "the change still ran, every statement of it");
  });

  it("prepares no rollback beyond the row limit, and keeps no backup rows for the statement past it", async () => {
    await admin.query("CREATE TABLE many (id INT PRIMARY KEY, v INT)");
    await admin.query("INSERT INTO many SELECT seq, 0 FROM seq_1_to_50");
    const rollback = await change("UPDATE many SET v = 1 WHERE id <= 5; UPDATE many SET v = 2", { rowLimit: 20, changeKey: "TST-14" });
    const reason = reasonOf(rollback);
    assert.match(reason, /more than 20 rows \(55\), the rollback row limit/);
    const kept = /backup tables kept: (`sluice_backup`\.`[^`]+`)/.exec(reason)?.[1];
    assert.ok(kept, reason);
    const [rows] = await admin.query(`SELECT \`sluice$statement\` AS statement, COUNT(*) AS n FROM ${kept} GROUP BY 1`);
    assert.deepEqual(rows, [{ statement: 1, n: 5 }]);
  });

  it("drops backup tables older than the retention, and leaves no table for a change that backed up nothing", async () => {
    const none = available(await change("UPDATE many SET v = 3 WHERE id > 1000", { changeKey: "TST-15" }));
    assert.deepEqual(none.details.backupTables, []);
    const [left] = await admin.query("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'sluice_backup' AND TABLE_COMMENT LIKE ?", [`sluice backup of ${database}.%for TST-15;%`]);
    assert.deepEqual(left, [{ n: 0 }]);
    await admin.query("CREATE TABLE sluice_backup.old_one (id INT) COMMENT 'sluice backup of x.t for TST-9; created 2020-01-01T00:00:00.000Z'");
    await admin.query("CREATE TABLE sluice_backup.not_ours (id INT)");
    try {
      assert.deepEqual(await dropExpiredBackups("mysql", session, 30), ["`sluice_backup`.`old_one`"]);
    } finally {
      await admin.query("DROP TABLE sluice_backup.not_ours");
    }
  });

  it("explains a user who may neither read the binlog nor keep backups", async () => {
    const user = `nobackup_${process.pid}`;
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'Secret-pw-2'`);
    try {
      await admin.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${user}'@'%'`);
      const limited = await engineFor("mysql").connect({ ...server, user, password: "Secret-pw-2", database, connectTimeoutMs: 5000 }, limits);
      try {
        const readiness = await checkRollbackReadiness("mysql", limited);
        assert.equal(readiness.available, false);
        assert.deepEqual(readiness.problems, [
          "the binary log is off (log_bin=OFF)",
          "the user Sluice connects as lacks REPLICATION SLAVE and REPLICATION CLIENT (needed to read the binlog)",
          "the user Sluice connects as lacks CREATE, INSERT, SELECT, DELETE, DROP on database sluice_backup, where it keeps prior backups",
        ]);
        assert.equal(readiness.howToEnable.at(-1), "GRANT CREATE, INSERT, SELECT, DELETE, DROP ON `sluice_backup`.* TO the Sluice user");
        await admin.query(`GRANT CREATE, INSERT, SELECT, DELETE, DROP ON \`sluice\\_backup\`.* TO '${user}'@'%'`);
        assert.equal((await checkRollbackReadiness("mysql", limited)).available, true, "a grant on the backup database (as a pattern) is enough");
      } finally {
        await limited.close();
      }
    } finally {
      await admin.query(`DROP USER '${user}'@'%'`);
    }
  });
});
