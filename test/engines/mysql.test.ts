// The MySQL/MariaDB engine against the real test server: connect, execute, schema snapshot and fingerprint, read-only queries.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ConnectionTarget, EngineSession, SessionLimits } from "../../src/engines/engine.ts";
import { EngineError, engineFor } from "../../src/engines/index.ts";
import { createMysqlDatabase, dropMysqlDatabase, mysqlServer } from "../support/servers.ts";

const engine = engineFor("mysql");
const limits: SessionLimits = { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 };

function targetFor(database?: string): ConnectionTarget {
  return { ...mysqlServer(), ...(database ? { database } : {}), connectTimeoutMs: 3_000 };
}

async function runScript(session: EngineSession, script: string): Promise<void> {
  for (const statement of engine.splitStatements(script)) await session.execute(statement.text);
}

async function scalar(session: EngineSession, sql: string): Promise<unknown> {
  const result = await session.readOnlyQuery(sql, { rowLimit: 1, timeoutMs: 5_000 });
  return result.rows[0]?.[0];
}

const SCHEMA = `
CREATE TABLE customer (
  id INT NOT NULL AUTO_INCREMENT,
  email VARCHAR(190) NOT NULL,
  name VARCHAR(100) NULL DEFAULT 'anonymous' COMMENT 'display name',
  note TEXT COLLATE utf8mb4_bin,
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  email_domain VARCHAR(190) AS (SUBSTRING_INDEX(email, '@', -1)) VIRTUAL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_email (email),
  KEY idx_name (name(20) DESC, created),
  CONSTRAINT ck_email CHECK (email LIKE '%@%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='people who buy';
CREATE TABLE purchase (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT NOT NULL,
  amount DECIMAL(10,2) NOT NULL DEFAULT 0,
  CONSTRAINT fk_purchase_customer FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE ON UPDATE RESTRICT
) ENGINE=InnoDB;
CREATE VIEW big_purchase AS SELECT p.id, c.email FROM purchase p JOIN customer c ON c.id = p.customer_id WHERE p.amount > 100;
DELIMITER $$
CREATE TRIGGER purchase_positive BEFORE INSERT ON purchase FOR EACH ROW
BEGIN
  IF NEW.amount < 0 THEN SET NEW.amount = 0; END IF;
END$$
CREATE FUNCTION double_it(x INT) RETURNS INT DETERMINISTIC RETURN x * 2$$
CREATE PROCEDURE add_purchase(IN who INT, IN how_much DECIMAL(10,2))
BEGIN
  INSERT INTO purchase (customer_id, amount) VALUES (who, how_much);
END$$
CREATE FUNCTION sneaky_write() RETURNS INT DETERMINISTIC MODIFIES SQL DATA
BEGIN
  INSERT INTO purchase (customer_id, amount) VALUES (1, 1);
  RETURN 1;
END$$
DELIMITER ;
`;

