// Sensitive columns stay masked however a query passes them on (*, aliases, subqueries, CTEs, UNION ALL, joins), and a
// query that computes, filters or sorts on one is refused, naming it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EngineName } from "../../src/engines/engine.ts";
import { toCsv } from "../../src/query/cells.ts";
import { MASK } from "../../src/query/masking.ts";
import { QueryRefusedError } from "../../src/query/refusal.ts";
import { runQuery, type QueryAnswer } from "../../src/query/run-query.ts";
import { APPROVER, DEVELOPER, openQueryWorld, type QueryWorld } from "./support.ts";

const SECRETS = ["ada@example.com", "linus@example.com", "+1 555 0100", "120000.50", "98000.00"];

for (const engine of ["mysql", "postgres"] as EngineName[]) {
  describe(`masking on ${engine}`, () => {
    let world: QueryWorld;
    const ask = (sql: string, actorId = DEVELOPER): Promise<QueryAnswer> =>
      runQuery({ actorId, database: world.databaseFor(engine), sql }, world.deps);
    const maskedNames = (answer: QueryAnswer): string[] => answer.columns.filter((_, index) => answer.masked[index]);
    const assertNoSecrets = (answer: QueryAnswer): void => {
      const text = JSON.stringify(answer.rows) + toCsv(answer.columns, answer.rows);
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked`);
    };

    before(async () => {
      world = await openQueryWorld();
    });
    after(async () => {
      await world.close();
    });

    test("SELECT * masks email and phone by name pattern, and leaves the rest readable", async () => {
      const answer = await ask("SELECT * FROM users ORDER BY id");
      assert.deepEqual(maskedNames(answer), ["email", "phone"]);
      assert.deepEqual(answer.rows[0], [1, "Ada", MASK, MASK]);
      assertNoSecrets(answer);
    });

    test("an alias does not unmask: the server reports the source column", async () => {
      const answer = await ask("SELECT name AS who, email AS contact FROM users ORDER BY id");
      assert.deepEqual(maskedNames(answer), ["contact"]);
      assert.equal(answer.rows[0]![0], "Ada");
      assertNoSecrets(answer);
    });

    test("a computation, a filter or an ordering on a sensitive column is refused, naming it; on other columns they run", async () => {
      const concat = engine === "mysql" ? "CONCAT(name, ':', email)" : "name || ':' || email";
      for (const [sql, column] of [
        [`SELECT ${concat} AS tag FROM users`, "users.email"],
        ["SELECT UPPER(phone) AS p FROM users", "users.phone"],
        ["SELECT COUNT(*) AS how_many FROM users WHERE email LIKE '%@example.com'", "users.email"],
      ] as const) {
        await assert.rejects(ask(sql), (error: unknown) => error instanceof QueryRefusedError && error.message.includes(`\`${column}\``), sql);
      }
      const counted = await ask("SELECT COUNT(*) AS how_many, LENGTH(MAX(name)) AS n FROM users WHERE name LIKE '%a%'");
      assert.deepEqual(counted.masked, [false, false]);
      assert.equal(String(counted.rows[0]![0]), "1");
    });

    test("a join masks a column marked sensitive in sluice.yml (customers.salary) but not the other table's columns", async () => {
      const answer = await ask("SELECT u.name, c.salary AS pay, c.city FROM users u JOIN customers c ON c.user_id = u.id ORDER BY u.id");
      assert.deepEqual(maskedNames(answer), ["pay"]);
      assert.deepEqual(answer.rows[0], ["Ada", MASK, "London"]);
      assertNoSecrets(answer);
    });

    test("derived tables, CTEs, scalar subqueries and UNION ALL pass a sensitive column on masked", async () => {
      const cases: Array<[string, string]> = [
        ["SELECT s.e FROM (SELECT email AS e FROM users) s", "e"],
        ["SELECT z.email FROM (SELECT * FROM users) z", "email"],
        ["WITH w AS (SELECT phone AS q FROM users) SELECT q FROM w", "q"],
        ["SELECT (SELECT email FROM users ORDER BY id LIMIT 1) AS first_contact", "first_contact"],
        ["SELECT name FROM users UNION ALL SELECT email FROM users", "name"],
        ["WITH c(x) AS (SELECT email FROM users) SELECT x FROM c", "x"],
        ["SELECT s.pay FROM (SELECT salary AS pay FROM customers) s", "pay"],
      ];
      for (const [sql, column] of cases) {
        const answer = await ask(sql);
        assert.ok(maskedNames(answer).includes(column), `${sql}: ${column} should be masked`);
        assertNoSecrets(answer);
      }
    });

    test("approvers see masked values too unless masking.approversSeeUnmasked is on", async () => {
      const answer = await ask("SELECT email FROM users ORDER BY id", APPROVER);
      assert.deepEqual(answer.rows[0], [MASK]);
      const lenient = { ...world.deps, config: { ...world.config, file: { ...world.config.file, query: { ...world.config.file.query, masking: { ...world.config.file.query.masking, approversSeeUnmasked: true } } } } };
      const approver = await runQuery({ actorId: APPROVER, database: world.databaseFor(engine), sql: "SELECT email FROM users ORDER BY id" }, lenient);
      assert.deepEqual(approver.rows[0], ["ada@example.com"]);
      const developer = await runQuery({ actorId: DEVELOPER, database: world.databaseFor(engine), sql: "SELECT email FROM users ORDER BY id" }, lenient);
      assert.deepEqual(developer.rows[0], [MASK]);
    });

    test("the audit log names the masked columns", async () => {
      await ask("SELECT id, email FROM users");
      const entry = await world.store.prisma.auditLog.findFirst({ where: { action: "query", sql: "SELECT id, email FROM users" } });
      assert.deepEqual((entry?.detail as { maskedColumns?: string[] }).maskedColumns, ["email"]);
    });
  });
}
