// An environment is a boundary (issue #20 §2, #21): with a Test database (auto-approve) and a Prod database on one
// MariaDB instance, nothing sent for the Test database — a change, /db admin, /db query — reaches the Prod one, and
// /db newdb cannot plant a Test database on a Prod-only instance. Every attack goes through the real /slack/events
// endpoint, signed; each checks that Prod is unchanged and that the person is told why.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { CHANNEL, clickOnChange, onMysql, onPostgres, openModal, submitChangeForm, submitChangeThroughModal, waitForPosted, waitForStatus } from "../support/changes.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../support/servers.ts";

const DEVELOPER = { id: "UDEVELOPER" };
/** Approves Test only: may run /db admin on the Test database, never on Prod. */
const TEST_APPROVER = { id: "UTESTAPPROVER" };
const PROD_APPROVER = { id: "UPRODAPPROVER" };

function boundaryYaml(dbTest: string, dbProd: string, databaseExtra = ""): string {
  const my = mysqlServer();
  return `
environments:
  - name: Test
    tier: test
    autoApprove: true
    approvers: { users: [${TEST_APPROVER.id}] }
  - name: Prod
    tier: prod
    approvers: { users: [${PROD_APPROVER.id}] }
instances:
  - { name: maria, engine: mysql, host: ${my.host}, port: ${my.port}, user: ${my.user}, environments: [Test, Prod] }
  - { name: maria-prod-only, engine: mysql, host: ${my.host}, port: ${my.port}, user: ${my.user}, environments: [Prod] }
projects:
  - key: TAR
    name: Target
    channel: ${CHANNEL}
    databases:
      - { name: ${dbTest}, instance: maria, environment: Test${databaseExtra} }
      - { name: ${dbProd}, instance: maria, environment: Prod }
`;
}

const SCHEMA = "CREATE TABLE scratch (id int PRIMARY KEY, x int); INSERT INTO scratch VALUES (1, 1), (2, 2); CREATE TABLE t1 (id int PRIMARY KEY, secret varchar(40));";

