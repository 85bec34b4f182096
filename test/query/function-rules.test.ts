// Read-only by principle (issue 21): /db query decides a function by what it is, not by its name. On PostgreSQL the
// catalog's volatility (pg_proc.provolatile) and language; on MySQL/MariaDB the built-ins known to have no side effects
// and a stored function's declared SQL_DATA_ACCESS. A refused call runs nothing; the server's errors are shown without
// the values they quote.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EngineName } from "../../src/engines/engine.ts";
import { QueryRefusedError } from "../../src/query/refusal.ts";
import { QueryFailedError, runQuery } from "../../src/query/run-query.ts";
import { withoutValues } from "../../src/query/server-errors.ts";
import { DEVELOPER, openQueryWorld, tableChecksums, type QueryWorld } from "./support.ts";

const SET_UP: Record<EngineName, string[]> = {
  postgres: [
    "CREATE TABLE events (id INT, at TIMESTAMP)",
    "INSERT INTO events SELECT g, now() FROM generate_series(1, 1000) g",
    "CREATE INDEX events_at_brin ON events USING brin (at)",
    // Rows added after the index leave page ranges unsummarized: what brin_summarize_new_values would change.
    "INSERT INTO events SELECT g, now() FROM generate_series(1001, 60000) g",
    "CREATE FUNCTION pure_double(x INT) RETURNS INT LANGUAGE sql IMMUTABLE AS 'SELECT x * 2'",
    "CREATE FUNCTION reads_emails() RETURNS TEXT LANGUAGE sql STABLE AS 'SELECT string_agg(email, '','') FROM users'",
    "CREATE FUNCTION touch(a INT, b INT) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS 'BEGIN RETURN a = b; END'",
    "CREATE OPERATOR === (LEFTARG = INT, RIGHTARG = INT, FUNCTION = touch)",
  ],
  mysql: [
    "CREATE FUNCTION pure_double(x INT) RETURNS INT DETERMINISTIC NO SQL RETURN x * 2",
    "CREATE FUNCTION reads_emails() RETURNS TEXT DETERMINISTIC READS SQL DATA RETURN (SELECT GROUP_CONCAT(email) FROM users)",
    "CREATE FUNCTION contains_sql() RETURNS INT DETERMINISTIC CONTAINS SQL RETURN 1",
  ],
};

