// The seed tutorial in a Test environment, end to end through Slack: create db_demo, create table t1,
// insert Adela, and read the history with the table's schema diff. On both engines.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import pg from "pg";
import { CHANNEL, DEVELOPER, lastOpenedView, slackDirectory, submitChangeThroughModal, waitForStatus, workflowYaml, openModal, changeOfRequest } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../support/servers.ts";

for (const engine of ["mysql", "postgres"] as const) {
  describe(`the seed tutorial on ${engine}`, () => {
    const dbName = `db_demo_${engine}_${process.pid}_${Math.random().toString(36).slice(2, 6)}`;
    let t: TestSluice;
    before(async () => {
      t = await startTestSluice({ yaml: workflowYaml([]), slack: slackDirectory });
    });
    after(async () => {
      await t.stop();
      await (engine === "mysql" ? dropMysqlDatabase(dbName) : dropPostgresDatabase(dbName));
    });

    test("step 4: /db newdb creates the database through the workflow and registers it", async () => {
      const view = await openModal(t, DEVELOPER, `newdb ${dbName}`, "newdb.submit");
      // The option the form offers for this instance, environment and project.
      const offered = (view.view.blocks as Array<{ block_id?: string; element?: { options?: Array<{ text: { text: string }; value: string }> } }>).find((b) => b.block_id === "target")!.element!.options!;
      const target = offered.find((o) => o.text.text === `${engine === "mysql" ? "maria" : "pg"} · Test · TAR`)!.value;
      const reply = await t.send.submitView({
        user: DEVELOPER,
        view: { ...view.view, id: view.id },
        values: {
          name: { value: { type: "plain_text_input", value: dbName } },
          target: { value: { type: "static_select", selected_option: { value: target } } },
          description: { value: { type: "plain_text_input", value: "the demo database" } },
        },
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.body, "", "a valid submission closes the modal");
      const change = await changeOfRequest(t, `view:${view.id}`);
      const done = await waitForStatus(t, change.key, "done");
      assert.equal(done.type, "create_database");
      assert.ok(t.sluice.services.registry.databases.some((d) => d.name === dbName), "the new database is registered");
      const root = t.slack.channelMessages(CHANNEL).find((m) => m.ts === done.slackTs);
      assert.match(root?.text ?? "", /Done/);
    });

    test("step 5: a schema change creates t1(id, name)", async () => {
      const sql =
        engine === "mysql"
          ? "CREATE TABLE t1 (id INT NOT NULL, name VARCHAR(100), PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
          : "CREATE TABLE t1 (id INT NOT NULL PRIMARY KEY, name VARCHAR(100))";
      const change = await submitChangeThroughModal(t, DEVELOPER, { database: dbName, type: "schema", sql, description: "create t1" });
      const done = await waitForStatus(t, change.key, "done");
      assert.equal(done.statements[0]!.status, "done");
      const review = t.slack.thread(CHANNEL, done.slackTs!).find((m) => /Review of/.test(m.text));
      assert.ok(review, "the review is posted in the thread");
    });

    test("step 6: a data change inserts (1, 'Adela')", async () => {
      const change = await submitChangeThroughModal(t, DEVELOPER, { database: dbName, type: "data", sql: "INSERT INTO t1 (id, name) VALUES (1, 'Adela')" });
      const done = await waitForStatus(t, change.key, "done");
      assert.equal(done.executions.at(-1)!.results[0]!.rowsAffected, 1);
      const names = await selectNames(engine, dbName);
      assert.deepEqual(names, ["Adela"]);
    });

    test("the history shows all three, and View change shows t1's schema diff", async () => {
      await t.send.command(`history ${dbName}`, DEVELOPER, CHANNEL);
      const history = await eventually(() => t.slack.messages.find((m) => m.visibleTo === DEVELOPER.id && /History of/.test(m.text)));
      const entries = JSON.stringify(history.blocks);
      assert.match(entries, /Create database/);
      assert.match(entries, /Schema change/);
      assert.match(entries, /Data change/);
      const schemaChange = await t.sluice.store.prisma.change.findFirstOrThrow({ where: { type: "schema", database: { name: dbName } } });
      await t.send.click({ user: DEVELOPER, channel: CHANNEL, messageTs: history.ts, actionId: "change.view", value: String(schemaChange.id) });
      const detail = await eventually(() => t.slack.views.find((v) => v.view.callback_id === "change.view"));
      const text = JSON.stringify(detail.view.blocks);
      assert.match(text, /Schema diff/);
      assert.match(text, /\+table (public\.)?t1/);
      assert.match(text, /\+ {2}column name/);
      assert.equal(lastOpenedView(t).id, detail.id);
    });
  });
}

async function selectNames(engine: "mysql" | "postgres", database: string): Promise<string[]> {
  if (engine === "mysql") {
    const conn = await mysql.createConnection({ ...mysqlServer(), database });
    try {
      const [rows] = await conn.query("SELECT name FROM t1 ORDER BY id");
      return (rows as Array<{ name: string }>).map((r) => r.name);
    } finally {
      await conn.end();
    }
  }
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    return (await client.query<{ name: string }>("SELECT name FROM t1 ORDER BY id")).rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}
