// The masking attack corpus: ways to read a masked value through /db query — row sources masking must follow, renamed
// columns, predicates and orderings that spell a value, whole rows, set operations, error messages, statistics
// catalogs — each built on both engines where it applies and combined with every way of reaching the column. Every
// probe is refused with a message naming what it reads, or answered with the value masked; no secret ever appears in
// the rows, the CSV or an error.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EngineName } from "../../src/engines/engine.ts";
import { toCsv } from "../../src/query/cells.ts";
import { QueryRefusedError } from "../../src/query/refusal.ts";
import { runQuery } from "../../src/query/run-query.ts";
import { DEVELOPER, openQueryWorld, runAsOwner, type QueryWorld } from "./support.ts";

const SECRETS = ["ada@example.com", "linus@example.com", "555 0100", "120000.5", "98000"];
/** What a refusal must name: the sensitive column, or the catalog it refused. */
const NAMED = /`[\w.]*(email|phone|salary)|`(pg_|mysql\.|information_schema\.|performance_schema\.|sluice_backup\.)|\(a whole row\)|SHOW prints/;
/** A form Sluice cannot follow column by column is refused saying so. */
const UNFOLLOWABLE = /could not follow this query|NATURAL JOIN compares every column|by position, which Sluice cannot follow/;

type Expectation = "refused" | "masked" | "unfollowable";

/** Ways to reach a sensitive value: a FROM clause and the expression that reads the value through it. */
interface Carrier {
  name: string;
  from: string;
  value: string;
}

const CARRIERS: Record<EngineName, Carrier[]> = {
  mysql: [],
  postgres: [
    { name: "LATERAL VALUES", from: "users t1, LATERAL (VALUES (t1.email)) u(e)", value: "u.e" },
    { name: "LATERAL subquery with a column list", from: "users t1, LATERAL (SELECT t1.phone) u(e)", value: "u.e" },
  ],
};
const SHARED_CARRIERS: Carrier[] = [
  { name: "the column", from: "users u", value: "u.email" },
  { name: "an unqualified column", from: "users", value: "email" },
  { name: "a derived table's alias", from: "(SELECT id, email AS e FROM users) u", value: "u.e" },
  { name: "a CTE's column list", from: "c u", value: "u.x" },
  { name: "a derived table over *", from: "(SELECT * FROM users) u", value: "u.email" },
  { name: "a column marked in sluice.yml", from: "customers u", value: "u.salary" },
  { name: "UNION ALL in a derived table", from: "(SELECT id, name AS e FROM users UNION ALL SELECT id, phone FROM users) u", value: "u.e" },
  { name: "a scalar subquery in a derived table", from: "(SELECT (SELECT email FROM users ORDER BY id LIMIT 1) AS e) u", value: "u.e" },
];
const CTE = "WITH c(i, x) AS (SELECT id, email FROM users) ";

/** Uses of a value that must be refused, whatever carries it. `{v}` is the value, `{from}` the FROM clause. */
const USES: Array<[string, string]> = [
  ["WHERE … LIKE", "SELECT COUNT(*) AS n FROM {from} WHERE {v} LIKE 'a%'"],
  ["WHERE … =", "SELECT COUNT(*) AS n FROM {from} WHERE {v} = 'ada@example.com'"],
  ["ORDER BY", "SELECT 1 AS one FROM {from} ORDER BY {v}"],
  ["GROUP BY", "SELECT COUNT(*) AS n FROM {from} GROUP BY {v}"],
  ["HAVING", "SELECT COUNT(*) AS n FROM {from} HAVING MAX({v}) > 'a'"],
  ["a function in the select list", "SELECT UPPER({v}) AS x FROM {from}"],
  ["LENGTH", "SELECT LENGTH({v}) AS x FROM {from}"],
  ["a window's ORDER BY", "SELECT ROW_NUMBER() OVER (ORDER BY {v}) AS r FROM {from}"],
  ["a window's PARTITION BY", "SELECT COUNT(*) OVER (PARTITION BY {v}) AS r FROM {from}"],
  ["IN (subquery)", "SELECT 1 AS one FROM {from} WHERE {v} IN (SELECT 'ada@example.com')"],
  ["CASE WHEN", "SELECT CASE WHEN {v} LIKE 'a%' THEN 1 ELSE 0 END AS b FROM {from}"],
  ["JOIN … ON", "SELECT 1 AS one FROM {from} JOIN customers cc ON cc.city < {v}"],
  ["DISTINCT", "SELECT DISTINCT {v} AS x FROM {from}"],
  ["ORDER BY position", "SELECT {v} AS x FROM {from} ORDER BY 1"],
  ["ORDER BY output name", "SELECT {v} AS x FROM {from} ORDER BY x"],
  ["SUBSTR one character at a time", "SELECT 1 AS one FROM {from} WHERE SUBSTR({v}, 1, 1) = 'a'"],
  ["a scalar subquery compared", "SELECT 1 AS one FROM {from} WHERE (SELECT {v}) > 'm'"],
  ["EXISTS with a WHERE", "SELECT 1 AS one FROM customers cc WHERE EXISTS (SELECT 1 FROM {from} WHERE {v} > 'm')"],
  ["MAX", "SELECT MAX({v}) AS m FROM {from}"],
  ["COUNT DISTINCT", "SELECT COUNT(DISTINCT {v}) AS m FROM {from}"],
];
/** MySQL's LIMIT takes no subquery. */
const POSTGRES_USES: Array<[string, string]> = [["LIMIT from a subquery", "SELECT 1 AS one FROM users LIMIT (SELECT LENGTH({v}) FROM {from} LIMIT 1)"]];