const REFUSED: Record<EngineName, Array<[string, RegExp]>> = {
  postgres: [
    ["SELECT brin_summarize_new_values('events_at_brin')", /brin_summarize_new_values\(\)` is VOLATILE/],
    ["SELECT brin_summarize_range('events_at_brin', 0)", /brin_summarize_range\(\)` is VOLATILE/],
    ["SELECT brin_desummarize_range('events_at_brin', 0)", /brin_desummarize_range\(\)` is VOLATILE/],
    ["SELECT sneaky_write()", /sneaky_write\(\)` is VOLATILE/],
    ["SELECT id FROM users WHERE id === 1", /operator `===`/],
    ["SELECT reads_emails()", /reads_emails\(\)` is written in sql, so it can read a sensitive column/],
    ["SELECT pure_double(id) FROM users", /pure_double\(\)` is written in sql/],
    ["SELECT setseed(0.5)", /setseed\(\)` is VOLATILE/],
    ["SELECT x FROM events, LATERAL brin_summarize_new_values('events_at_brin') x", /brin_summarize_new_values\(\)` is VOLATILE/],
  ],
  mysql: [
    ["SELECT sneaky_write()", /sneaky_write\(\)` is declared MODIFIES SQL DATA/],
    ["SELECT contains_sql()", /contains_sql\(\)` is declared CONTAINS SQL/],
    ["SELECT reads_emails()", /reads_emails\(\)` is declared READS SQL DATA: it can read a sensitive column/],
    ["SELECT EXTRACTVALUE('<a>1</a>', '/a')", /EXTRACTVALUE\(\)` is not a built-in function Sluice knows/i],
    ["SELECT LAST_INSERT_ID()", /LAST_INSERT_ID\(\)` is not a built-in function Sluice knows/i],
    // Refused twice over: a function of another database, and a read outside the queried database (the environment boundary).
    ["SELECT other_db.f()", /other_db\.f\(\)` is a function of another database|may read only database/],
    ["SELECT no_such_function(1)", /no_such_function\(\)` is not a built-in function/],
  ],
};

const ALLOWED: Record<EngineName, Array<[string, string]>> = {
  postgres: [
    ["SELECT random() < 2 AS ok", "true"],
    ["SELECT clock_timestamp() IS NOT NULL AS ok", "true"],
    ["SELECT now() IS NOT NULL AS ok", "true"],
    ["SELECT upper(name) AS ok FROM users WHERE id = 1", "ADA"],
    ["SELECT count(*) AS ok FROM users WHERE id > 0", "2"],
  ],
  mysql: [
    ["SELECT RAND() < 2 AS ok", "1"],
    ["SELECT NOW() IS NOT NULL AS ok", "1"],
    ["SELECT UPPER(name) AS ok FROM users WHERE id = 1", "ADA"],
    ["SELECT pure_double(21) AS ok", "42"],
    ["SELECT COUNT(*) AS ok FROM users WHERE id > 0", "2"],
  ],
};

for (const engine of ["mysql", "postgres"] as EngineName[]) {
  describe(`function rules on ${engine}`, () => {
    let world: QueryWorld;
    let checksums: string;
    const ask = (sql: string) => runQuery({ actorId: DEVELOPER, database: world.databaseFor(engine), sql }, world.deps);

    before(async () => {
      world = await openQueryWorld();
      for (const sql of SET_UP[engine]) await world.admin(engine, sql);
      checksums = await tableChecksums(world, engine);
    });
    after(async () => {
      await world.close();
    });

    test("a function that may write, or may read behind masking, is refused by what it is; nothing changes", async () => {
      for (const [sql, reason] of REFUSED[engine]) {
        await assert.rejects(ask(sql), (error: unknown) => error instanceof QueryRefusedError && reason.test(error.message), sql);
      }
      assert.equal(await tableChecksums(world, engine), checksums);
      if (engine === "postgres") {
        // The index still has the ranges none of the refused calls summarized.
        const [summarized] = (await world.admin(engine, "SELECT brin_summarize_new_values('events_at_brin') AS n")) as Array<{ n: number }>;
        assert.ok(Number(summarized!.n) > 0, "the refused calls summarized the index");
      }
    });

    test("side-effect-free built-ins (and a NO SQL stored function on MySQL) run", async () => {
      for (const [sql, value] of ALLOWED[engine]) {
        const answer = await ask(sql);
        assert.equal(String(answer.rows[0]![0]), value, sql);
      }
    });

    test("checking the calls keeps the query's time limit", async () => {
      const sql = engine === "postgres" ? "SELECT count(*) AS n FROM generate_series(1, 10000000000) g WHERE g % 7 = 1" : "SELECT COUNT(*) AS n FROM seq_1_to_10000000000 s WHERE MOD(s.seq, 7) = 1";
      await assert.rejects(ask(sql), (error: unknown) => error instanceof QueryFailedError && /ran longer than 3 s/.test(error.message));
    });

    test("a server error is shown with its code and without the values it quotes", async () => {
      const sql = engine === "postgres" ? "SELECT name::int AS n FROM users" : "SELECT nosuch FROM users";
      await assert.rejects(ask(sql), (error: unknown) => {
        assert.ok(error instanceof QueryFailedError, String(error));
        assert.ok(!/Ada|Linus/.test(error.message), error.message);
        // What the requester wrote is kept; what the server read is not.
        assert.match(error.message, engine === "postgres" ? /\(22P02\): invalid input syntax for type integer: "…"/ : /\(ER_BAD_FIELD_ERROR\): Unknown column 'nosuch'/);
        return true;
      });
    });

    test("the messages that echo values (EXTRACTVALUE, UPDATEXML, ::int) lose them when shown", async () => {
      const attempts =
        engine === "mysql"
          ? ["SELECT EXTRACTVALUE(1, CONCAT('~', (SELECT email FROM users LIMIT 1)))", "SELECT UPDATEXML(1, CONCAT('~', (SELECT email FROM users LIMIT 1)), 1)"]
          : ["SELECT email::int FROM users", "SELECT id FROM users WHERE email::int = 1", "SELECT id FROM users ORDER BY email::int"];
      for (const sql of attempts) {
        // The server's own message, as the account that owns the table gets it.
        const message = await world.admin(engine, sql).then(() => "", (error: Error) => error.message);
        assert.match(message, /@example\.com/, `${sql}: the server's message quotes the value: ${message}`);
        assert.ok(!withoutValues(message, sql).includes("@example.com"), withoutValues(message, sql));
      }
    });
  });
}
