// Rollback end to end through Slack (the seed tutorial's step 7), on both engines, and on a MySQL without a binlog
// (prior backup): "Preview rollback" on a done data change, an approver approves the rollback, the rollback of the
// rollback, a rollback refused because a row changed since and forced by an approver, and a MySQL change that runs
// without rollback and says why.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import mysql from "mysql2/promise";
import pg from "pg";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import { FORCE_ROLLBACK_MODAL } from "../../src/slack/blocks/change-modal.ts";
import type { ChangeDetail } from "../../src/store/changes.ts";
import { APPROVER, CHANNEL, clickOnChange, type ChangeAccount, DEVELOPER, ephemeralTo, slackDirectory, submitChangeThroughModal, waitForStatus, workflowYaml } from "../support/changes.ts";
import {
  createMysqlDatabase,
  createPostgresDatabase,
  dropMysqlDatabase,
  dropPostgresDatabase,
  mysqlServer,
  noBinlogMysqlServer,
  postgresServer,
  type ServerAddress,
} from "../support/servers.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";

type Engine = "mysql" | "postgres";

/** One connection to the target database, as a person with a SQL client would change it behind Sluice's back. */
interface Target {
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

async function openTarget(engine: Engine, database: string, server: ServerAddress): Promise<Target> {
  if (engine === "mysql") {
    const connection = await mysql.createConnection({ ...server, database });
    return { rows: async (sql) => (await connection.query(sql))[0] as Array<Record<string, unknown>>, close: () => connection.end() };
  }
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  return { rows: async (sql) => (await client.query(sql)).rows, close: () => client.end() };
}

function rootMessage(t: TestSluice, change: { slackTs: string | null }) {
  const root = t.slack.channelMessages(CHANNEL).find((m) => m.ts === change.slackTs);
  assert.ok(root, "the change has a root message");
  return root;
}

function buttonsOf(t: TestSluice, change: { slackTs: string | null }): string[] {
  const actions = rootMessage(t, change).blocks.filter((b) => (b as { type: string }).type === "actions") as Array<{ elements: Array<{ action_id: string }> }>;
  return actions.flatMap((block) => block.elements.map((element) => element.action_id));
}

/** Clicks "Preview rollback" on a done change and returns the rollback change it created. */
async function previewRollback(t: TestSluice, source: ChangeDetail): Promise<ChangeAccount> {
  assert.ok(buttonsOf(t, source).includes(CHANGE_ACTIONS.previewRollback), `${source.key} offers "Preview rollback"`);
  const reply = await clickOnChange(t, DEVELOPER, source, CHANGE_ACTIONS.previewRollback);
  assert.equal(reply.status, 200);
  const link = await eventually(
    () => t.sluice.store.prisma.rollback.findFirst({ where: { sourceChangeId: source.id }, orderBy: { id: "desc" } }).then((r) => r ?? undefined),
    10_000,
    `the rollback of ${source.key}`,
  );
  const posted = await eventually(
    () => t.sluice.store.prisma.change.findUnique({ where: { id: link.rollbackChangeId } }).then((c) => (c?.slackTs ? c : undefined)),
    10_000,
    "the rollback's root message",
  );
  const rollback = await waitForStatus(t, posted.key, "awaiting_approval");
  // The review is the last thing Sluice posts for a new change: nothing is left in flight when the test moves on.
  const review = await eventually(() => t.slack.thread(CHANNEL, rollback.slackTs!).find((m) => m.text.includes(`Review of ${rollback.key}`)), 10_000, `the review of ${rollback.key}`);
  if (JSON.stringify(review.blocks).includes("the full report is attached")) {
    await eventually(() => t.slack.thread(CHANNEL, rollback.slackTs!).some((m) => m.files.some((f) => f.name === `${rollback.key}-review.txt`)), 10_000, "the review report");
  }
  assert.match(JSON.stringify(review.blocks), /Written by Sluice, one statement per row/, "the review says the rollback is Sluice's own statements, not linted one by one");
  assert.equal(rollback.type, "rollback");
  assert.equal(rollback.rollbackOf?.key, source.key);
  return rollback;
}

/** Clicks a button as `user` and returns the next message only they see (Sluice's answer to the click). */
async function answerToClick(t: TestSluice, user: { id: string }, change: ChangeDetail, actionId: string): Promise<string> {
  const before = ephemeralTo(t, user.id).length;
  assert.equal((await clickOnChange(t, user, change, actionId)).status, 200);
  return eventually(() => ephemeralTo(t, user.id)[before], 5000, `the answer to ${user.id}'s click on ${actionId}`);
}

async function approve(t: TestSluice, change: ChangeDetail, status: "done" | "failed" = "done"): Promise<ChangeAccount> {
  assert.ok(buttonsOf(t, change).includes(CHANGE_ACTIONS.approve), `${change.key} offers "Approve"`);
  await clickOnChange(t, APPROVER, change, CHANGE_ACTIONS.approve);
  return waitForStatus(t, change.key, status);
}

/** The workflow's sluice.yml with one Test database on the MariaDB whose binlog is off. */
function noBinlogYaml(database: string): string {
  const server = noBinlogMysqlServer();
  return workflowYaml([])
    .replace("instances:\n", `instances:\n  - { name: nobinlog, engine: mysql, host: ${server.host}, port: ${server.port}, user: ${server.user} }\n`)
    .replace("      []\n", `      - { name: ${database}, instance: nobinlog, environment: Test }\n`);
}

const variants = [
  { label: "mysql", engine: "mysql", server: mysqlServer },
  { label: "mysql without binlog (prior backup)", engine: "mysql", server: noBinlogMysqlServer },
  { label: "postgres", engine: "postgres", server: postgresServer },
] as const;

for (const { label, engine, server } of variants) {
  describe(`rollback through Slack on ${label}`, () => {
    let database: string;
    let t: TestSluice;
    let target: Target;
    const names = async (): Promise<string[]> => (await target.rows("SELECT name FROM t1 ORDER BY id")).map((row) => String(row.name));

    before(async () => {
      database = engine === "mysql" ? await createMysqlDatabase("rb_slack", server()) : await createPostgresDatabase("rb_slack");
      target = await openTarget(engine, database, server());
      await target.rows("CREATE TABLE t1 (id INT NOT NULL PRIMARY KEY, name VARCHAR(100))");
      await target.rows("INSERT INTO t1 (id, name) VALUES (1, 'Adela')");
      const yaml = server === noBinlogMysqlServer ? noBinlogYaml(database) : workflowYaml([{ name: database, engine, environment: "Test" }]);
      t = await startTestSluice({ yaml, slack: slackDirectory });
    });
    after(async () => {
      await t?.stop();
      await target?.close();
      await (engine === "mysql" ? dropMysqlDatabase(database, server()) : dropPostgresDatabase(database));
    });

    if (engine === "mysql") {
      test("before anyone approves, the review says when a data change would have no rollback here, and why", async () => {
        // A multi-table UPDATE: the binlog records it like any other; a prior backup cannot select its rows up front.
        const sql = "UPDATE t1 JOIN t1 AS o ON o.id = t1.id SET t1.name = 'x' WHERE t1.id = 99";
        const change = await submitChangeThroughModal(t, DEVELOPER, { database, type: "data", sql });
        const posted = await eventually(() => t.sluice.store.prisma.change.findUnique({ where: { id: change.id } }).then((c) => (c?.slackTs ? c : undefined)), 10_000, "the root message");
        const review = await eventually(() => t.slack.thread(CHANNEL, posted.slackTs!).find((m) => m.text.includes(`Review of ${change.key}`)), 10_000, `the review of ${change.key}`);
        const findings = await t.sluice.store.prisma.finding.findMany({ where: { review: { changeId: change.id }, ruleId: "system.rollback.unavailable" } });
        if (server === noBinlogMysqlServer) {
          assert.equal(findings.length, 1);
          assert.equal(findings[0]!.level, "warning");
          assert.match(findings[0]!.message, /^If it runs as it is, this change will have no one-click rollback: rollback is unavailable: statement 1 cannot be backed up: a multi-table UPDATE is not supported/);
          assert.match(JSON.stringify(review.blocks), /no one-click rollback/);
        } else {
          assert.deepEqual(findings, [], "the binlog records a multi-table UPDATE");
        }
        const done = await waitForStatus(t, change.key, "done");
        assert.equal(done.executions.at(-1)!.rollbackRows === null, server === noBinlogMysqlServer, "the run bears the review out");

        if (server !== noBinlogMysqlServer) return;
        // What the backup reads of a table's catalog counts too: an UPDATE of a table without a key.
        await target.rows("CREATE TABLE nokey (v INT)");
        const keyless = await submitChangeThroughModal(t, DEVELOPER, { database, type: "data", sql: "UPDATE nokey SET v = 1 WHERE v = 0" });
        const [warned] = await eventually(() => t.sluice.store.prisma.finding.findMany({ where: { review: { changeId: keyless.id }, ruleId: "system.rollback.unavailable" } }).then((f) => (f.length > 0 ? f : undefined)), 10_000, "the warning");
        assert.match(warned!.message, /rollback is unavailable: statement 1 updates `[^`]+`\.`nokey`, which has no primary key or unique NOT NULL key to find its rows again\.$/);
        await waitForStatus(t, keyless.key, "done");
      });
    }

    test("step 7: Bella is inserted, rolled back with an approver's approval, and the rollback rolled back brings her back", async () => {
      const insert = await submitChangeThroughModal(t, DEVELOPER, { database, type: "data", sql: "INSERT INTO t1 (id, name) VALUES (2, 'Bella')" });
      const done = await waitForStatus(t, insert.key, "done");
      assert.deepEqual(await names(), ["Adela", "Bella"]);

      const rollback = await previewRollback(t, done);
      const shown = JSON.stringify(rootMessage(t, rollback).blocks);
      assert.match(shown, /DELETE FROM/, "the rollback's SQL is in its root message");
      assert.match(shown, /Bella/);
      assert.match(shown, new RegExp(`rolls back ${done.key}`));
      assert.deepEqual(await names(), ["Adela", "Bella"], "a previewed rollback does not run by itself");

      const again = await answerToClick(t, DEVELOPER, done, CHANGE_ACTIONS.previewRollback);
      assert.equal(again, `The rollback is already prepared as ${rollback.key}.`);

      assert.equal(await answerToClick(t, DEVELOPER, rollback, CHANGE_ACTIONS.approve), "Only approvers of Test can decide this change.");
      assert.equal((await t.sluice.store.prisma.change.findUniqueOrThrow({ where: { id: rollback.id } })).status, "awaiting_approval", "a developer cannot approve a rollback");

      const rolledBack = await approve(t, rollback);
      assert.deepEqual(await names(), ["Adela"], "Bella is gone, Adela stays");
      assert.equal(rolledBack.executions.at(-1)!.results[0]!.rowsAffected, 1);

      const rollbackOfRollback = await previewRollback(t, rolledBack);
      assert.match(JSON.stringify(rootMessage(t, rollbackOfRollback).blocks), /INSERT INTO/);
      await approve(t, rollbackOfRollback);
      assert.deepEqual(await names(), ["Adela", "Bella"], "rolling back the rollback brings Bella back");
    });

    test("a row changed since makes the rollback fail with that row listed; an approver forces it, a developer cannot", async () => {
      const update = await submitChangeThroughModal(t, DEVELOPER, { database, type: "data", sql: "UPDATE t1 SET name = 'Cara' WHERE id = 1" });
      const done = await waitForStatus(t, update.key, "done");
      await target.rows("UPDATE t1 SET name = 'Dora' WHERE id = 1");

      const rollback = await previewRollback(t, done);
      const failed = await approve(t, rollback, "failed");
      const error = failed.executions.at(-1)!.error ?? "";
      assert.match(error, /1 row\(s\) changed since/);
      assert.match(error, /statement 1: the row was changed or removed since: UPDATE/);
      assert.match(JSON.stringify(rootMessage(t, failed).blocks), /changed since/, "the root message shows the changed rows");
      assert.deepEqual(await names(), ["Dora", "Bella"], "nothing was rolled back");

      const buttons = buttonsOf(t, failed);
      assert.ok(buttons.includes(CHANGE_ACTIONS.forceRollback), 'the failed rollback offers "Force rollback…"');
      const viewsBefore = t.slack.views.length;
      assert.equal(await answerToClick(t, DEVELOPER, failed, CHANGE_ACTIONS.forceRollback), "Only approvers of Test can decide this change.");
      assert.equal(t.slack.views.length, viewsBefore, "no modal opens for a developer");

      await clickOnChange(t, APPROVER, failed, CHANGE_ACTIONS.forceRollback);
      const modal = await eventually(() => t.slack.views.slice(viewsBefore).find((v) => v.view.callback_id === FORCE_ROLLBACK_MODAL), 5000, "the reason modal");
      const submit = (reason: string) =>
        t.send.submitView({ user: APPROVER, view: { ...modal.view, id: modal.id }, values: { reason: { value: { type: "plain_text_input", value: reason } } } });
      const tooShort = await submit("ok");
      assert.match(tooShort.body, /response_action.*errors/, "a reason is required");
      assert.equal((await submit("Dora was a typo made by the support desk")).status, 200);

      const forced = await waitForStatus(t, failed.key, "done");
      assert.deepEqual(await names(), ["Adela", "Bella"], "the forced rollback restores the row over the later change");
      assert.ok(forced.approvals.some((a) => a.decision === "override" && a.userId === APPROVER.id && /typo/.test(a.reason)));
      assert.ok(!/changed since/.test(forced.sql) && !forced.sql.includes("<=>") && !forced.sql.includes("IS NOT DISTINCT FROM"), "the forced script is keyed by the row's key only");
    });

    test("a long rollback script is posted as a file in the rollback's thread", async () => {
      const values = Array.from({ length: 150 }, (_, i) => `(${100 + i}, 'guest number ${100 + i}')`).join(", ");
      const insert = await submitChangeThroughModal(t, DEVELOPER, { database, type: "data", sql: `INSERT INTO t1 (id, name) VALUES ${values}` });
      const done = await waitForStatus(t, insert.key, "done");
      const rollback = await previewRollback(t, done);
      assert.equal(rollback.statements.length, 150);
      const file = await eventually(() => t.slack.thread(CHANNEL, rollback.slackTs!).flatMap((m) => m.files).find((f) => f.name === `${rollback.key}.sql`), 5000, "the script file");
      assert.equal(file.content.toString("utf8"), rollback.sql);
      assert.match(JSON.stringify(rootMessage(t, rollback).blocks), /the whole script is in the thread/);
    });
  });
}

describe("a MySQL change where rollback is unavailable", () => {
  const user = `sluice_norepl_${process.pid}`;
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  let database: string;
  let t: TestSluice;
  let admin: mysql.Connection;

  before(async () => {
    database = await createMysqlDatabase("rb_norepl");
    admin = await mysql.createConnection({ ...mysqlServer(), database });
    await admin.query("CREATE TABLE t1 (id INT NOT NULL PRIMARY KEY, name VARCHAR(100))");
    await admin.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [user, password]);
    await admin.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO ?@'%'`, [user]);
    const server = mysqlServer();
    const yaml = workflowYaml([]).replace(
      "instances:\n",
      `instances:\n  - { name: norepl, engine: mysql, host: ${server.host}, port: ${server.port}, user: ${user}, passwordEnv: NOREPL_PASSWORD }\n`,
    );
    t = await startTestSluice({
      yaml: `${yaml}      - { name: ${database}, instance: norepl, environment: Test }\n`.replace("      []\n", ""),
      env: { NOREPL_PASSWORD: password },
      slack: slackDirectory,
    });
  });
  after(async () => {
    await t?.stop();
    await admin?.query("DROP USER IF EXISTS ?@'%'", [user]);
    await admin?.end();
    await dropMysqlDatabase(database);
  });

  test("a user without replication privileges: the change runs, and its root message says why there is no rollback and how to enable it", async () => {
    const insert = await submitChangeThroughModal(t, DEVELOPER, { database, type: "data", sql: "INSERT INTO t1 (id, name) VALUES (2, 'Bella')" });
    const done = await waitForStatus(t, insert.key, "done");
    assert.equal(done.executions.at(-1)!.results[0]!.rowsAffected, 1);
    const [rows] = await admin.query("SELECT name FROM t1");
    assert.deepEqual((rows as Array<{ name: string }>).map((r) => r.name), ["Bella"]);

    const [warned] = await t.sluice.store.prisma.finding.findMany({ where: { review: { changeId: insert.id }, ruleId: "system.rollback.unavailable" } });
    assert.match(warned?.message ?? "", /no one-click rollback: rollback is unavailable: the user Sluice connects as lacks REPLICATION SLAVE and REPLICATION CLIENT/, "the review said so before the run");
    const shown = JSON.stringify(rootMessage(t, done).blocks);
    assert.match(shown, /rollback is unavailable: the user Sluice connects as lacks REPLICATION SLAVE and REPLICATION CLIENT/);
    assert.match(shown, /To enable it: GRANT REPLICATION SLAVE, REPLICATION CLIENT ON \*\.\* TO the Sluice user/);
    assert.ok(!buttonsOf(t, done).includes(CHANGE_ACTIONS.previewRollback), "no Preview rollback without a rollback");
    assert.ok(!shown.includes(password), "the password never shows");
  });
});
