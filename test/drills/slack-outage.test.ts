// Issue 23 §2: Slack's Web API fails for a while. A change submitted meanwhile is stored and runs; once Slack answers
// again its root message is posted exactly once, showing the change's last state, with the review and every note in
// its thread in order; and the submitter is told the truth, never "not submitted".
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, changeFormValues, changeOfRequest, DEVELOPER, ephemeralTo, onMysql, openModal, slackDirectory, waitForStatus, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";

describe("drill: Slack's Web API is down for a while", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_drill_slack");
    await onMysql(db, "CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40) NOT NULL)");
    t = await startTestSluice({
      yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Test" }], "delivery:\n  maxRetrySeconds: 1\n"),
      slack: slackDirectory,
    });
  });
  after(async () => {
    t.slack.outage = undefined;
    await t.stop();
    await dropMysqlDatabase(db);
  });

  test("a change submitted while Slack is down runs, and is posted once when Slack is back, with its last state", async () => {
    const view = await openModal(t, DEVELOPER, "change", "change.submit");
    t.slack.outage = 503;
    const reply = await t.send.submitView({
      user: DEVELOPER,
      view: { ...view.view, id: view.id },
      values: changeFormValues({ database: db, type: "data", sql: "INSERT INTO events (what) VALUES ('while Slack was down')" }),
    });
    assert.equal(reply.body, "");
    const stored = await changeOfRequest(t, `view:${view.id}`);
    await waitForStatus(t, stored.key, "done", 60_000);
    const { prisma } = t.sluice.store;
    const subject = `change:${stored.id}`;
    // Slack was asked and failed, more than once: what it is owed waits in the outbox, in order.
    await eventually(async () => ((await prisma.slackOutbox.findFirst({ where: { subject }, orderBy: { id: "asc" } }))?.attempts ?? 0) >= 2, 30_000, "a second try");
    assert.deepEqual(
      (await prisma.slackOutbox.findMany({ where: { subject }, orderBy: { id: "asc" } })).map((row) => (row.payload as { kind: string }).kind),
      ["submitted", "approved", "done"],
    );
    assert.equal(t.slack.channelMessages(CHANNEL).length, 0, "nothing reached Slack while it was down");

    t.slack.outage = undefined;
    const posted = await eventually(async () => {
      const change = await prisma.change.findUniqueOrThrow({ where: { id: stored.id } });
      const done = change.slackTs && t.slack.thread(CHANNEL, change.slackTs).some((m) => m.text.includes(`${stored.key} is done`));
      return done && (await prisma.slackOutbox.count({ where: { subject } })) === 0 ? change : undefined;
    }, 60_000, "the change to be posted with its notes");
    const roots = t.slack.channelMessages(CHANNEL).filter((m) => m.text.includes(stored.key));
    assert.equal(roots.length, 1, "the root message is posted exactly once");
    assert.equal(roots[0]!.ts, posted.slackTs);
    assert.match(JSON.stringify(roots[0]!.blocks), /Done/i, "the root message shows the change's last state");
    const thread = t.slack.thread(CHANNEL, posted.slackTs!).map((m) => m.text);
    const order = [/Review of/, /approves automatically/, new RegExp(`${stored.key} is done`)].map((pattern) => thread.findIndex((text) => pattern.test(text)));
    assert.ok(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]!)), `the review, then each note, once and in order: ${JSON.stringify(thread)}`);
    assert.equal(thread.filter((text) => /Review of/.test(text)).length, 1);

    const told = await eventually(() => ephemeralTo(t, DEVELOPER.id).find((text) => text.includes(stored.key)), 60_000, "the submitter to be told");
    assert.doesNotMatch(told, /not submitted/);
    assert.deepEqual(ephemeralTo(t, DEVELOPER.id).filter((text) => /not submitted/.test(text)), []);
  });
});
