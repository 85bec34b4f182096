// The PostgreSQL engine against the real test server: connect, execute, schema snapshot and fingerprint, read-only queries.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import pg from "pg";
import type { ConnectionTarget, EngineSession, SessionLimits } from "../../src/engines/engine.ts";
import { EngineError, engineFor } from "../../src/engines/index.ts";
import { createPostgresDatabase, dropPostgresDatabase, postgresServer } from "../support/servers.ts";

const engine = engineFor("postgres");
const limits: SessionLimits = { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 };

function targetFor(database?: string): ConnectionTarget {
  return { ...postgresServer(), ...(database ? { database } : {}), connectTimeoutMs: 3_000 };
}

async function runScript(session: EngineSession, script: string): Promise<void> {
  for (const statement of engine.splitStatements(script)) await session.execute(statement.text);
}

async function scalar(session: EngineSession, sql: string): Promise<unknown> {
  const result = await session.readOnlyQuery(sql, { rowLimit: 1, timeoutMs: 5_000 });
  return result.rows[0]?.[0];
}

const SCHEMA = `
CREATE SCHEMA shop;
CREATE TYPE shop.mood AS ENUM ('happy', 'sad');
CREATE SEQUENCE shop.invoice_number START 1000;
CREATE TABLE shop.customer (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  name varchar(100) DEFAULT 'anonymous',
  mood shop.mood,
  code text COLLATE "C",
  CONSTRAINT email_has_at CHECK (email LIKE '%@%')
);
COMMENT ON TABLE shop.customer IS 'people who buy';
CREATE TABLE shop.purchase (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id int NOT NULL REFERENCES shop.customer (id) ON DELETE CASCADE,
  amount numeric(10,2) NOT NULL DEFAULT 0,
  doubled numeric GENERATED ALWAYS AS (amount * 2) STORED
);
CREATE INDEX purchase_big ON shop.purchase (amount DESC) WHERE amount > 100;
CREATE VIEW shop.big_purchase AS SELECT p.id, c.email FROM shop.purchase p JOIN shop.customer c ON c.id = p.customer_id WHERE p.amount > 100;
CREATE FUNCTION shop.clamp_amount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.amount < 0 THEN NEW.amount := 0; END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER purchase_positive BEFORE INSERT ON shop.purchase FOR EACH ROW EXECUTE FUNCTION shop.clamp_amount();
CREATE PROCEDURE shop.add_purchase(who int, how_much numeric) LANGUAGE sql AS $$ INSERT INTO shop.purchase (customer_id, amount) VALUES (who, how_much) $$;
CREATE SCHEMA sluice_backup;
CREATE TABLE sluice_backup.change_12 (id int);
`;

