// Issue 20: text that comes from a database (a comment, a name, a value, a server's error) is shown in Slack as text,
// never read as markup: `<!channel>` does not notify the channel and `<https://evil|re-login>` is not a link, in a
// drift alert, a query result, an error, a change's messages, its schema diff or the schema editor.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import { CHANNEL, clickOnChange, DEVELOPER, submitChangeThroughModal, waitForPosted, waitForStatus } from "../support/changes.ts";
import { commandAnswer, eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createTarget, driftEnv, driftYaml, type TargetDatabase } from "../drift/support/target.ts";

const ATTACK = "<!channel> <https://evil|re-login>";
/** How Slack shows ATTACK when it is escaped: as the characters typed. */
const SHOWN = "&lt;!channel&gt; &lt;https://evil|re-login&gt;";
const DRIFT_CHANNEL = "CDRIFT";

/** Every string Slack reads as mrkdwn in a payload: mrkdwn text objects, a message's text, a file's comment. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== "object" || value === null) return [];
  const object = value as Record<string, unknown>;
  if (object.type === "plain_text") return [];
  const own = [
    ...(object.type === "mrkdwn" || (object.type === undefined && typeof object.text === "string") ? [String(object.text)] : []),
    ...(typeof object.initial_comment === "string" ? [object.initial_comment] : []),
  ];
  return [...own, ...Object.values(object).flatMap(mrkdwnTexts)];
}

/** What Sluice has sent Slack so far: a test checks only what it made Sluice send after it. */
function sentSoFar(t: TestSluice): { calls: number; responses: number } {
  return { calls: t.slack.calls.length, responses: t.slack.responses.length };
}

/** Fails if anything Sluice sent Slack since `from` holds live markup from the attack; returns it as Slack reads it. */
function assertNoLiveMarkup(t: TestSluice, from: { calls: number; responses: number }): string {
  const texts = mrkdwnTexts([...t.slack.calls.slice(from.calls).map((call) => call.args), ...t.slack.responses.slice(from.responses).map((response) => response.body)]);
  for (const text of texts) {
    assert.ok(!/<!channel>|<!here>|<https:\/\/evil/.test(text), `live markup reached Slack: ${text}`);
  }
  return texts.join("\n");
}

describe("text from a database, shown in Slack", () => {
  let target: TargetDatabase;
  let t: TestSluice;

  before(async () => {
    target = await createTarget("mysql", "sluice_text");
    await target.exec(target.createT1);
    t = await startTestSluice({ yaml: driftYaml([{ engine: "mysql", name: target.name, environment: "Test" }]), env: driftEnv(), slack: { userGroups: { SDBAS: [] } } });
    const database = t.sluice.services.registry.find(target.name);
    await eventually(() => t.sluice.store.prisma.schemaSnapshot.count({ where: { databaseId: database.id } }).then((n) => n > 0), 10_000, "the first baseline");
  });
  after(async () => {
    await t.stop();
    await target.drop();
  });

  /** The answer Sluice sent to a slash command's response_url, as text. */
  const answerTo = async (text: string): Promise<string> => JSON.stringify(await commandAnswer(t, text, DEVELOPER.id, CHANNEL));

  test("a server error that quotes the SQL is answered as text", async () => {
    const from = sentSoFar(t);
    const answer = await answerTo(`query ${target.name} SELECT * FROM \`${ATTACK}\``);
    assert.match(answer, /doesn't exist/);
    // A user who may not see unmasked data gets the server's message with the names and values it quotes taken out
    // (src/query/server-errors.ts); whatever is left is shown as text.
    assertNoLiveMarkup(t, from);
  });

  test("a query's values and column names are shown as text", async () => {
    const from = sentSoFar(t);
    const answer = await answerTo(`query ${target.name} SELECT '${ATTACK}' AS \`${ATTACK}\``);
    assert.ok(answer.includes("&lt;!channel&gt;"));
    assertNoLiveMarkup(t, from);
  });

  test("a change failing with an error that quotes a value shows it as text, in its message and its thread", async () => {
    const from = sentSoFar(t);
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: target.name, type: "data", sql: `INSERT INTO t1 (id, name) VALUES ('${ATTACK}', 'x')` });
    const failed = await waitForPosted(t, change.key, "failed");
    const root = t.slack.messages.find((message) => message.channel === CHANNEL && message.ts === failed.slackTs);
    assert.ok(mrkdwnTexts(root?.blocks).join("\n").includes("&lt;!channel&gt;"), "the error is in the root message");
    assertNoLiveMarkup(t, from);
  });

  test("a change's schema diff with the comment, in View change, is shown as text", async () => {
    const from = sentSoFar(t);
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: target.name, type: "schema", sql: `ALTER TABLE t1 ADD COLUMN note int COMMENT '${ATTACK}'` });
    const done = await waitForStatus(t, change.key, "done");
    const views = t.slack.views.length;
    assert.equal((await clickOnChange(t, DEVELOPER, done, CHANGE_ACTIONS.view)).status, 200);
    const modal = await eventually(() => t.slack.views[views], 10_000, "the View change modal");
    assert.ok(mrkdwnTexts(modal.view).join("\n").includes(SHOWN), "the diff shows the comment as typed");
    assertNoLiveMarkup(t, from);
  });

  test("the schema editor shows the column's comment as text", async () => {
    const from = sentSoFar(t);
    const updates = t.slack.callsTo("views.update").length;
    assert.equal((await t.send.command(`schema ${target.name} t1`, DEVELOPER, CHANNEL)).status, 200);
    const editor = await eventually(() => t.slack.callsTo("views.update")[updates], 10_000, "the schema editor");
    assert.ok(mrkdwnTexts(editor).join("\n").includes("&lt;!channel&gt;"));
    assertNoLiveMarkup(t, from);
  });

  // Last: the drift it leaves would hold the schema change above (the drift gate).
  test("a column comment changed outside Sluice reaches the drift alert as text, not as a mention and a link", async () => {
    const from = sentSoFar(t);
    await target.exec(`ALTER TABLE t1 MODIFY name varchar(50) NOT NULL COMMENT '${ATTACK}'`);
    assert.match(await answerTo(`drift ${target.name}`), /has drifted/);
    const alert = await eventually(() => t.slack.channelMessages(DRIFT_CHANNEL)[0], 10_000, "the drift alert");
    assert.ok(mrkdwnTexts(alert.blocks).join("\n").includes(SHOWN), "the alert shows the comment as typed");
    assertNoLiveMarkup(t, from);
  });
});
