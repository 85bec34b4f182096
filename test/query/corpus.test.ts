// Attempts to write, lock, sleep or escape through /db query, on both engines: each is refused before anything
// runs, or (for a user function that writes) refused by what the catalog says the function is. Data, sequences and
// schema are the same afterwards, and every attempt is in the audit log.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EngineName } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { QueryRefusedError } from "../../src/query/guard.ts";
import { runQuery } from "../../src/query/run-query.ts";
import { DEVELOPER, openQueryWorld, tableChecksums, type QueryWorld } from "./support.ts";

const COMMON = [
  "DELETE FROM users",
  "UPDATE users SET name = 'x'",
  "INSERT INTO users (id, name) VALUES (99, 'x')",
  "DROP TABLE users",
  "TRUNCATE users",
  "CREATE TABLE evil (id INT)",
  "ALTER TABLE users ADD COLUMN evil INT",
  "SELECT 1; DELETE FROM users",
  "SELECT * FROM users; DROP TABLE customers",
  "SELECT 1 /* ; */ ; UPDATE users SET name = 'y'",
  "select * from users where name = ''; delete from users; --'",
  "  -- a comment first\nDELETE FROM users",
  "/* a comment first */ UPDATE users SET email = NULL",
  "SELECT * FROM users FOR UPDATE",
  "SELECT * FROM users FOR SHARE",
  "SELECT * INTO evil FROM users",
  "GRANT ALL ON users TO PUBLIC",
  "SET autocommit = 0",
  "SET GLOBAL max_connections = 1",
  "CALL anything()",
  "KILL 1",
  "COMMIT",
  "BEGIN",
  "LOCK TABLE users",
  "WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d",
  "EXPLAIN ANALYZE DELETE FROM users",
  "REPLACE INTO users (id, name) VALUES (1, 'x')",
  "PREPARE s FROM 'DELETE FROM users'",
  "EXECUTE s",
  "SELECT nextval('seq_orders')",
  "SELECT setval('seq_orders', 100)",
  "SELECT (SELECT 1 FROM users FOR UPDATE)",
  "INSERT INTO users SELECT id + 100, name, email, phone FROM users",
];

const MYSQL = [
  "SELECT * FROM users INTO OUTFILE '/tmp/sluice-evil.txt'",
  "SELECT * FROM users INTO DUMPFILE '/tmp/sluice-evil.bin'",
  "SELECT name INTO @v FROM users LIMIT 1",
  "SELECT GET_LOCK('sluice', 1)",
  "SELECT RELEASE_LOCK('sluice')",
  "SELECT SLEEP(5)",
  "SELECT sleep /**/ (5)",
  "SELECT `sleep`(5)",
  "SELECT BENCHMARK(100000000, MD5('x'))",
  "SELECT LOAD_FILE('/etc/passwd')",
  "/*!50000 DELETE FROM users */",
  "SELECT 1 /*!50000 ; DELETE FROM users */",
  "SELECT /*!50000 SLEEP(5), */ 1",
  "/*M!100000 DROP TABLE users */",
  "SELECT * FROM users LOCK IN SHARE MODE",
  "LOAD DATA INFILE '/etc/passwd' INTO TABLE users",
  "HANDLER users OPEN",
  "SET @a = 1",
  "SET SESSION TRANSACTION READ WRITE",
  "SELECT 'a\\' , SLEEP(5), ''",
  "SELECT NEXT VALUE FOR seq_orders",
  "SELECT NEXTVAL(seq_orders)",
  "SELECT SETVAL(seq_orders, 1000)",
  "SELECT MASTER_POS_WAIT('bin.000001', 4, 1)",
  "FLUSH TABLES",
  "OPTIMIZE TABLE users",
  "RENAME TABLE users TO users2",
  "SHOW TABLES; DROP TABLE users",
  "DO SLEEP(5)",
];

const POSTGRES = [
  "SELECT pg_sleep(5)",
  "SELECT pg_catalog.pg_sleep(5)",
  'SELECT "pg_sleep"(5)',
  'SELECT U&"\\0070g_sleep"(5)',
  "SELECT pg_advisory_lock(1)",
  "SELECT pg_try_advisory_xact_lock(1)",
  "SELECT pg_read_file('/etc/passwd')",
  "SELECT pg_read_binary_file('/etc/passwd')",
  "SELECT * FROM pg_ls_dir('.')",
  "SELECT lo_import('/etc/passwd')",
  "SELECT lo_export(1, '/tmp/sluice-evil')",
  "COPY users TO PROGRAM 'touch /tmp/sluice-pwned'",
  "COPY (SELECT 1) TO '/tmp/sluice-evil'",
  "SELECT dblink_exec('dbname=postgres', 'CREATE TABLE evil (id int)')",
  "SELECT pg_terminate_backend(pg_backend_pid())",
  "SELECT pg_cancel_backend(1)",
  "SELECT set_config('default_transaction_read_only', 'off', false)",
  "SELECT query_to_xml('SELECT email FROM users', true, true, '')",
  "SELECT * FROM ts_stat('SELECT 1')",
  "SET default_transaction_read_only = off",
  "SET TRANSACTION READ WRITE",
  "SELECT $$x$$; DELETE FROM users",
  "SELECT '\\'; DELETE FROM users; --'",
  "SELECT * FROM users FOR NO KEY UPDATE",
  "VACUUM users",
  "ANALYZE users",
  "NOTIFY sluice",
  "SELECT pg_notify('sluice', 'x')",
  "RESET ALL",
  "DECLARE c CURSOR FOR SELECT 1",
  "CREATE TEMP TABLE t (x INT)",
  "COMMENT ON TABLE users IS 'x'",
  "DO $$ BEGIN DELETE FROM users; END $$",
  // PostgreSQL ends a -- comment at a lone carriage return: what follows it is code.
  "SELECT 1 --\r, pg_terminate_backend(pg_backend_pid())",
  "SELECT 1 --\r; DELETE FROM users",
];

