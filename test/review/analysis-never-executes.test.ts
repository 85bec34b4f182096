// Reviewing SQL must never run it: the attacks of issue #20 §1, sent through the real /slack/events endpoint.
// Each sends a DELETE hidden behind a line end that the splitter once missed, or a function the planner runs, and
// checks that the row is still there and that the user is told what the script really holds.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { eventually, type TestSluice, startTestSluice } from "../support/sluice.ts";
import {
  CHANNEL,
  DEVELOPER,
  changeOfRequest,
  onMysql,
  onPostgres,
  slackDirectory,
  submitChangeForm,
  waitForPosted,
  workflowYaml,
} from "../support/changes.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";

/** The text: PostgreSQL ends the `--` comment at the lone \r, so the DELETE is a statement of its own. */
const ATTACK = "UPDATE t1 SET name = name --\r; DELETE FROM orders WHERE id = 1; SELECT 1 FROM t1\nWHERE id = 1";

describe("reviewing SQL never executes it", () => {
  let t: TestSluice;
  let pgDb: string;
  let mysqlDb: string;

  /** The row the attack deletes, put back before each attempt so that each test stands alone. */
  const plantOrder = () => onPostgres(pgDb, "INSERT INTO orders VALUES (1) ON CONFLICT DO NOTHING");
  const orders = async (): Promise<number> => Number((await onPostgres<{ n: string }>(pgDb, "SELECT count(*) AS n FROM orders WHERE id = 1"))[0]!.n);

  /** Whatever Sluice answered the command with: the review (an ephemeral message) or an error (a response). */
  const reviewAnswer = async (database: string, sql: string): Promise<string> => {
    const messages = t.slack.messages.length;
    const responses = t.slack.responses.length;
    const reply = await t.send.command(`review ${database} ${sql}`, DEVELOPER, CHANNEL);
    assert.equal(reply.status, 200);
    const answers = () => [
      ...t.slack.messages.slice(messages).filter((m) => m.visibleTo === DEVELOPER.id).map((m) => JSON.stringify(m.blocks ?? m.text)),
      ...t.slack.responses.slice(responses).map((r) => JSON.stringify(r.body)),
    ];
    await eventually(() => answers().length > 0, 15_000, "the review's answer");
    return answers().join("\n");
  };

  before(async () => {
    pgDb = await createPostgresDatabase("analysis");
    mysqlDb = await createMysqlDatabase("analysis");
    await onPostgres(pgDb, "CREATE TABLE t1 (id int PRIMARY KEY, name text); CREATE TABLE orders (id int PRIMARY KEY); INSERT INTO t1 VALUES (1, 'a'); INSERT INTO orders VALUES (1)");
    t = await startTestSluice({
      yaml: workflowYaml([
        { name: pgDb, engine: "postgres", environment: "Prod" },
        { name: mysqlDb, engine: "mysql", environment: "Prod" },
      ]),
      slack: slackDirectory,
    });
  });
  after(async () => {
    await t.stop();
    await dropPostgresDatabase(pgDb);
    await dropMysqlDatabase(mysqlDb);
  });

  test("/db review of the issue's attack on PostgreSQL: the row survives and the review names the three statements", async () => {
    await plantOrder();
    const answer = await reviewAnswer(pgDb, ATTACK);
    assert.equal(await orders(), 1, "the review deleted the row");
    assert.match(answer, /3 statements/);
    assert.doesNotMatch(answer, /unexpected error/);
  });

  /** Submits a data change through the modal; the row is checked once the review is over, before anything else. */
  const submitAttack = async (form: { sql?: string; fileId?: string }) => {
    await plantOrder();
    const { reply, requestKey } = await submitChangeForm(t, DEVELOPER, { database: pgDb, type: "data", description: "attack", ...form });
    const stored = await changeOfRequest(t, requestKey).catch(() => undefined);
    assert.equal(await orders(), 1, "the review deleted the row");
    assert.equal(reply.body, "");
    assert.ok(stored, "the change was not stored");
    return waitForPosted(t, stored.key, "awaiting_approval");
  };

  test("the same text as a submitted change: the row survives, and the change holds the DELETE as statement 2 on line 2", async () => {
    const posted = await submitAttack({ sql: ATTACK });
    assert.deepEqual(
      posted.statements.map((s) => [s.sql, s.line]),
      [
        ["UPDATE t1 SET name = name", 1],
        ["DELETE FROM orders WHERE id = 1", 2],
        ["SELECT 1 FROM t1\nWHERE id = 1", 2],
      ],
    );
  });

  test("the same text in an attached .sql file with lone \\r line ends: the row survives, each statement on its line", async () => {
    const file = t.slack.addUserFile("cr.sql", `${ATTACK};\rSELECT 2 FROM t1;\r`);
    const posted = await submitAttack({ fileId: file.id });
    assert.deepEqual(
      posted.statements.map((s) => [s.sql, s.line]),
      [
        ["UPDATE t1 SET name = name", 1],
        ["DELETE FROM orders WHERE id = 1", 2],
        ["SELECT 1 FROM t1\nWHERE id = 1", 2],
        ["SELECT 2 FROM t1", 4],
      ],
    );
  });

  test("MariaDB: a function the planner folds while estimating rows writes nothing", async () => {
    await onMysql(
      mysqlDb,
      "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2); CREATE TABLE audit (n int) ENGINE=MyISAM;" +
        "CREATE FUNCTION f() RETURNS int DETERMINISTIC BEGIN INSERT INTO audit VALUES (1); RETURN 1; END",
    );
    const answer = await reviewAnswer(mysqlDb, "DELETE FROM t WHERE id = f()");
    assert.match(answer, /1 statement/);
    assert.deepEqual(await onMysql(mysqlDb, "SELECT count(*) AS n FROM audit"), [{ n: 0 }], "the review ran the function's INSERT");
  });
});