describe("MySQL engine", () => {
  let database: string;
  let session: EngineSession;

  before(async () => {
    database = await createMysqlDatabase("engine");
    session = await engine.connect(targetFor(database), limits);
    await runScript(session, SCHEMA);
  });

  after(async () => {
    await session?.close();
    if (database) await dropMysqlDatabase(database);
  });

  test("the session knows its server connection id and runs in UTC", async () => {
    assert.equal(Number(await scalar(session, "SELECT CONNECTION_ID()")), session.connectionId);
    assert.equal(await scalar(session, "SELECT @@session.time_zone"), "+00:00");
    assert.equal(Number(await scalar(session, "SELECT @@session.innodb_lock_wait_timeout")), 5);
  });

  test("execute reports rows affected for data changes and 0 for schema changes", async () => {
    assert.equal((await session.execute("CREATE TABLE counted (id INT PRIMARY KEY, v INT)")).rowsAffected, 0);
    assert.equal((await session.execute("INSERT INTO counted VALUES (1, 0), (2, 0), (3, 5)")).rowsAffected, 3);
    assert.equal((await session.execute("UPDATE counted SET v = 1 WHERE v = 0")).rowsAffected, 2);
    assert.equal((await session.execute("ALTER TABLE counted ADD COLUMN w INT")).rowsAffected, 0);
    const deleted = await session.execute("DELETE FROM counted WHERE id > 1");
    assert.equal(deleted.rowsAffected, 2);
    assert.ok(deleted.durationMs >= 0);
    await session.execute("DROP TABLE counted");
  });

  test("a statement the server refuses raises an EngineError with the server's message", async () => {
    await assert.rejects(session.execute("INSERT INTO no_such_table VALUES (1)"), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.kind, "statement");
      assert.equal(error.code, "ER_NO_SUCH_TABLE");
      assert.match(error.message, /no_such_table' doesn't exist/);
      return true;
    });
    await assert.rejects(session.execute("SELECT 1; SELECT 2"), /SQL syntax/);
  });

  test("begin/rollback discards and begin/commit keeps", async () => {
    await session.execute("CREATE TABLE ledger (id INT PRIMARY KEY)");
    await session.begin();
    await session.execute("INSERT INTO ledger VALUES (1)");
    await session.rollback();
    assert.equal(Number(await scalar(session, "SELECT COUNT(*) FROM ledger")), 0);
    await session.begin();
    await session.execute("INSERT INTO ledger VALUES (2)");
    await session.commit();
    assert.equal(Number(await scalar(session, "SELECT COUNT(*) FROM ledger")), 1);
    await session.execute("DROP TABLE ledger");
  });

  describe("a session opened for batches", () => {
    let batches: EngineSession;
    before(async () => {
      batches = await engine.connect(targetFor(database), limits, { batches: true });
      await batches.execute("CREATE TABLE batched (id INT PRIMARY KEY, v INT)");
    });
    after(async () => {
      await batches.execute("DROP TABLE batched");
      await batches.close();
    });

    test("executeBatch in a transaction reports each statement's rows, SELECTs and RETURNING included", async () => {
      await batches.begin();
      const { outcomes, failure } = await batches.executeBatch([
        "INSERT INTO batched VALUES (1, 0), (2, 0) -- two rows",
        "INSERT INTO batched VALUES (3, 'a;b' = 'a;b')",
        "UPDATE batched SET v = 7 WHERE id < 3",
        "SELECT * FROM batched",
        "DELETE FROM batched WHERE id = 3 RETURNING id",
        "REPLACE INTO batched VALUES (2, 8)",
      ]);
      await batches.commit();
      assert.equal(failure, undefined);
      assert.equal(outcomes.length, 6);
      assert.deepEqual(
        [0, 1, 2, 3, 5].map((i) => outcomes[i]!.rowsAffected),
        [2, 1, 2, 0, 2],
      );
      assert.ok(outcomes.every((o) => o.durationMs >= 0));
      assert.equal(Number(await scalar(batches, "SELECT SUM(v) FROM batched")), 15);
      await batches.execute("DELETE FROM batched");
    });

    test("the failing statement of a packet is named by its index, and the ones after it did not run", async () => {
      await batches.begin();
      const { outcomes, failure } = await batches.executeBatch([
        "INSERT INTO batched VALUES (1, 1)",
        "INSERT INTO batched VALUES (2, 1)",
        "INSERT INTO batched VALUES (1, 2)",
        "INSERT INTO batched VALUES (4, 1)",
      ]);
      assert.equal(failure?.index, 2);
      assert.match(failure!.error.message, /Duplicate entry '1'/);
      assert.equal(outcomes.length, 2);
      const after = await batches.executeBatch(["DELETE FROM batched WHERE id IN (2, 4)"]);
      assert.equal(after.outcomes[0]?.rowsAffected, 1, "row 2 is there, row 4 is not");
      await batches.rollback();
      assert.equal(Number(await scalar(batches, "SELECT COUNT(*) FROM batched")), 0);
    });

    test("execute and read-only queries still run exactly one statement", async () => {
      await assert.rejects(batches.execute("INSERT INTO batched VALUES (9, 9); DROP TABLE batched"), /several statements/);
      await assert.rejects(batches.readOnlyQuery("SELECT 1; SELECT 2", { rowLimit: 1, timeoutMs: 1_000 }), /several statements/);
      assert.equal(Number(await scalar(batches, "SELECT COUNT(*) FROM batched")), 0);
    });
  });

  test("the statement timeout stops a long statement", async () => {
    const short = await engine.connect(targetFor(database), { statementTimeoutMs: 1_000, lockTimeoutMs: 1_000 });
    try {
      const started = performance.now();
      await assert.rejects(short.execute("SELECT SLEEP(5)"), (error: unknown) => error instanceof EngineError && error.kind === "timeout");
      assert.ok(performance.now() - started < 4_000);
    } finally {
      await short.close();
    }
  });

  test("the lock wait timeout stops a statement waiting for a row lock", async () => {
    await session.execute("CREATE TABLE locked (id INT PRIMARY KEY, v INT)");
    await session.execute("INSERT INTO locked VALUES (1, 0)");
    const other = await engine.connect(targetFor(database), { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 });
    try {
      await session.begin();
      await session.execute("UPDATE locked SET v = 1 WHERE id = 1");
      const started = performance.now();
      await assert.rejects(other.execute("UPDATE locked SET v = 2 WHERE id = 1"), (error: unknown) => error instanceof EngineError && error.kind === "timeout");
      assert.ok(performance.now() - started < 4_000);
    } finally {
      await session.rollback();
      await other.close();
      await session.execute("DROP TABLE locked");
    }
  });

  test("a connection that fails names server and user, never the password", async () => {
    const password = "s3cret-Passw0rd";
    await assert.rejects(engine.connect({ ...targetFor(), port: 1, password }, limits), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.kind, "connect");
      assert.match(error.message, /^cannot connect to mysql at 127\.0\.0\.1:1 as root: .*ECONNREFUSED/);
      assert.ok(!error.message.includes(password));
      return true;
    });
    await assert.rejects(engine.connect({ ...targetFor(), user: "nobody_here", password }, limits), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.match(error.message, /as nobody_here: .*Access denied/);
      assert.ok(!error.message.includes(password));
      return true;
    });
    await assert.rejects(engine.connect({ ...targetFor(), tls: { caPath: "/nonexistent/ca.pem" } }, limits), /TLS CA file \/nonexistent\/ca\.pem/);
  });

  test("quoted identifiers and literals reach the server unchanged; NUL is refused", async () => {
    const weird = "it's a \\ \"weird\" `name`\n; --";
    const result = await session.readOnlyQuery(`SELECT ${engine.quoteLiteral(weird)} AS ${engine.quoteIdentifier(weird)}`, { rowLimit: 1, timeoutMs: 5_000 });
    assert.deepEqual(result.rows, [[weird]]);
    assert.equal(result.columns[0]!.name, weird);
    assert.throws(() => engine.quoteIdentifier("a\0b"), EngineError);
    assert.throws(() => engine.quoteLiteral("a\0b"), EngineError);
  });

  test("listDatabases lists user databases only", async () => {
    const names = await engine.listDatabases(targetFor());
    assert.ok(names.includes(database));
    for (const system of ["mysql", "information_schema", "performance_schema", "sys"]) assert.ok(!names.includes(system));
  });

  describe("schema snapshot", () => {
    test("the dump shows every kind of object, normalized and sorted", async () => {
      const dump = await session.dumpSchema();
      const expected = [
        "table customer engine InnoDB collation utf8mb4_general_ci comment 'people who buy'",
        "  column id int(11) NOT NULL auto_increment",
        "  column name varchar(100) NULL DEFAULT 'anonymous' comment 'display name'",
        "  column note text NULL collation utf8mb4_bin",
        "  column email_domain varchar(190) NULL virtual generated as (substring_index(`email`,'@',-1))",
        "  primary key (id)",
        "  index idx_name (name(20) DESC, created)",
        "  unique index uk_email (email)",
        "  check ck_email `email` like '%@%'",
        "  foreign key fk_purchase_customer (customer_id) references customer (id) on update RESTRICT on delete CASCADE",
        "  trigger purchase_positive BEFORE INSERT for each row order 1",
        "view big_purchase security DEFINER",
        "function double_it(x int(11)) returns int(11) deterministic contains sql security definer",
        "procedure add_purchase(IN who int(11), IN how_much decimal(10,2)) contains sql security definer",
        "    RETURN x * 2",
      ];
      for (const line of expected) assert.ok(dump.split("\n").includes(line), `missing line: ${line}\n${dump}`);
      assert.ok(!dump.includes(database), "the database's own name is not part of the snapshot");
      assert.ok(!/AUTO_INCREMENT=|auto_increment=\d/i.test(dump));
      assert.ok(dump.indexOf("table customer") < dump.indexOf("table purchase"));
      assert.equal(await session.dumpSchema(), dump);
    });

    test("a second session and a second database with the same schema dump the same bytes", async () => {
      const twin = await createMysqlDatabase("engine_twin");
      const other = await engine.connect(targetFor(twin), limits);
      try {
        await runScript(other, SCHEMA);
        assert.equal(await other.dumpSchema(), await session.dumpSchema());
        assert.equal(await other.schemaFingerprint(), await session.schemaFingerprint());
      } finally {
        await other.close();
        await dropMysqlDatabase(twin);
      }
    });

    test("rows, AUTO_INCREMENT counters and statistics change neither dump nor fingerprint", async () => {
      const dump = await session.dumpSchema();
      const fingerprint = await session.schemaFingerprint();
      assert.match(fingerprint, /^[0-9a-f]{32}$/);
      await session.execute("INSERT INTO customer (email) VALUES ('a@example.com'), ('b@example.com')");
      await session.execute("INSERT INTO purchase (customer_id, amount) VALUES (1, 150)");
      await session.execute("ALTER TABLE customer AUTO_INCREMENT = 5000");
      await session.execute("ANALYZE TABLE customer, purchase");
      assert.equal(await session.dumpSchema(), dump);
      assert.equal(await session.schemaFingerprint(), fingerprint);
    });

    test("every kind of schema change moves both dump and fingerprint", async () => {
      const changes = [
        "ALTER TABLE customer ADD COLUMN phone VARCHAR(30) NULL",
        "ALTER TABLE customer MODIFY COLUMN phone VARCHAR(40) NULL",
        "ALTER TABLE customer ALTER COLUMN phone SET DEFAULT '000'",
        "ALTER TABLE customer MODIFY COLUMN phone VARCHAR(40) NULL DEFAULT '000' COMMENT 'mobile'",
        "CREATE INDEX idx_phone ON customer (phone)",
        "ALTER TABLE customer DROP INDEX idx_phone, ADD INDEX idx_phone (phone DESC)",
        "ALTER TABLE purchase DROP FOREIGN KEY fk_purchase_customer",
        "ALTER TABLE purchase ADD CONSTRAINT fk_purchase_customer FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE RESTRICT",
        "ALTER TABLE customer ADD CONSTRAINT ck_phone CHECK (phone <> '')",
        "CREATE OR REPLACE VIEW big_purchase AS SELECT p.id FROM purchase p WHERE p.amount > 200",
        "DROP TRIGGER purchase_positive",
        "CREATE TRIGGER purchase_positive BEFORE INSERT ON purchase FOR EACH ROW SET NEW.amount = ABS(NEW.amount)",
        "DROP FUNCTION double_it",
        "CREATE FUNCTION double_it(x INT) RETURNS INT DETERMINISTIC RETURN x + x",
        "ALTER TABLE purchase COMMENT = 'what was bought'",
        "CREATE TABLE extra (id INT PRIMARY KEY)",
        "RENAME TABLE extra TO extra2",
        "ALTER TABLE extra2 ENGINE = MyISAM",
      ];
      let dump = await session.dumpSchema();
      let fingerprint = await session.schemaFingerprint();
      for (const change of changes) {
        await session.execute(change);
        const nextDump = await session.dumpSchema();
        const nextFingerprint = await session.schemaFingerprint();
        assert.notEqual(nextDump, dump, `dump did not change after: ${change}`);
        assert.notEqual(nextFingerprint, fingerprint, `fingerprint did not change after: ${change}`);
        dump = nextDump;
        fingerprint = nextFingerprint;
      }
      assert.ok(dump.includes("  column phone varchar(40) NULL DEFAULT '000' comment 'mobile'"));
    });
  });

  describe("read-only query", () => {
    before(async () => {
      await session.execute("CREATE TABLE numbers (n INT PRIMARY KEY, label VARCHAR(10), at DATETIME)");
      await session.execute("INSERT INTO numbers VALUES (1, 'one', '2024-01-02 03:04:05'), (2, 'two', NULL), (3, 'three', NULL), (4, 'four', NULL), (5, 'five', NULL)");
    });

    test("returns columns with their source, rows as arrays, and no truncation under the limit", async () => {
      const result = await session.readOnlyQuery("SELECT n, label AS name, n * 2 AS twice, at FROM numbers ORDER BY n", { rowLimit: 10, timeoutMs: 5_000 });
      assert.deepEqual(result.columns, [
        { name: "n", table: "numbers", column: "n" },
        { name: "name", table: "numbers", column: "label" },
        { name: "twice" },
        { name: "at", table: "numbers", column: "at" },
      ]);
      assert.equal(result.rows.length, 5);
      assert.deepEqual(result.rows[0], [1, "one", 2, "2024-01-02 03:04:05"]);
      assert.equal(result.truncated, false);
    });

    test("stops at the row limit and says so, even on a huge result", async () => {
      const result = await session.readOnlyQuery("SELECT n FROM numbers ORDER BY n", { rowLimit: 2, timeoutMs: 5_000 });
      assert.deepEqual(result.rows, [[1], [2]]);
      assert.equal(result.truncated, true);
      const exact = await session.readOnlyQuery("SELECT n FROM numbers", { rowLimit: 5, timeoutMs: 5_000 });
      assert.equal(exact.truncated, false);

      const started = performance.now();
      const huge = await session.readOnlyQuery(
        "SELECT a.n, b.n, c.n, d.n, e.n, f.n, g.n, h.n, i.n FROM numbers a, numbers b, numbers c, numbers d, numbers e, numbers f, numbers g, numbers h, numbers i",
        { rowLimit: 3, timeoutMs: 20_000 },
      );
      assert.equal(huge.rows.length, 3);
      assert.equal(huge.truncated, true);
      assert.ok(performance.now() - started < 5_000, "the rest of the result is not read");
      assert.equal(Number(await scalar(session, "SELECT 7")), 7, "the session still works");
    });

    test("the server refuses a write inside the read-only transaction, and the engine refuses DDL and DML", async () => {
      await assert.rejects(session.readOnlyQuery("SELECT sneaky_write()", { rowLimit: 1, timeoutMs: 5_000 }), (error: unknown) => {
        assert.ok(error instanceof EngineError);
        assert.equal(error.code, "ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION");
        return true;
      });
      await assert.rejects(session.readOnlyQuery("UPDATE numbers SET label = 'x'", { rowLimit: 1, timeoutMs: 5_000 }), (error: unknown) => error instanceof EngineError && error.kind === "invalid");
      await assert.rejects(session.readOnlyQuery("/* hi */ DROP TABLE numbers", { rowLimit: 1, timeoutMs: 5_000 }), /not DROP/);
      assert.equal(Number(await scalar(session, "SELECT COUNT(*) FROM numbers")), 5);
      // The read-only transaction is over: this session can write again.
      assert.equal((await session.execute("UPDATE numbers SET label = 'uno' WHERE n = 1")).rowsAffected, 1);
    });

    test("the time limit stops a long query and the session's own limit comes back", async () => {
      const started = performance.now();
      await assert.rejects(session.readOnlyQuery("SELECT SLEEP(5)", { rowLimit: 1, timeoutMs: 500 }), (error: unknown) => error instanceof EngineError && error.kind === "timeout");
      assert.ok(performance.now() - started < 3_000);
      await session.execute("SET @limit_after = @@session.max_statement_time");
      assert.equal(Number(await scalar(session, "SELECT @limit_after")), 10);
    });
  });
});