describe("an environment is a boundary: a Test database on the Prod database's instance", () => {
  let t: TestSluice;
  let dbTest: string;
  let dbProd: string;

  /** Everything an attack could have changed in Prod: rows, columns, views, triggers, routines. */
  const prodState = async () =>
    JSON.stringify([
      await onMysql(dbProd, "SELECT id, x FROM scratch ORDER BY id"),
      await onMysql(dbProd, "SELECT id, secret FROM t1 ORDER BY id"),
      await onMysql(dbProd, `SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${dbProd}' ORDER BY 1, 2`),
      await onMysql(dbProd, `SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${dbProd}'`),
      await onMysql(dbProd, `SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '${dbProd}'`),
    ]);
  let prodBefore: string;

  /** Whatever Sluice answered a slash command with (a response to the command). */
  const answerTo = async (text: string, user: { id: string }): Promise<string> => {
    const responses = t.slack.responses.length;
    const reply = await t.send.command(text, user, CHANNEL);
    assert.equal(reply.status, 200);
    const body = await eventually(() => t.slack.responses.slice(responses)[0]?.body, 15_000, `an answer to /db ${text}`);
    return JSON.stringify(body);
  };

  /** Submits a change through the modal: it must be refused in the modal, stored nowhere, and leave Prod as it was. */
  const refusedChange = async (type: "schema" | "data", sql: string): Promise<string> => {
    const { reply, requestKey } = await submitChangeForm(t, DEVELOPER, { database: dbTest, type, sql, description: "attack" });
    assert.equal(reply.status, 200);
    const answer = JSON.parse(reply.body || "{}") as { response_action?: string; errors?: Record<string, string> };
    assert.equal(answer.response_action, "errors", `the modal accepted: ${sql}`);
    await t.sluice.services.workflow.idle();
    assert.equal(await t.sluice.store.prisma.change.findUnique({ where: { requestKey } }), null, `a change was stored for: ${sql}`);
    assert.equal(await prodState(), prodBefore, `Prod changed after: ${sql}`);
    return Object.values(answer.errors ?? {}).join(" ");
  };

  before(async () => {
    dbTest = await createMysqlDatabase("bnd_test");
    dbProd = await createMysqlDatabase("bnd_prod");
    await onMysql(dbTest, SCHEMA);
    await onMysql(dbProd, `${SCHEMA} INSERT INTO t1 VALUES (1, 'prod-secret-value');`);
    prodBefore = await prodState();
    t = await startTestSluice({ yaml: boundaryYaml(dbTest, dbProd) });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(dbTest);
    await dropMysqlDatabase(dbProd);
  });

  test("the issue's Test change `UPDATE db_prod.scratch SET x = 666 WHERE id = 2` is refused before anything runs", async () => {
    const message = await refusedChange("data", `UPDATE ${dbProd}.scratch SET x = 666 WHERE id = 2`);
    assert.match(message, new RegExp(`Line 1: \`${dbProd}\\.scratch\` names database \`${dbProd}\`\\. A change for ${dbTest} may reference only database ${dbTest} \\(Test\\)`));
  });

  test("the issue's Test schema change `ALTER TABLE db_prod.t1 ADD COLUMN pwned int` is refused", async () => {
    const message = await refusedChange("schema", `ALTER TABLE ${dbProd}.t1 ADD COLUMN pwned int`);
    assert.match(message, new RegExp(`names database \`${dbProd}\``));
  });

  test("variants: quoting, comments and spacing between the names, INSERT … SELECT, subqueries, joins, USE, views, triggers, routines", async () => {
    const variants: Array<["schema" | "data", string]> = [
      ["data", `UPDATE \`${dbProd}\`.\`scratch\` SET x = 666 WHERE id = 2`],
      ["data", `UPDATE ${dbProd}/* between */./* the names */scratch SET x = 666 WHERE id = 2`],
      ["data", `UPDATE ${dbProd} . scratch SET x = 666 WHERE id = 2`],
      ["data", `UPDATE ${dbProd} -- a comment\n.scratch SET x = 666 WHERE id = 2`],
      ["data", `/*!40000 UPDATE ${dbProd}.scratch SET x = 666 WHERE id = 2 */`],
      ["data", `INSERT INTO ${dbProd}.scratch SELECT id + 10, x FROM scratch`],
      ["data", `INSERT INTO t1 SELECT id, secret FROM ${dbProd}.t1`],
      ["data", `UPDATE scratch SET x = (SELECT COUNT(*) FROM ${dbProd}.t1) WHERE id = 1`],
      ["data", `UPDATE scratch s JOIN ${dbProd}.scratch p ON p.id = s.id SET p.x = 666`],
      ["data", `DELETE p FROM scratch s JOIN ${dbProd}.scratch p ON p.id = s.id`],
      ["data", `USE ${dbProd}; UPDATE scratch SET x = 666 WHERE id = 2`],
      ["data", `PREPARE s FROM 'UPDATE ${dbProd}.scratch SET x = 666 WHERE id = 2'; EXECUTE s`],
      ["schema", `CREATE VIEW leak AS SELECT * FROM ${dbProd}.t1`],
      ["schema", `CREATE TRIGGER pwn AFTER INSERT ON scratch FOR EACH ROW UPDATE ${dbProd}.scratch SET x = 666 WHERE id = 2`],
      ["schema", `CREATE PROCEDURE pwn() BEGIN UPDATE ${dbProd}.scratch SET x = 666 WHERE id = 2; END`],
      ["schema", `CREATE TRIGGER pwn BEFORE INSERT ON ${dbProd}.scratch FOR EACH ROW SET NEW.x = 666`],
      ["schema", `CREATE TABLE copy LIKE ${dbProd}.t1`],
      ["schema", `RENAME TABLE ${dbProd}.t1 TO stolen`],
      ["schema", `DROP DATABASE ${dbProd}`],
    ];
    for (const [type, sql] of variants) {
      const message = await refusedChange(type, sql);
      assert.match(message, new RegExp(`${dbProd}|USE|PREPARE`), `no clear reason for ${sql}: ${message}`);
    }
  });

  test("a Test-only approver's `/db admin db_test UPDATE db_prod.scratch …` is refused and Prod is unchanged; on db_test itself it runs", async () => {
    for (const sql of [`UPDATE ${dbProd}.scratch SET x = 666 WHERE id = 2`, `USE ${dbProd}; UPDATE scratch SET x = 666 WHERE id = 2`, `SELECT secret FROM ${dbProd}.t1`]) {
      const answer = await answerTo(`admin ${dbTest} ${sql}`, TEST_APPROVER);
      assert.match(answer, new RegExp(`Refused, nothing was run: Line 1: .*\\/db admin on ${dbTest} may reference only database ${dbTest}`));
      assert.doesNotMatch(answer, /prod-secret-value/);
      assert.equal(await prodState(), prodBefore, `Prod changed after /db admin ${sql}`);
    }
    const answer = await answerTo(`admin ${dbTest} UPDATE scratch SET x = 7 WHERE id = 1`, TEST_APPROVER);
    assert.match(answer, /1 row affected/);
    assert.deepEqual(await onMysql(dbTest, "SELECT x FROM scratch WHERE id = 1"), [{ x: 7 }]);
  });

  test("`/db query db_test` reads db_test only: another database, mysql.*, information_schema and USE are refused", async () => {
    for (const sql of [
      `SELECT * FROM ${dbProd}.t1`,
      `SELECT s.secret FROM t1 JOIN \`${dbProd}\`.t1 s USING (id)`,
      `SELECT * FROM t1 WHERE id IN (SELECT id FROM ${dbProd}.t1 WHERE secret LIKE 'p%')`,
      "SELECT User, Password FROM mysql.user",
      `SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${dbProd}'`,
      `SHOW TABLES FROM ${dbProd}`,
      "SHOW DATABASES",
      `USE ${dbProd}`,
    ]) {
      const answer = await answerTo(`query ${dbTest} ${sql}`, DEVELOPER);
      assert.match(answer, /Refused, nothing was run/, `not refused: ${sql}`);
      assert.doesNotMatch(answer, /prod-secret-value|\*[0-9A-F]{40}/, `Prod data in the answer to ${sql}`);
    }
    const mine = await answerTo(`query ${dbTest} SELECT DATABASE() AS current_database`, DEVELOPER);
    assert.ok(mine.includes(dbTest), "the session does not open with the queried database as its default database");
  });

  test("/db review of such SQL says it would be refused, as an error-level finding", async () => {
    const messages = t.slack.messages.length;
    await t.send.command(`review ${dbTest} UPDATE ${dbProd}.scratch SET x = 666 WHERE id = 2`, DEVELOPER, CHANNEL);
    const review = await eventually(() => t.slack.messages.slice(messages).find((m) => m.visibleTo === DEVELOPER.id), 15_000, "the review");
    const text = JSON.stringify(review.blocks ?? review.text);
    assert.match(text, /1 error/);
    assert.match(text, new RegExp(`\`${dbProd}\\.scratch\` names database \`${dbProd}\`: SQL for ${dbTest} may reference only database ${dbTest}`));
    assert.equal(await prodState(), prodBefore);
  });

  test("checked again right before running: a change whose stored SQL names another database fails, and nothing runs", async () => {
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: dbProd, type: "data", sql: "UPDATE scratch SET x = 3 WHERE id = 1", description: "ordinary" });
    await waitForPosted(t, change.key, "awaiting_approval");
    // As if stored by an earlier version, or edited in the store: the boundary does not rest on the submission alone.
    await t.sluice.store.prisma.statement.updateMany({ where: { changeId: change.id }, data: { sql: `UPDATE ${dbTest}.scratch SET x = 666 WHERE id = 2` } });
    const testBefore = await onMysql(dbTest, "SELECT id, x FROM scratch ORDER BY id");
    await clickOnChange(t, PROD_APPROVER, change, "change.approve");
    const failed = await waitForStatus(t, change.key, "failed");
    assert.match(failed.executions.at(-1)?.error ?? "", new RegExp(`Refused before running: Line 1: \`${dbTest}\\.scratch\` names database \`${dbTest}\``));
    assert.deepEqual(await onMysql(dbTest, "SELECT id, x FROM scratch ORDER BY id"), testBefore);
    assert.deepEqual(await onMysql(dbProd, "SELECT x FROM scratch WHERE id = 1"), [{ x: 1 }]);
  });

  test("/db newdb offers only the instance/environment pairs sluice.yml allows, and a forged pair is refused", async () => {
    const view = await openModal(t, DEVELOPER, "newdb planted", "newdb.submit");
    const blocks = JSON.stringify(view.view.blocks);
    const choice = (instance: string, environment: string) => JSON.stringify(JSON.stringify([instance, environment, "TAR"])).slice(1, -1);
    assert.ok(blocks.includes(choice("maria-prod-only", "Prod")), "the Prod-only instance is offered for Prod");
    assert.ok(!blocks.includes(choice("maria-prod-only", "Test")), "a Test database is offered on the Prod-only instance");
    const name = `planted_${Date.now() % 100000}`;
    const reply = await t.send.submitView({
      user: DEVELOPER,
      view: { ...view.view, id: view.id },
      values: {
        name: { value: { type: "plain_text_input", value: name } },
        target: { value: { type: "static_select", selected_option: { value: JSON.stringify(["maria-prod-only", "Test", "TAR"]) } } },
        description: { value: { type: "plain_text_input", value: "a Test database on the Prod instance" } },
      },
    });
    assert.equal(reply.status, 200);
    const answer = JSON.parse(reply.body || "{}") as { response_action?: string; errors?: Record<string, string> };
    assert.equal(answer.response_action, "errors", "the forged pair was accepted");
    assert.match(Object.values(answer.errors ?? {}).join(" "), /Choose one of the places offered/);
    // The workflow holds the same line for any other way in.
    await assert.rejects(
      t.sluice.services.workflow.submitNewDatabase({ name, instance: "maria-prod-only", environment: "Test", project: "TAR", description: "", requesterId: DEVELOPER.id }),
      /Instance maria-prod-only does not serve Test \(it serves Prod\)/,
    );
    await t.sluice.services.workflow.idle();
    assert.equal(await t.sluice.store.prisma.change.findUnique({ where: { requestKey: `view:${view.id}` } }), null);
    assert.equal(await t.sluice.store.prisma.database.count({ where: { name } }), 0);
    assert.deepEqual(await onMysql(dbTest, `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${name}'`), []);
  });
});