describe("PostgreSQL engine", () => {
  let database: string;
  let session: EngineSession;

  before(async () => {
    database = await createPostgresDatabase("engine");
    session = await engine.connect(targetFor(database), limits);
    await runScript(session, SCHEMA);
  });

  after(async () => {
    await session?.close();
    if (database) await dropPostgresDatabase(database);
  });

  test("the session knows its backend pid and its limits", async () => {
    assert.equal(Number(await scalar(session, "SELECT pg_backend_pid()")), session.connectionId);
    assert.equal(await scalar(session, "SELECT current_setting('lock_timeout')"), "5s");
    assert.equal(await scalar(session, "SELECT current_setting('TimeZone')"), "UTC");
  });

  test("a session reads strings as the splitter does even where the database turns standard_conforming_strings off", async () => {
    await session.execute(`ALTER DATABASE ${engine.quoteIdentifier(database)} SET standard_conforming_strings = off`);
    const fresh = await engine.connect(targetFor(database), limits);
    try {
      const statement = "SELECT 'a\\' AS text";
      assert.deepEqual(engine.splitStatements(`${statement}; SELECT 2`).map((s) => s.text), [statement, "SELECT 2"]);
      assert.equal(await scalar(fresh, statement), "a\\");
    } finally {
      await fresh.close();
      await session.execute(`ALTER DATABASE ${engine.quoteIdentifier(database)} RESET standard_conforming_strings`);
    }
  });

  test("after a crash, a statement PostgreSQL still runs for the lost session is told apart from one that ended", async () => {
    const runner = await engine.connect(targetFor(database), limits);
    const mark = await runner.mark();
    assert.equal(mark?.pid, runner.connectionId);
    await runner.close();
    // A lost runner's session: its client is gone (socket closed) while the server still sleeps for it.
    const lost = new pg.Client({ ...postgresServer(), database });
    await lost.connect();
    lost.on("error", () => {});
    const [{ pid, started }] = (await lost.query("SELECT pid, extract(epoch FROM backend_start)::float8 AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()")).rows;
    lost.query("SELECT pg_sleep(30)").catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    (lost as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const lostMark = { pid: Number(pid), backendStartedAt: Number(started) };
    const running = await engine.settleCutShort(targetFor(database), lostMark, { done: [], statement: "CREATE INDEX CONCURRENTLY x ON counted (v)" });
    assert.equal(running.ran, undefined);
    assert.match(running.note, new RegExp(`still running it for Sluice's lost session \\(backend ${pid}\\)`));
    const admin = new pg.Client({ ...postgresServer(), database });
    await admin.connect();
    try {
      await admin.query("SELECT pg_terminate_backend($1)", [pid]);
      for (let i = 0; i < 50 && (await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid])).rowCount; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await admin.end();
    }
    const ended = await engine.settleCutShort(targetFor(database), lostMark, { done: [], statement: "CREATE INDEX CONCURRENTLY x ON counted (v)" });
    assert.equal(ended.ran, undefined);
    assert.match(ended.note, /keeps no record/);
  });

  test("after a crash, a lost session's transaction PostgreSQL still runs is ended, so its locks are free", async () => {
    await session.execute("CREATE TABLE lost_locked (id int PRIMARY KEY, v int NOT NULL)");
    await session.execute("INSERT INTO lost_locked VALUES (1, 0)");
    const lost = await engine.connect(targetFor(database), limits);
    const mark = await lost.mark();
    assert.ok(mark);
    await lost.begin();
    const running = lost.execute("UPDATE lost_locked SET v = v + (SELECT 1 FROM pg_sleep(30)) WHERE id = 1").catch(() => "ended");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await engine.endLostSession(targetFor(database), mark), { ended: true });
    assert.equal(await running, "ended");
    const other = await engine.connect(targetFor(database), { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 });
    try {
      assert.equal((await other.execute("UPDATE lost_locked SET v = v + 10 WHERE id = 1")).rowsAffected, 1, "the row is free at once");
      assert.equal(await scalar(other, "SELECT v FROM lost_locked"), 10, "and the lost transaction was rolled back");
    } finally {
      await other.close();
    }
    assert.deepEqual(await engine.endLostSession(targetFor(database), mark), { ended: false });
    await lost.close().catch(() => {});
    await session.execute("DROP TABLE lost_locked");
  });

  test("execute reports rows affected for data changes and 0 for schema changes", async () => {
    assert.equal((await session.execute("CREATE TABLE counted (id int PRIMARY KEY, v int)")).rowsAffected, 0);
    assert.equal((await session.execute("INSERT INTO counted VALUES (1, 0), (2, 0), (3, 5)")).rowsAffected, 3);
    assert.equal((await session.execute("UPDATE counted SET v = 1 WHERE v = 0")).rowsAffected, 2);
    assert.equal((await session.execute("SELECT * FROM counted")).rowsAffected, 0);
    assert.equal((await session.execute("DELETE FROM counted WHERE id > 1")).rowsAffected, 2);
    await session.execute("DROP TABLE counted");
  });

  test("a statement the server refuses raises an EngineError with the server's message; one statement per call", async () => {
    await assert.rejects(session.execute("INSERT INTO no_such_table VALUES (1)"), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.kind, "statement");
      assert.equal(error.code, "42P01");
      assert.equal(error.message, 'relation "no_such_table" does not exist');
      return true;
    });
    await assert.rejects(session.execute("SELECT 1; SELECT 2"), /cannot insert multiple commands/);
  });

  test("begin/rollback discards and begin/commit keeps", async () => {
    await session.execute("CREATE TABLE ledger (id int PRIMARY KEY)");
    await session.begin();
    await session.execute("INSERT INTO ledger VALUES (1)");
    await session.rollback();
    assert.equal(Number(await scalar(session, "SELECT count(*) FROM ledger")), 0);
    await session.begin();
    await session.execute("INSERT INTO ledger VALUES (2)");
    await session.commit();
    assert.equal(Number(await scalar(session, "SELECT count(*) FROM ledger")), 1);
    await session.execute("DROP TABLE ledger");
  });

  test("executeBatch in a transaction pipelines the statements and names the failing one; none after it ran", async () => {
    await session.execute("CREATE TABLE batched (id int PRIMARY KEY, v int)");
    await session.begin();
    const done = await session.executeBatch(["INSERT INTO batched VALUES (1, 0), (2, 0)", "UPDATE batched SET v = 7", "SELECT * FROM batched", "CREATE TABLE batched_too (id int)"]);
    assert.equal(done.failure, undefined);
    assert.deepEqual(
      done.outcomes.map((o) => o.rowsAffected),
      [2, 2, 0, 0],
    );
    const failed = await session.executeBatch(["INSERT INTO batched VALUES (3, 0)", "INSERT INTO batched VALUES (1, 0)", "INSERT INTO batched VALUES (4, 0)"]);
    assert.equal(failed.failure?.index, 1);
    assert.match(failed.failure!.error.message, /duplicate key/);
    assert.equal(failed.outcomes.length, 1);
    await session.rollback();
    assert.equal(Number(await scalar(session, "SELECT count(*) FROM batched")), 0);
    assert.equal(await scalar(session, "SELECT to_regclass('batched_too')::text"), null);
    await assert.rejects(
      (async () => {
        await session.begin();
        try {
          return await session.executeBatch(["SELECT 1; SELECT 2"]).then((r) => Promise.reject(r.failure?.error));
        } finally {
          await session.rollback();
        }
      })(),
      /cannot insert multiple commands/,
    );
    await session.execute("DROP TABLE batched");
  });

  test("the statement timeout stops a long statement", async () => {
    const short = await engine.connect(targetFor(database), { statementTimeoutMs: 1_000, lockTimeoutMs: 1_000 });
    try {
      const started = performance.now();
      await assert.rejects(short.execute("SELECT pg_sleep(5)"), (error: unknown) => error instanceof EngineError && error.kind === "timeout" && error.code === "57014");
      assert.ok(performance.now() - started < 4_000);
    } finally {
      await short.close();
    }
  });

  test("the lock timeout stops a statement waiting for a lock", async () => {
    await session.execute("CREATE TABLE locked (id int PRIMARY KEY, v int)");
    await session.execute("INSERT INTO locked VALUES (1, 0)");
    const other = await engine.connect(targetFor(database), { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 });
    try {
      await session.begin();
      await session.execute("UPDATE locked SET v = 1 WHERE id = 1");
      await assert.rejects(other.execute("UPDATE locked SET v = 2 WHERE id = 1"), (error: unknown) => error instanceof EngineError && error.kind === "timeout" && error.code === "55P03");
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
      assert.match(error.message, /^cannot connect to postgres at 127\.0\.0\.1:1 as postgres: .*ECONNREFUSED/);
      assert.ok(!error.message.includes(password));
      return true;
    });
    await assert.rejects(engine.connect({ ...targetFor("no_such_database_here"), password }, limits), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.match(error.message, /as postgres: .*no_such_database_here/);
      assert.ok(!error.message.includes(password));
      return true;
    });
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
    for (const system of ["template0", "template1", "postgres"]) assert.ok(!names.includes(system));
  });

  describe("schema snapshot", () => {
    test("the dump shows every kind of object, normalized and sorted, and leaves sluice_backup out", async () => {
      const dump = await session.dumpSchema();
      const expected = [
        "schema shop",
        "type shop.mood enum ('happy', 'sad')",
        "sequence shop.invoice_number as bigint increment 1 minvalue 1 maxvalue 9223372036854775807 start 1000 cache 1",
        "sequence shop.customer_id_seq as integer increment 1 minvalue 1 maxvalue 2147483647 start 1 cache 1 owned by shop.customer.id",
        "table shop.customer comment 'people who buy'",
        "  column id integer NOT NULL DEFAULT nextval('shop.customer_id_seq'::regclass)",
        "  column name character varying(100) NULL DEFAULT 'anonymous'::character varying",
        "  column mood shop.mood NULL",
        '  column code text NULL COLLATE "C"',
        "  constraint customer_email_key UNIQUE (email)",
        "  constraint email_has_at CHECK ((email ~~ '%@%'::text))",
        "  constraint customer_pkey PRIMARY KEY (id)",
        "  column id bigint NOT NULL GENERATED ALWAYS AS IDENTITY",
        "  column doubled numeric NULL GENERATED ALWAYS AS ((amount * (2)::numeric)) STORED",
        "  constraint purchase_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES shop.customer(id) ON DELETE CASCADE",
        "  index purchase_big USING btree (amount DESC) WHERE (amount > (100)::numeric)",
        "  trigger purchase_positive BEFORE INSERT ON shop.purchase FOR EACH ROW EXECUTE FUNCTION shop.clamp_amount()",
        "view shop.big_purchase",
        "function shop.clamp_amount()",
        "procedure shop.add_purchase(IN who integer, IN how_much numeric)",
        "    CREATE OR REPLACE FUNCTION shop.clamp_amount()",
      ];
      const lines = dump.split("\n");
      for (const line of expected) assert.ok(lines.includes(line), `missing line: ${line}\n${dump}`);
      assert.ok(!dump.includes("sluice_backup"));
      assert.ok(!dump.includes("purchase_id_seq"), "an identity sequence belongs to its column");
      assert.ok(dump.indexOf("table shop.customer") < dump.indexOf("table shop.purchase"));
      assert.ok(!/ +\n/.test(dump), "no trailing blanks");
      assert.equal(await session.dumpSchema(), dump);
    });

    test("the fingerprint is the md5 of the dump, and the dump ignores the session's search_path", async () => {
      const dump = await session.dumpSchema();
      assert.equal(await session.schemaFingerprint(), createHash("md5").update(dump.slice(0, -1)).digest("hex"));
      assert.deepEqual(await session.schemaSnapshot(), { schema: dump, fingerprint: await session.schemaFingerprint() });
      await session.execute("SET search_path = shop, public");
      try {
        assert.equal(await session.dumpSchema(), dump);
        assert.equal(await scalar(session, "SELECT current_setting('search_path')"), "shop, public");
      } finally {
        await session.execute("RESET search_path");
      }
    });

    test("a second database with the same schema dumps the same bytes", async () => {
      const twin = await createPostgresDatabase("engine_twin");
      const other = await engine.connect(targetFor(twin), limits);
      try {
        await runScript(other, SCHEMA);
        assert.equal(await other.dumpSchema(), await session.dumpSchema());
        assert.equal(await other.schemaFingerprint(), await session.schemaFingerprint());
      } finally {
        await other.close();
        await dropPostgresDatabase(twin);
      }
    });

    test("rows, sequence positions and statistics change neither dump nor fingerprint", async () => {
      const dump = await session.dumpSchema();
      const fingerprint = await session.schemaFingerprint();
      await session.execute("INSERT INTO shop.customer (email) VALUES ('a@example.com'), ('b@example.com')");
      await session.execute("INSERT INTO shop.purchase (customer_id, amount) VALUES (1, 150)");
      await session.execute("SELECT nextval('shop.invoice_number'), nextval('shop.invoice_number')");
      await session.execute("ANALYZE shop.customer");
      await session.execute("ANALYZE shop.purchase");
      assert.equal(await session.dumpSchema(), dump);
      assert.equal(await session.schemaFingerprint(), fingerprint);
    });

    test("every kind of schema change moves both dump and fingerprint", async () => {
      const changes = [
        "ALTER TABLE shop.customer ADD COLUMN phone text",
        "ALTER TABLE shop.customer ALTER COLUMN phone TYPE varchar(40)",
        "ALTER TABLE shop.customer ALTER COLUMN phone SET DEFAULT '000'",
        "ALTER TABLE shop.customer ALTER COLUMN email DROP NOT NULL",
        "COMMENT ON COLUMN shop.customer.phone IS 'mobile'",
        "CREATE INDEX customer_phone ON shop.customer (phone)",
        "ALTER TABLE shop.customer ADD CONSTRAINT phone_not_empty CHECK (phone <> '')",
        "ALTER TABLE shop.purchase DROP CONSTRAINT purchase_customer_id_fkey",
        "ALTER TABLE shop.purchase ADD CONSTRAINT purchase_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES shop.customer (id) ON DELETE RESTRICT",
        "CREATE OR REPLACE VIEW shop.big_purchase AS SELECT p.id, c.email FROM shop.purchase p JOIN shop.customer c ON c.id = p.customer_id WHERE p.amount > 200",
        "CREATE OR REPLACE FUNCTION shop.clamp_amount() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "ALTER TABLE shop.purchase DISABLE TRIGGER purchase_positive",
        "ALTER TYPE shop.mood ADD VALUE 'meh'",
        "ALTER SEQUENCE shop.invoice_number INCREMENT 5",
        "CREATE DOMAIN shop.positive AS int CHECK (VALUE > 0)",
        "CREATE SCHEMA reporting",
        "ALTER TABLE shop.purchase RENAME TO order_line",
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
      assert.ok(dump.includes("  column phone character varying(40) NULL DEFAULT '000'::character varying comment 'mobile'"));
    });
  });

  describe("read-only query", () => {
    before(async () => {
      await session.execute("CREATE TABLE numbers (n int PRIMARY KEY, label text, at timestamptz)");
      await session.execute("INSERT INTO numbers SELECT i, 'n' || i, CASE WHEN i = 1 THEN '2024-01-02 03:04:05+00'::timestamptz END FROM generate_series(1, 5) i");
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
      assert.deepEqual(result.rows[0], [1, "n1", 2, "2024-01-02 03:04:05+00"]);
      assert.equal(result.truncated, false);
    });

    test("stops at the row limit and says so, even on a huge result", async () => {
      const result = await session.readOnlyQuery("SELECT n FROM numbers ORDER BY n", { rowLimit: 2, timeoutMs: 5_000 });
      assert.deepEqual(result.rows, [[1], [2]]);
      assert.equal(result.truncated, true);
      assert.equal((await session.readOnlyQuery("SELECT n FROM numbers", { rowLimit: 5, timeoutMs: 5_000 })).truncated, false);
      const started = performance.now();
      // 5^11 (48.8 million) rows: producing them all takes far longer than the bound, even on an idle machine, and the
      // bound is loose enough for a loaded one.
      const huge = await session.readOnlyQuery(
        "SELECT a.n, b.n, c.n, d.n, e.n, f.n, g.n, h.n, i.n FROM numbers a, numbers b, numbers c, numbers d, numbers e, numbers f, numbers g, numbers h, numbers i, numbers j, numbers k",
        { rowLimit: 3, timeoutMs: 120_000 },
      );
      assert.equal(huge.rows.length, 3);
      assert.equal(huge.truncated, true);
      assert.ok(performance.now() - started < 20_000, "the rest of the result is never produced");
      const explained = await session.readOnlyQuery("EXPLAIN SELECT * FROM numbers", { rowLimit: 1, timeoutMs: 5_000 });
      assert.equal(explained.columns[0]!.name, "QUERY PLAN");
    });

    test("the server refuses writes in the read-only transaction, and no second statement slips out of it", async () => {
      for (const sql of ["UPDATE numbers SET label = 'x'", "CREATE TABLE nope (id int)"]) {
        await assert.rejects(session.readOnlyQuery(sql, { rowLimit: 1, timeoutMs: 5_000 }), (error: unknown) => {
          assert.ok(error instanceof EngineError, sql);
          assert.equal(error.code, "25006", sql);
          assert.match(error.message, /read-only transaction/);
          return true;
        });
      }
      await assert.rejects(session.readOnlyQuery("WITH gone AS (DELETE FROM numbers RETURNING n) SELECT * FROM gone", { rowLimit: 1, timeoutMs: 5_000 }), EngineError);
      await assert.rejects(session.readOnlyQuery("SELECT 1; COMMIT; DELETE FROM numbers", { rowLimit: 1, timeoutMs: 5_000 }), EngineError);
      assert.equal(Number(await scalar(session, "SELECT count(*) FROM numbers")), 5);
      assert.equal((await session.execute("UPDATE numbers SET label = 'one' WHERE n = 1")).rowsAffected, 1);
    });

    test("the time limit stops a long query", async () => {
      const started = performance.now();
      await assert.rejects(session.readOnlyQuery("SELECT pg_sleep(5)", { rowLimit: 1, timeoutMs: 500 }), (error: unknown) => error instanceof EngineError && error.kind === "timeout");
      assert.ok(performance.now() - started < 3_000);
      assert.equal(await scalar(session, "SELECT 'still alive'"), "still alive");
    });
  });
});
