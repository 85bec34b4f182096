import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { EngineSession } from "../../src/engines/engine.ts";
import { checkRollbackReadiness, dropExpiredBackups } from "../../src/rollback/index.ts";
import { readDataStatement } from "../../src/engines/postgres/backup-statement.ts";
import { createPostgresDatabase, dropPostgresDatabase, postgresServer } from "../support/servers.ts";
import { available, connect, forcedScriptOf, runDataChange, verifyRollback } from "./support.ts";

const EVERY_TYPE = `CREATE TABLE every_type (
  id int PRIMARY KEY, n text, d numeric(30,10), big bigint, f4 real, f8 double precision, dt date, tm time(3),
  ts timestamp(6), tstz timestamptz(6), txt text, vc varchar(50), ch char(4), by bytea, b bit varying(10), bool boolean,
  js json, jsb jsonb, arr int[], iv interval, u uuid, gen int GENERATED ALWAYS AS (id * 2) STORED
)`;

const SEED = `INSERT INTO every_type (id, n, d, big, f4, f8, dt, tm, ts, tstz, txt, vc, ch, by, b, bool, js, jsb, arr, iv, u) VALUES
  (1, NULL, 12345678901234567890.0123456789, 9223372036854775807, 0.1, 0.30000000000000004, '2024-02-29', '23:59:59.999',
   '2024-03-10 02:30:00.123456', '2024-03-10 02:30:00.654321+05', E'héllo 😀 ''q'' \\\\ back\\nline', 'O''Reilly; -- x', 'ab', '\\x00ff00', B'1010', true,
   '{"a": [1, 2.5], "b":  "spaced"}', '{"z": 1, "a": [true, null]}', '{1,NULL,3}', '1 day 02:00:00.5', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
  (2, 'x', -0.0000000001, -9223372036854775808, -3.4e38, 1e-300, '0001-01-01', '00:00:00', '1970-01-01 00:00:00.000001', 'infinity', '', '', '', '\\x', B'', false,
   '[]', '{}', '{}', '-1 mons', NULL),
  (3, 'y', 1, 0, 1.5, 'NaN', '9999-12-31', '12:00', NULL, NULL, repeat('long ', 100), 'v', 'zz', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;

const CHANGE = `INSERT INTO every_type (id, n, d, f8, txt, by, js, arr) VALUES (4, NULL, 3.5, 2.5, '新しい 🎉', '\\x00', '{"k": null}', '{4}');
UPDATE every_type AS e SET d = d + 1, big = 1, f4 = 3.25, tstz = '2020-02-02 02:02:02.5+00', txt = txt || '✓', by = '\\x0102', b = B'1',
  js = '{"changed": true}', jsb = '[1]', arr = '{9,9}', iv = '3 hours', bool = NULL WHERE e.id IN (1, 2);
DELETE FROM every_type WHERE id = 3;
UPDATE every_type SET n = 'again' WHERE id = 1`;

let database: string;
let session: EngineSession;
let admin: pg.Client;

async function checksum(table: string): Promise<string> {
  const result = await admin.query(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS sum FROM ${table} t`);
  return String(result.rows[0].sum);
}