describe("least privilege: a database may use an account of its own", () => {
  let t: TestSluice;
  let dbTest: string;
  let dbProd: string;
  const account = `sbnd_${process.pid}`;
  const password = `pw-${process.pid}-not-logged`;

  before(async () => {
    dbTest = await createMysqlDatabase("bnd_acct_test");
    dbProd = await createMysqlDatabase("bnd_acct_prod");
    await onMysql(dbTest, SCHEMA);
    await onMysql(dbProd, SCHEMA);
    const root = await mysql.createConnection(mysqlServer());
    try {
      await root.query(`CREATE USER '${account}'@'%' IDENTIFIED BY '${password}'`);
      await root.query(`GRANT ALL ON \`${dbTest}\`.* TO '${account}'@'%'`);
    } finally {
      await root.end();
    }
    t = await startTestSluice({ yaml: boundaryYaml(dbTest, dbProd, `, user: ${account}, passwordEnv: SBND_TEST_PASSWORD`), env: { SBND_TEST_PASSWORD: password } });
  });
  after(async () => {
    await t.stop();
    const root = await mysql.createConnection(mysqlServer());
    await root.query(`DROP USER IF EXISTS '${account}'@'%'`).finally(() => root.end());
    await dropMysqlDatabase(dbTest);
    await dropMysqlDatabase(dbProd);
  });

  test("the Test database's queries and changes run as its own account, which cannot reach Prod; the password is shown nowhere", async () => {
    const responses = t.slack.responses.length;
    await t.send.command(`query ${dbTest} SELECT CURRENT_USER() AS account`, DEVELOPER, CHANNEL);
    const answer = JSON.stringify(await eventually(() => t.slack.responses.slice(responses)[0]?.body, 15_000, "the query's answer"));
    assert.ok(answer.includes(account), `the query did not run as ${account}: ${answer}`);
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: dbTest, type: "data", sql: "UPDATE scratch SET x = 5 WHERE id = 1", description: "as its own account" });
    await waitForStatus(t, change.key, "done");
    assert.deepEqual(await onMysql(dbTest, "SELECT x FROM scratch WHERE id = 1"), [{ x: 5 }]);
    assert.ok(!JSON.stringify([t.slack.messages, t.slack.responses]).includes(password), "the account's password reached Slack");
  });
});