/** Probes of one engine's own forms: [sql, "refused" | "masked"]. */
const SPECIFIC: Record<EngineName, Array<[string, Expectation]>> = {
  postgres: [
    ["SELECT v.e FROM users t1, LATERAL (VALUES (t1.email)) v(e)", "masked"],
    ["SELECT x FROM users, unnest(ARRAY[email]) AS x", "refused"],
    ["SELECT * FROM users t1, jsonb_each_text(to_jsonb(t1))", "refused"],
    ["SELECT s.e FROM users, LATERAL (SELECT email || '') s(e)", "refused"],
    ["SELECT to_jsonb(t1) AS j FROM users t1", "refused"],
    ["SELECT row_to_json(t1.*) AS j FROM users t1", "refused"],
    ["SELECT row_to_json(t1) AS j FROM users t1", "refused"],
    ["SELECT json_agg(t1) AS j FROM users t1", "refused"],
    ["SELECT array_agg(u.*) AS a FROM users u", "refused"],
    ["SELECT t1 FROM users t1", "masked"],
    ["SELECT (t1).email FROM users t1", "refused"],
    ["SELECT t1::text AS t FROM users t1", "refused"],
    ["SELECT id FROM users t1 WHERE t1::text LIKE '%ada%'", "refused"],
    ["SELECT id FROM users WHERE ROW(id, email) > ROW(1, 'a')", "refused"],
    ["SELECT g FROM users, generate_series(1, length(email)) g", "refused"],
    ["SELECT substr(email, g, 1) AS ch FROM users, generate_series(1, 20) g", "refused"],
    ["SELECT g FROM generate_series(1, 30) g JOIN users ON substr(email, g, 1) = 'a'", "refused"],
    ["SELECT g FROM generate_series(1, 30) g WHERE EXISTS (SELECT 1 FROM users WHERE ascii(substr(email, 1, 1)) = g)", "refused"],
    ["SELECT email::int AS n FROM users", "refused"],
    ["SELECT 1 AS one FROM users WHERE email::int = 1", "refused"],
    ["SELECT 1 AS one FROM users ORDER BY email::int", "refused"],
    ["SELECT CAST(phone AS numeric) AS n FROM users", "refused"],
    ["SELECT * FROM pg_stats", "refused"],
    ["SELECT most_common_vals FROM pg_catalog.pg_stats WHERE tablename = 'users'", "refused"],
    ["SELECT * FROM pg_statistic", "refused"],
    ["SELECT * FROM sluice_backup.users_1", "refused"],
    ["SELECT b.email FROM sluice_backup.users_1 b", "refused"],
    ["SELECT * FROM pg_stats_ext", "refused"],
    ["SELECT query FROM pg_stat_activity", "refused"],
    ["SELECT s.vals FROM (SELECT most_common_vals AS vals FROM pg_stats) s", "refused"],
    ["SELECT email FROM users UNION SELECT 'x'", "refused"],
    ["SELECT email FROM users INTERSECT SELECT 'ada@example.com'", "refused"],
    ["SELECT email FROM users EXCEPT SELECT 'ada@example.com'", "refused"],
    ["SELECT DISTINCT ON (email) id FROM users", "refused"],
    ["SELECT string_agg(name, ',' ORDER BY email) AS s FROM users", "refused"],
    ["SELECT count(*) FILTER (WHERE email LIKE 'a%') AS n FROM users", "refused"],
    ["SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY salary) AS p FROM customers", "refused"],
    ["SELECT id FROM users u NATURAL JOIN customers", "unfollowable"],
    ["SELECT id FROM users JOIN customers USING (email)", "refused"],
    ["SELECT xmlelement(name x, email) AS x FROM users", "refused"],
    ["SELECT format('%s', email) AS f FROM users", "refused"],
    ["SELECT id FROM users WHERE email ~ '^a'", "refused"],
    ["SELECT * FROM (SELECT * FROM users) z WHERE z.email LIKE 'a%'", "refused"],
    ["SELECT * FROM users u(a, b, c, d)", "unfollowable"],
    ["SELECT z.e FROM users u, LATERAL (SELECT u.email) z(e)", "masked"],
    ["SELECT email COLLATE \"C\" AS e FROM users", "refused"],
    ["SELECT * FROM ROWS FROM (jsonb_each_text(to_jsonb((SELECT u FROM users u LIMIT 1))))", "refused"],
    ["EXPLAIN SELECT * FROM users WHERE email = 'ada@example.com'", "refused"],
    ["WITH RECURSIVE r(n, e) AS (SELECT 1, email FROM users UNION ALL SELECT n + 1, e FROM r WHERE n < 2) SELECT e FROM r", "masked"],
    ["WITH RECURSIVE r(n, e) AS (SELECT 1, email FROM users UNION ALL SELECT n + 1, e FROM r WHERE e > 'a' AND n < 2) SELECT n FROM r", "refused"],
    ["SELECT ARRAY(SELECT email FROM users) AS a", "refused"],
    ["SELECT (SELECT email FROM users ORDER BY id LIMIT 1) AS first", "masked"],
    ["SELECT * FROM users TABLESAMPLE SYSTEM (100)", "masked"],
    ["SELECT coalesce(email, 'none') AS e FROM users", "refused"],
    ["SELECT greatest(email, 'm') AS e FROM users", "refused"],
    ["SELECT email IS NULL AS missing FROM users", "refused"],
  ],
  mysql: [
    ["SELECT EXTRACTVALUE(1, CONCAT('~', email)) AS x FROM users", "refused"],
    ["SELECT UPDATEXML(1, CONCAT('~', email), 1) AS x FROM users", "refused"],
    ["SELECT EXTRACTVALUE(1, CONCAT('~', (SELECT email FROM users LIMIT 1))) AS x", "refused"],
    ["SELECT UPDATEXML(1, CONCAT('~', (SELECT email FROM users LIMIT 1)), 1) AS x", "refused"],
    ["SELECT 1 AS one FROM users WHERE EXTRACTVALUE(1, CONCAT('~', email)) = 1", "refused"],
    ["SELECT s.seq FROM seq_1_to_30 s JOIN users u ON SUBSTR(u.email, s.seq, 1) = 'a'", "refused"],
    ["SELECT s.seq FROM seq_1_to_30 s, users u WHERE ASCII(SUBSTR(u.email, 1, 1)) = s.seq", "refused"],
    ["SELECT * FROM mysql.column_stats", "refused"],
    ["SELECT min_value, max_value FROM mysql.column_stats WHERE column_name = 'email'", "refused"],
    ["SELECT authentication_string FROM mysql.user", "refused"],
    ["SELECT * FROM mysql.global_priv", "refused"],
    ["SELECT * FROM information_schema.PROCESSLIST", "refused"],
    ["SELECT * FROM performance_schema.events_statements_history", "refused"],
    ["SHOW PROCESSLIST", "refused"],
    ["SHOW FULL PROCESSLIST", "refused"],
    ["SHOW BINLOG EVENTS", "refused"],
    ["SELECT JSON_OBJECT('e', email) AS j FROM users", "refused"],
    ["SELECT JSON_ARRAYAGG(email) AS j FROM users", "refused"],
    ["SELECT GROUP_CONCAT(email) AS g FROM users", "refused"],
    ["SELECT GROUP_CONCAT(name ORDER BY email) AS g FROM users", "refused"],
    ["SELECT email FROM users UNION SELECT 'x'", "refused"],
    ["SELECT email FROM users UNION DISTINCT SELECT 'x'", "refused"],
    ["SELECT CAST(email AS SIGNED) AS n FROM users", "refused"],
    ["SELECT CONVERT(phone, DECIMAL) AS n FROM users", "refused"],
    ["SELECT id FROM users WHERE email REGEXP '^a'", "refused"],
    ["SELECT id FROM users WHERE email = 'ada@example.com'", "refused"],
    ["SELECT id FROM users WHERE email BETWEEN 'a' AND 'b'", "refused"],
    ["SELECT IF(email LIKE 'a%', 1, 0) AS b FROM users", "refused"],
    ["SELECT IFNULL(email, 'x') AS e FROM users", "refused"],
    ["EXPLAIN SELECT id FROM users WHERE email = 'ada@example.com'", "refused"],
    ["SELECT (SELECT email FROM users ORDER BY id LIMIT 1) AS e", "masked"],
    ["SELECT t.e FROM (SELECT email AS e FROM users) t", "masked"],
    ["WITH c(x) AS (SELECT email FROM users) SELECT x FROM c", "masked"],
    ["SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM customers c WHERE c.user_id = u.id AND c.salary > 100000)", "refused"],
    ["SELECT id FROM users WHERE id = (SELECT id FROM users WHERE phone LIKE '+1%' LIMIT 1)", "refused"],
    ["SELECT HEX(email) AS h FROM users", "refused"],
    ["SELECT MD5(email) AS h FROM users", "refused"],
    ["SELECT LEFT(email, 1) AS h FROM users", "refused"],
    ["SELECT email, COUNT(*) AS n FROM users GROUP BY email", "refused"],
    ["SELECT email LIKE 'a%' AS b FROM users", "refused"],
    ["SELECT * FROM users u JOIN customers c USING (email)", "refused"],
    ["SELECT * FROM users NATURAL JOIN customers", "unfollowable"],
    ["WITH RECURSIVE r(n, e) AS (SELECT 1, email FROM users UNION ALL SELECT n + 1, e FROM r WHERE n < 2) SELECT e FROM r", "masked"],
    ["SELECT u.* FROM users u", "masked"],
    ["SELECT * FROM (SELECT * FROM users) z", "masked"],
  ],
};

