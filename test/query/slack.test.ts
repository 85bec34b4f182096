// /db query and /db admin end to end: signed requests through the real Bolt receiver, answers recorded by the local Slack.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { commandAnswer, eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { APPROVER, DEVELOPER, fixtureDatabases, runAsOwner, submitQueryModalToThread, worldYaml } from "./support.ts";
import { dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";

const CHANNEL = "CQUERY";

describe("/db query and /db admin through Slack", () => {
  let t: TestSluice;
  let mysqlDatabase: string;
  let postgresDatabase: string;

  const answerTo = (text: string, user: string) => commandAnswer(t, text, user, CHANNEL);

  before(async () => {
    ({ mysqlDatabase, postgresDatabase } = await fixtureDatabases());
    t = await startTestSluice({ yaml: worldYaml(mysqlDatabase, postgresDatabase).replace("rowLimit: 50", "rowLimit: 500") });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(mysqlDatabase);
    await dropPostgresDatabase(postgresDatabase);
  });

  test("/db query <database> <SQL> answers ephemerally with an aligned, masked table", async () => {
    const body = await answerTo(`query ${mysqlDatabase} SELECT id, name, email FROM users ORDER BY id`, DEVELOPER);
    assert.equal(body.response_type, "ephemeral");
    const text = JSON.stringify(body.blocks);
    assert.match(text, /2 rows/);
    assert.match(text, /Ada/);
    assert.match(text, /masked: `email`/);
    assert.ok(!text.includes("ada@example.com"));
  });

  test("a refused query is answered with the reason, ephemerally", async () => {
    const body = await answerTo(`query ${mysqlDatabase} DELETE FROM users`, DEVELOPER);
    assert.equal(body.response_type, "ephemeral");
    assert.match(String(body.text), /Refused, nothing was run: `DELETE` writes data/);
  });

  test("an unknown database is answered with the known ones", async () => {
    const body = await answerTo("query nosuchdb SELECT 1", DEVELOPER);
    assert.match(String(body.text), /Unknown database "nosuchdb"\. Known databases: /);
  });

  test("/db admin is refused for a non-approver, and nothing runs", async () => {
    const body = await answerTo(`admin ${mysqlDatabase} UPDATE users SET name = 'Eve' WHERE id = 1`, DEVELOPER);
    assert.equal(body.response_type, "ephemeral");
    assert.match(String(body.text), /Only approvers of Test can use \/db admin/);
    assert.deepEqual(await runAsOwner("mysql", mysqlDatabase, "SELECT name FROM users WHERE id = 1"), [{ name: "Ada" }]);
  });

  test("/db admin runs an approver's script and reports rows affected and results; it is audited", async () => {
    const body = await answerTo(`admin ${postgresDatabase} UPDATE users SET name = 'Eve' WHERE id = 1; SELECT name FROM users ORDER BY id`, APPROVER);
    const text = JSON.stringify(body.blocks);
    assert.match(text, /1 row affected/);
    assert.match(text, /Eve/);
    assert.deepEqual(await runAsOwner("postgres", postgresDatabase, "SELECT name FROM users WHERE id = 1"), [{ name: "Eve" }]);
    const audit = await t.sluice.services.store.prisma.auditLog.findMany({ where: { action: "admin" }, orderBy: { id: "asc" } });
    assert.deepEqual(audit.map((entry) => [entry.actorId, (entry.detail as { refused: boolean }).refused]), [[DEVELOPER, true], [APPROVER, false]]);
  });

  test("/db admin with more statements than a message holds shows the first and sends the whole outcome as a file", async () => {
    const script = Array.from({ length: 60 }, (_, i) => `UPDATE users SET name = name WHERE id = ${i + 1}`).join(";\n");
    const messages = t.slack.messages.length;
    const body = await answerTo(`admin ${mysqlDatabase} ${script}`, APPROVER);
    const shown = /it shows (\d+) of 60 statements/.exec(JSON.stringify(body.blocks));
    assert.ok(shown && Number(shown[1]) < 60, "the message says how much it shows");
    assert.match(JSON.stringify(body.blocks), /The whole outcome is in your direct messages with Sluice, as admin-/);
    const file = await eventually(() => t.slack.messages.slice(messages).find((m) => m.channel === `D${APPROVER}`)?.files[0], 10_000, "the whole outcome");
    const outcome = file.content.toString("utf8");
    assert.equal(outcome.match(/^Statement \d+:$/gm)?.length, 60);
    assert.match(outcome, /Statement 60:\nUPDATE users SET name = name WHERE id = 60\n/);
  });

  test("the modal answers in a thread with a masked CSV when the result is larger than a message", async () => {
    const sql = "SELECT g AS id, 'user' || g || '@example.com' AS email FROM generate_series(1, 200) g";
    const submitted = await submitQueryModalToThread(t, DEVELOPER, CHANNEL, postgresDatabase, sql);
    assert.equal(submitted.status, 200);
    const file = await eventually(() => [...t.slack.files.values()].find((f) => f.threadTs !== undefined && f.content.length > 0), 10_000, "the CSV");
    const root = t.slack.channelMessages(CHANNEL).find((message) => message.ts === file.threadTs);
    assert.match(String(root?.text), new RegExp(`<@${DEVELOPER}> ran a read-only query on ${postgresDatabase}`));
    const csv = file.content.toString("utf8");
    assert.equal(csv.split("\r\n").length, 202);
    assert.match(csv, /^id,email\r\n1,••••••\r\n/);
    assert.ok(!csv.includes("@example.com"));
    const reply = t.slack.thread(CHANNEL, file.threadTs!).find((message) => message.blocks.length > 0);
    assert.match(JSON.stringify(reply?.blocks), /Showing 100 of 200 rows/);
  });
});