describe("PostgreSQL rollback from prior backups", () => {
  before(async () => {
    database = await createPostgresDatabase("rollback");
    admin = new pg.Client({ ...postgresServer(), database });
    await admin.connect();
    session = await connect("postgres", database);
  });
  after(async () => {
    await session?.close();
    await admin?.end();
    await dropPostgresDatabase(database);
  });

  it("the database is ready: Sluice may create its backup schema", async () => {
    assert.deepEqual(await checkRollbackReadiness("postgres", session), { available: true, problems: [], howToEnable: [] });
  });

  it("round-trips every type: rollback, rollback of the rollback, and its rollback", async () => {
    await admin.query(EVERY_TYPE);
    await admin.query(SEED);
    const original = await checksum("every_type");
    const change = available(await runDataChange("postgres", session, database, CHANGE, { changeKey: "TST-1" }));
    assert.equal(change.rowCount, 5);
    const backups = change.details.backupTables as string[];
    assert.equal(backups.length, 1);
    assert.match(backups[0]!, /^"sluice_backup"\."tst-1_1_every_type_\d{8}t\d{9}z"$/);
    const changed = await checksum("every_type");
    assert.notEqual(changed, original);
    assert.deepEqual((await verifyRollback("postgres", session, change.script)).changedRows, []);
    const rollback = available(await runDataChange("postgres", session, database, change.script, { changeKey: "TST-2" }));
    assert.equal(await checksum("every_type"), original);
    const again = available(await runDataChange("postgres", session, database, rollback.script, { changeKey: "TST-3" }));
    assert.equal(await checksum("every_type"), changed);
    available(await runDataChange("postgres", session, database, again.script, { changeKey: "TST-4" }));
    assert.equal(await checksum("every_type"), original);
  });

  it("keeps a concurrent writer's rows, and handles keyless tables in a multi-table change", async () => {
    await admin.query("CREATE TABLE shared (id int PRIMARY KEY, v text); INSERT INTO shared VALUES (1, 'a'), (2, 'b')");
    await admin.query("CREATE TABLE loose (a int, b text); INSERT INTO loose VALUES (1, 'x'), (1, 'x'), (2, NULL)");
    const looseBefore = await checksum("loose");
    const writer = new pg.Client({ ...postgresServer(), database });
    await writer.connect();
    try {
      const change = available(
        await runDataChange("postgres", session, database, "UPDATE shared SET v = 'mine' WHERE id = 1; DELETE FROM loose WHERE a = 1; INSERT INTO loose VALUES (3, 'new')", {
          beforeCommit: async () => {
            await writer.query("UPDATE shared SET v = 'theirs' WHERE id = 2");
            await writer.query("INSERT INTO shared VALUES (20, 'theirs')");
          },
        }),
      );
      available(await runDataChange("postgres", session, database, change.script, { changeKey: "TST-5" }));
      const rows = await admin.query("SELECT id, v FROM shared ORDER BY id");
      assert.deepEqual(rows.rows, [{ id: 1, v: "a" }, { id: 2, v: "theirs" }, { id: 20, v: "theirs" }]);
      assert.equal(await checksum("loose"), looseBefore);
    } finally {
      await writer.end();
    }
  });

  it("detects rows changed after the change; the forced rollback overrides them", async () => {
    await admin.query("CREATE TABLE guarded (id int PRIMARY KEY, v text); INSERT INTO guarded VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    const change = available(
      await runDataChange("postgres", session, database, "UPDATE guarded SET v = 'z' WHERE id < 3; DELETE FROM guarded WHERE id = 3; INSERT INTO guarded VALUES (4, 'd')"),
    );
    await admin.query("UPDATE guarded SET v = 'Z' WHERE id = 1; INSERT INTO guarded VALUES (3, 'new'); UPDATE guarded SET v = 'e' WHERE id = 4");
    const { changedRows } = await verifyRollback("postgres", session, change.script);
    assert.equal(changedRows.length, 3);
    assert.match(changedRows.join("\n"), /DELETE FROM "public"."guarded" WHERE "id" = '4'/);
    assert.match(changedRows.join("\n"), /INSERT INTO "public"."guarded"/);
    assert.match(changedRows.join("\n"), /WHERE "id" = '1'/);
    available(await runDataChange("postgres", session, database, forcedScriptOf("postgres", change), { changeKey: "TST-6" }));
    const rows = await admin.query("SELECT id, v FROM guarded ORDER BY id");
    assert.deepEqual(rows.rows, [{ id: 1, v: "a" }, { id: 2, v: "b" }, { id: 3, v: "c" }]);
  });

  it("refuses forms it cannot back up exactly, and still runs them", async () => {
    await admin.query("CREATE TABLE other (id int PRIMARY KEY, v text); INSERT INTO other VALUES (1, 'a')");
    for (const [sql, reason] of [
      ["UPDATE other SET v = 'b' FROM (SELECT 1 AS id) s WHERE other.id = s.id", /UPDATE … FROM is not supported/],
      ["DELETE FROM other USING (SELECT 9 AS id) s WHERE other.id = s.id", /DELETE … USING is not supported/],
      ["WITH s AS (SELECT 1) UPDATE other SET v = 'c'", /WITH clause/],
      ["INSERT INTO other VALUES (5, 'x') RETURNING id", /already has a RETURNING/],
      ["UPDATE other SET id = id + 100 WHERE v = 'none'", /changes the key/],
    ] as const) {
      const rollback = await runDataChange("postgres", session, database, sql);
      assert.equal(rollback.available, false, sql);
      assert.match(rollback.available ? "" : rollback.reason, reason);
    }
    const rows = await admin.query("SELECT id, v FROM other ORDER BY id");
    assert.deepEqual(rows.rows, [{ id: 1, v: "c" }, { id: 5, v: "x" }]);
  });

  it("reads the user's own WHERE, whatever the quoting", () => {
    const statement = readDataStatement(`DELETE FROM ONLY "My ""T"" x" t WHERE t.v = 'WHERE (' AND $q$ RETURNING $q$ <> '' RETURNING t.id`);
    assert.deepEqual(statement, {
      kind: "delete",
      table: `"My ""T"" x"`,
      tableText: `ONLY "My ""T"" x" t`,
      whereText: `t.v = 'WHERE (' AND $q$ RETURNING $q$ <> ''`,
    });
  });

  it("prepares no rollback beyond the row limit", async () => {
    await admin.query("CREATE TABLE many (id int PRIMARY KEY, v int); INSERT INTO many SELECT g, 0 FROM generate_series(1, 50) g");
    const rollback = await runDataChange("postgres", session, database, "UPDATE many SET v = 1", { rowLimit: 20 });
    assert.equal(rollback.available, false);
    assert.match(rollback.available ? "" : rollback.reason, /more than 20 rows \(50\), the rollback row limit/);
    assert.equal((await admin.query("SELECT count(*)::int AS n FROM many WHERE v = 1")).rows[0].n, 50);
  });

  it("keeps one backup table per target table, whatever the number of statements", async () => {
    await admin.query(`CREATE SCHEMA ledger;
      CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items SELECT g, 'i' || g FROM generate_series(1, 10) g;
      CREATE TABLE ledger.items (id int PRIMARY KEY, v text); INSERT INTO ledger.items SELECT g, 'l' || g FROM generate_series(1, 10) g;
      CREATE TABLE notes (id int PRIMARY KEY, v text); INSERT INTO notes SELECT g, 'n' || g FROM generate_series(1, 10) g`);
    const before = await Promise.all(["items", "ledger.items", "notes"].map(checksum));
    const change = available(
      await runDataChange(
        "postgres",
        session,
        database,
        `UPDATE items SET v = 'a' WHERE id < 4; DELETE FROM items -- the odd one
         WHERE id = 9; UPDATE public.items SET v = v || '!' WHERE id > 2;
         DELETE FROM ledger.items WHERE id > 5; UPDATE ledger.items SET v = 'b' WHERE id = 1; UPDATE notes SET v = NULL WHERE id = 2`,
        { changeKey: "TST-10" },
      ),
    );
    const tables = await admin.query<{ name: string; comment: string }>(
      `SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c
        WHERE c.relnamespace = 'sluice_backup'::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'tst-10\\_%' ORDER BY 1`,
    );
    assert.deepEqual(
      tables.rows.map((row) => row.comment.replace(/created .*$/, "")),
      ["sluice backup of public.items for TST-10; ", "sluice backup of ledger.items for TST-10; ", "sluice backup of public.notes for TST-10; "],
    );
    assert.deepEqual((change.details.backupTables as string[]).map((name) => name.split(".")[1]!.slice(1, -1)), tables.rows.map((row) => row.name));
    available(await runDataChange("postgres", session, database, change.script, { changeKey: "TST-11" }));
    assert.deepEqual(await Promise.all(["items", "ledger.items", "notes"].map(checksum)), before);
  });

  it("records a change of 8,000 single-row UPDATEs in one transaction", async () => {
    // Above max_locks_per_transaction × max_connections (64 × 100 by default): a backup table per statement ran out of locks.
    const count = 8_000;
    await admin.query(`CREATE TABLE tally (id int PRIMARY KEY, v text); INSERT INTO tally SELECT g, 'before' FROM generate_series(1, ${count}) g`);
    const script = Array.from({ length: count }, (_, i) => `UPDATE tally SET v = 'after ${i}' WHERE id = ${i + 1}`).join(";\n");
    const change = available(await runDataChange("postgres", session, database, script, { changeKey: "TST-12" }));
    assert.equal(change.rowCount, count);
    assert.equal(change.statementCount, count);
    assert.equal((change.details.backupTables as string[]).length, 1);
  });

  it("refuses a statement on a table with a column named like the backup's statement column", async () => {
    await admin.query(`CREATE TABLE clash (id int PRIMARY KEY, "sluice$statement" int); INSERT INTO clash VALUES (1, 1)`);
    const rollback = await runDataChange("postgres", session, database, `UPDATE clash SET "sluice$statement" = 2 WHERE id = 1`);
    assert.equal(rollback.available, false);
    assert.match(rollback.available ? "" : rollback.reason, /statement 1 changes "public"\."clash", whose column "sluice\$statement" has the name of the backup tables' own statement column/);
    assert.equal((await admin.query("SELECT \"sluice$statement\" AS n FROM clash")).rows[0].n, 2);
  });

  it("beyond the row limit, keeps the earlier statements' backup rows and drops the rest", async () => {
    await admin.query("CREATE TABLE capped (id int PRIMARY KEY, v int); INSERT INTO capped SELECT g, 0 FROM generate_series(1, 50) g");
    const rollback = await runDataChange("postgres", session, database, "UPDATE capped SET v = 1 WHERE id <= 5; UPDATE capped SET v = 2", {
      changeKey: "TST-14",
      rowLimit: 20,
    });
    assert.equal(rollback.available, false);
    const reason = rollback.available ? "" : rollback.reason;
    assert.match(reason, /more than 20 rows \(55\), the rollback row limit/);
    const kept = /backup tables kept: ("sluice_backup"\."[^"]+")/.exec(reason)?.[1];
    assert.ok(kept, reason);
    const rows = await admin.query(`SELECT "sluice$statement" AS statement, count(*)::int AS n FROM ${kept} GROUP BY 1`);
    assert.deepEqual(rows.rows, [{ statement: 1, n: 5 }]);
  });

  it("drops backup tables older than the retention", async () => {
    await admin.query("CREATE TABLE sluice_backup.old_one (id int); COMMENT ON TABLE sluice_backup.old_one IS 'sluice backup of public.x for TST-9; created 2020-01-01T00:00:00.000Z'");
    const before = (await admin.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'sluice_backup'")).rows[0].n;
    const dropped = await dropExpiredBackups("postgres", session, 30);
    assert.deepEqual(dropped, ['"sluice_backup"."old_one"']);
    const left = (await admin.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'sluice_backup'")).rows[0].n;
    assert.equal(left, before - 1);
    assert.ok(left > 0);
  });

  it("explains a user who may not create backup tables", async () => {
    const role = `nobackup_${process.pid}`;
    await admin.query(`CREATE ROLE ${role} LOGIN; REVOKE CREATE ON DATABASE "${database}" FROM PUBLIC; REVOKE CREATE ON SCHEMA sluice_backup FROM PUBLIC`);
    const limited = await (await import("../../src/engines/index.ts")).engineFor("postgres").connect(
      { ...postgresServer(), user: role, password: "", database, connectTimeoutMs: 5000 },
      { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 },
    );
    try {
      const readiness = await checkRollbackReadiness("postgres", limited);
      assert.equal(readiness.available, false);
      assert.deepEqual(readiness.problems, ["the user Sluice connects as cannot create backup tables in schema sluice_backup"]);
      assert.match(readiness.howToEnable[0]!, /GRANT CREATE, USAGE ON SCHEMA sluice_backup/);
    } finally {
      await limited.close();
      await admin.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });
});