function probesFor(engine: EngineName): Array<{ sql: string; expect: Expectation; label: string }> {
  const probes: Array<{ sql: string; expect: Expectation; label: string }> = [];
  for (const carrier of [...SHARED_CARRIERS, ...CARRIERS[engine]]) {
    const prefix = carrier.from.startsWith("c ") ? CTE : "";
    probes.push({ sql: `${prefix}SELECT ${carrier.value} AS x FROM ${carrier.from}`, expect: "masked", label: `${carrier.name}, selected` });
    for (const [use, template] of engine === "postgres" ? [...USES, ...POSTGRES_USES] : USES) {
      const sql = prefix + template.replaceAll("{from}", carrier.from).replaceAll("{v}", carrier.value);
      probes.push({ sql, expect: "refused", label: `${carrier.name} in ${use}` });
    }
  }
  for (const [sql, expect] of SPECIFIC[engine]) probes.push({ sql, expect, label: sql });
  return probes;
}

const PROBES = { mysql: probesFor("mysql"), postgres: probesFor("postgres") };

for (const engine of ["mysql", "postgres"] as EngineName[]) {
  describe(`masking attack corpus on ${engine}`, () => {
    let world: QueryWorld;

    before(async () => {
      world = await openQueryWorld();
      if (engine === "mysql") await runAsOwner("mysql", world.mysqlDatabase, "ANALYZE TABLE users PERSISTENT FOR ALL");
      else await runAsOwner("postgres", world.postgresDatabase, "ANALYZE users");
    });
    after(async () => {
      await world.close();
    });

    test(`the corpus holds at least 100 probes across both engines (${PROBES.mysql.length} + ${PROBES.postgres.length})`, () => {
      assert.ok(PROBES.mysql.length + PROBES.postgres.length >= 100);
    });

    test("every probe is refused naming what it reads, or answered masked; no secret ever shows", async () => {
      const wrong: string[] = [];
      for (const probe of PROBES[engine]) {
        try {
          const answer = await runQuery({ actorId: DEVELOPER, database: world.databaseFor(engine), sql: probe.sql }, world.deps);
          const shown = JSON.stringify(answer.rows) + toCsv(answer.columns, answer.rows);
          const leaked = SECRETS.find((secret) => shown.includes(secret));
          if (leaked) wrong.push(`${probe.label}: ${leaked} leaked`);
          else if (probe.expect !== "masked") wrong.push(`${probe.label}: ran (masked: ${answer.masked.join(",")}) but should be refused`);
          else if (!answer.masked.includes(true)) wrong.push(`${probe.label}: nothing masked`);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const leaked = SECRETS.find((secret) => message.includes(secret));
          if (leaked) wrong.push(`${probe.label}: ${leaked} leaked in the error`);
          else if (!(error instanceof QueryRefusedError)) wrong.push(`${probe.label}: failed instead of refused: ${message}`);
          else if (probe.expect === "masked") wrong.push(`${probe.label}: refused but should run masked: ${message}`);
          else if (probe.expect === "unfollowable" && !UNFOLLOWABLE.test(message)) wrong.push(`${probe.label}: the refusal does not say why: ${message}`);
          else if (probe.expect === "refused" && !NAMED.test(message)) wrong.push(`${probe.label}: the refusal does not name what it reads: ${message}`);
        }
      }
      assert.deepEqual(wrong, []);
    });
  });
}