describe("PostgreSQL: a database is its own boundary, and what the cluster shares is refused", () => {
  let t: TestSluice;
  let pgTest: string;
  let pgProd: string;
  const exists = async (database: string) => (await onPostgres(pgTest, `SELECT 1 FROM pg_database WHERE datname = '${database}'`)).length === 1;

  before(async () => {
    pgTest = await createPostgresDatabase("bnd_pg_test");
    pgProd = await createPostgresDatabase("bnd_pg_prod");
    for (const database of [pgTest, pgProd]) await onPostgres(database, "CREATE TABLE scratch (id int PRIMARY KEY, x int); INSERT INTO scratch VALUES (1, 1), (2, 2)");
    const pg = postgresServer();
    t = await startTestSluice({
      yaml: `
environments:
  - { name: Test, tier: test, autoApprove: true }
  - { name: Prod, tier: prod, approvers: { users: [${PROD_APPROVER.id}] } }
instances:
  - { name: pg, engine: postgres, host: ${pg.host}, port: ${pg.port}, user: ${pg.user}, environments: [Test, Prod] }
projects:
  - key: TAR
    name: Target
    channel: ${CHANNEL}
    databases:
      - { name: ${pgTest}, instance: pg, environment: Test }
      - { name: ${pgProd}, instance: pg, environment: Prod }
`,
    });
  });
  after(async () => {
    await t.stop();
    await dropPostgresDatabase(pgTest);
    await dropPostgresDatabase(pgProd);
  });

  test("a Test change may not drop the Prod database, nor create a role; both are refused in the modal", async () => {
    for (const sql of [`DROP DATABASE ${pgProd}`, "CREATE ROLE sluice_boundary_evil SUPERUSER LOGIN"]) {
      const { reply, requestKey } = await submitChangeForm(t, DEVELOPER, { database: pgTest, type: "schema", sql, description: "attack" });
      const answer = JSON.parse(reply.body || "{}") as { response_action?: string; errors?: Record<string, string> };
      assert.equal(answer.response_action, "errors", `the modal accepted: ${sql}`);
      assert.match(Object.values(answer.errors ?? {}).join(" "), new RegExp(`names database \`${pgProd}\`|roles`));
      await t.sluice.services.workflow.idle();
      assert.equal(await t.sluice.store.prisma.change.findUnique({ where: { requestKey } }), null);
    }
    assert.ok(await exists(pgProd), "the Prod database was dropped");
    assert.deepEqual(await onPostgres(pgTest, "SELECT 1 FROM pg_roles WHERE rolname = 'sluice_boundary_evil'"), []);
  });

  test("psql's \\c in a Test change never reaches the server: what follows runs in the Test database only", async () => {
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: pgTest, type: "data", sql: `\\c ${pgProd}\nUPDATE scratch SET x = 666 WHERE id = 2;`, description: "connect elsewhere" });
    await waitForStatus(t, change.key, "done");
    assert.deepEqual(await onPostgres(pgProd, "SELECT x FROM scratch WHERE id = 2"), [{ x: 2 }]);
    assert.deepEqual(await onPostgres(pgTest, "SELECT x FROM scratch WHERE id = 2"), [{ x: 666 }]);
  });
});