/**
 * Looks like an escape but is one string literal under every reading of backslashes: it runs, harmlessly.
 * (On MySQL, 'a\\'; DELETE … is refused instead: with NO_BACKSLASH_ESCAPES the server would end the string early.)
 */
const HARMLESS: Record<EngineName, { sql: string; value: string }> = {
  mysql: { sql: "SELECT 'x''; DELETE FROM users; --'", value: "x'; DELETE FROM users; --" },
  postgres: { sql: "SELECT E'\\'; DELETE FROM users; --'", value: "'; DELETE FROM users; --" },
};

/** Passes every check Sluice makes before running (a user function), so the read-only transaction must stop it. */
const STOPPED_BY_THE_SERVER = "SELECT sneaky_write()";

for (const engine of ["mysql", "postgres"] as EngineName[]) {
  describe(`/db query refuses writes and escapes on ${engine}`, () => {
    let world: QueryWorld;
    let checksums: string;
    let schema: string;
    const attempts = [...COMMON, ...(engine === "mysql" ? MYSQL : POSTGRES)];

    const dumpSchema = async (): Promise<string> => {
      const database = world.deps.registry.find(world.databaseFor(engine));
      const session = await engineFor(engine).connect(world.deps.registry.target(database.instance, database.name), { statementTimeoutMs: 0, lockTimeoutMs: 1000 });
      try {
        return await session.dumpSchema();
      } finally {
        await session.close();
      }
    };

    before(async () => {
      world = await openQueryWorld();
      checksums = await tableChecksums(world, engine);
      schema = await dumpSchema();
    });
    after(async () => {
      await world.close();
    });

    test(`the corpus has at least 40 attempts (${attempts.length + 2})`, () => {
      assert.ok(attempts.length + 2 >= 40);
    });

    test("every attempt is refused with a reason, and nothing runs", async () => {
      const started = performance.now();
      for (const sql of attempts) {
        await assert.rejects(
          runQuery({ actorId: DEVELOPER, database: world.databaseFor(engine), sql }, world.deps),
          (error: unknown) => {
            assert.ok(error instanceof QueryRefusedError, `${sql}: expected a refusal, got ${String(error)}`);
            assert.match(error.message, /^Refused, nothing was run: .{10,}/);
            return true;
          },
          sql,
        );
      }
      // Refusals happen before any connection: the whole corpus takes well under a second per statement.
      assert.ok(performance.now() - started < attempts.length * 200, "refusals should not wait on a server");
    });

    test("SQL that only looks like an escape runs as the single harmless SELECT it is", async () => {
      const answer = await runQuery({ actorId: DEVELOPER, database: world.databaseFor(engine), sql: HARMLESS[engine].sql }, world.deps);
      assert.deepEqual(answer.rows, [[HARMLESS[engine].value]]);
    });

    test("a user function that writes is refused by what the catalog says it is, before the statement runs", async () => {
      await assert.rejects(
        runQuery({ actorId: DEVELOPER, database: world.databaseFor(engine), sql: STOPPED_BY_THE_SERVER }, world.deps),
        (error: unknown) => error instanceof QueryRefusedError && /sneaky_write/.test(error.message) && /VOLATILE|MODIFIES SQL DATA/.test(error.message),
      );
    });

    test("the rows, the sequence and the schema are the same afterwards", async () => {
      assert.equal(await tableChecksums(world, engine), checksums);
      assert.equal(await dumpSchema(), schema);
    });

    test("every attempt is in the audit log, refused with its reason", async () => {
      const entries = await world.store.prisma.auditLog.findMany({ where: { action: "query" }, orderBy: { id: "asc" } });
      assert.equal(entries.length, attempts.length + 2);
      const refused = entries.filter((entry) => (entry.detail as { refused?: boolean }).refused === true);
      assert.equal(refused.length, attempts.length + 1);
      assert.deepEqual(refused.map((entry) => entry.sql), [...attempts, STOPPED_BY_THE_SERVER]);
      assert.ok(refused.every((entry) => entry.actorId === DEVELOPER && /Refused/.test(String((entry.detail as { reason?: string }).reason))));
    });
  });
}
