// Issue 3: the `/db change` modal answers invalid input in the modal itself, on the field at fault, storing
// nothing; a `.sql` file works like typed SQL; a modal submitted twice makes one change and one root message.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, changeOfRequest, DEVELOPER, slackCallCounts, slackDirectory, submitChangeForm, waitForPosted, workflowYaml, type ChangeForm } from "../support/changes.ts";
import { startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";

const MAX_STATEMENTS = 3;
const MAX_SCRIPT_BYTES = 2000;

describe("submitting a change through the modal", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_submit");
    const yaml = workflowYaml([{ name: db, engine: "mysql", environment: "Prod" }], `execution: { maxStatements: ${MAX_STATEMENTS}, maxScriptBytes: ${MAX_SCRIPT_BYTES} }\n`);
    t = await startTestSluice({ yaml, slack: slackDirectory });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  async function refused(form: Omit<ChangeForm, "database"> & { database?: string }, block: string, message: RegExp) {
    const changesBefore = await t.sluice.store.prisma.change.count();
    const posted = slackCallCounts(t)["chat.postMessage"] ?? 0;
    const { reply } = await submitChangeForm(t, DEVELOPER, { database: db, ...form });
    assert.equal(reply.status, 200);
    const answer = reply.json() as { response_action?: string; errors?: Record<string, string> };
    assert.equal(answer.response_action, "errors", `expected errors in the modal, got ${reply.body}`);
    assert.deepEqual(Object.keys(answer.errors ?? {}), [block]);
    assert.match(answer.errors![block]!, message);
    assert.equal(await t.sluice.store.prisma.change.count(), changesBefore, "nothing is stored");
    assert.equal(slackCallCounts(t)["chat.postMessage"] ?? 0, posted, "nothing is posted");
  }

  test("an unknown database is answered on the database field", () =>
    refused({ database: "no_such_db", type: "schema", sql: "CREATE TABLE x (id INT PRIMARY KEY)" }, "database", /no_such_db/));

  test("no database (a client that sends the form without one) is answered with what to do, not 'Unknown database \"\"'", () =>
    refused({ database: "", type: "schema", sql: "CREATE TABLE x (id INT PRIMARY KEY)" }, "database", /^Choose a database: /));

  test("empty SQL is answered on the SQL field", () => refused({ type: "schema", sql: "   " }, "sql", /Enter the SQL/));

  test("a schema change with DML is answered on the SQL field", () =>
    refused({ type: "schema", sql: "CREATE TABLE x (id INT PRIMARY KEY);\nDELETE FROM x WHERE id = 1;" }, "sql", /Line 2: .*changes data \(DML\).*Submit it as a data change/));

  test("a data change with DDL is answered on the SQL field", () =>
    refused({ type: "data", sql: "DROP TABLE x" }, "sql", /Line 1: .*changes the schema \(DDL\).*Submit it as a schema change/));

  test("more statements than execution.maxStatements", () =>
    refused(
      { type: "data", sql: Array.from({ length: MAX_STATEMENTS + 1 }, (_, i) => `UPDATE x SET v = ${i} WHERE id = ${i};`).join("\n") },
      "sql",
      new RegExp(`${MAX_STATEMENTS + 1} statements; the limit is ${MAX_STATEMENTS}`),
    ));

  test("a script larger than execution.maxScriptBytes", () =>
    refused({ type: "data", sql: `UPDATE x SET v = '${"a".repeat(MAX_SCRIPT_BYTES)}' WHERE id = 1` }, "sql", /bytes; the limit is 2,000/));

  test("a .sql file larger than execution.maxScriptBytes is answered on the file field", () => {
    const file = t.slack.addUserFile("big.sql", `UPDATE x SET v = '${"a".repeat(MAX_SCRIPT_BYTES)}' WHERE id = 1`);
    return refused({ type: "data", fileId: file.id }, "file", /big\.sql is .* bytes; the limit is 2,000/);
  });

  test("both SQL and a file is answered on the file field", () => {
    const file = t.slack.addUserFile("both.sql", "CREATE TABLE y (id INT PRIMARY KEY)");
    return refused({ type: "schema", sql: "CREATE TABLE x (id INT PRIMARY KEY)", fileId: file.id }, "file", /not both/);
  });

  test("a .sql file via file_input becomes the change's SQL", async () => {
    const script = "CREATE TABLE from_file (\n  id INT NOT NULL,\n  PRIMARY KEY (id)\n) ENGINE=InnoDB;\n";
    const file = t.slack.addUserFile("from_file.sql", script);
    const { reply, requestKey } = await submitChangeForm(t, DEVELOPER, { database: db, type: "schema", fileId: file.id, description: "from a file" });
    assert.equal(reply.body, "");
    const change = await changeOfRequest(t, requestKey);
    const posted = await waitForPosted(t, change.key, "awaiting_approval");
    assert.equal(posted.sql, script.trim());
    assert.equal(posted.statements.length, 1);
    assert.match(posted.statements[0]!.sql, /CREATE TABLE from_file/);
  });

  test("a modal submitted twice (one after the other, and at once) makes one change and one root message", async () => {
    for (const when of ["sequential", "concurrent"] as const) {
      const before = await t.sluice.store.prisma.change.count();
      const form = { database: db, type: "schema" as const, sql: `CREATE TABLE twice_${when} (id INT PRIMARY KEY)` };
      const { reply, requestKey, resubmit } = await submitChangeForm(t, DEVELOPER, form);
      const second = when === "sequential" ? await (async () => (await changeOfRequest(t, requestKey), resubmit()))() : await resubmit();
      assert.equal(reply.body, "");
      assert.equal(second.status, 200);
      assert.equal(second.body, "", "the second submission closes the modal too");
      const change = await changeOfRequest(t, requestKey);
      await waitForPosted(t, change.key, "awaiting_approval");
      await t.sluice.services.workflow.idle();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await t.sluice.store.prisma.change.count(), before + 1, `${when}: one change`);
      assert.equal(t.slack.channelMessages(CHANNEL).filter((m) => m.text.startsWith(`${change.key}:`)).length, 1, `${when}: one root message`);
      assert.equal(t.slack.messages.filter((m) => m.visibleTo === DEVELOPER.id && m.text.includes(`Submitted *${change.key}*`)).length, 1, `${when}: one confirmation`);
    }
  });
});
