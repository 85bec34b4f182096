// Issue 3: a Prod change waits for an approver. Who may click Approve, what a refused click does (nothing but an
// explanation), and that approving runs the change exactly once — however many approvers click, and however often
// Slack delivers the same click.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  allowingSelfApproval,
  APPROVER,
  CHANNEL,
  clickOnChange,
  DEVELOPER,
  ephemeralTo,
  GROUP_APPROVER,
  onMysql,
  replay,
  slackCallCounts,
  slackDirectory,
  submitChangeThroughModal,
  waitForPosted,
  waitForStatus,
  workflowYaml,
} from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";

const SECOND_APPROVER = { id: "UAPPROVER2" };

function buttonsOf(t: TestSluice, ts: string | null): string[] {
  const root = t.slack.channelMessages(CHANNEL).find((m) => m.ts === ts);
  assert.ok(root, `no root message ${ts}`);
  return JSON.stringify(root.blocks).match(/"action_id":"change\.[a-z_]+"/g)?.map((a) => a.slice(13, -1)) ?? [];
}

describe("approving a Prod change", () => {
  let t: TestSluice;
  let db: string;
  let seq = 0;
  before(async () => {
    db = await createMysqlDatabase("sluice_approval");
    await onMysql(db, "CREATE TABLE runs (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(40) NOT NULL)");
    const yaml = workflowYaml([{ name: db, engine: "mysql", environment: "Prod" }]).replace(`users: [${APPROVER.id}], groups`, `users: [${APPROVER.id}, ${SECOND_APPROVER.id}], groups`);
    t = await startTestSluice({ yaml, slack: slackDirectory });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  /** A data change that inserts one row tagged `tag`, so the target table shows how often it ran. */
  function insertChange(user: { id: string }, tag: string) {
    return submitChangeThroughModal(t, user, { database: db, type: "data", sql: `INSERT INTO runs (tag) VALUES ('${tag}')`, description: `run ${tag}` });
  }

  async function rowsTagged(tag: string): Promise<number> {
    const rows = await onMysql<{ n: number }>(db, `SELECT COUNT(*) AS n FROM runs WHERE tag = '${tag}'`);
    return Number(rows[0]!.n);
  }

  test("a Prod change waits for approval, with Approve and Reject on its root message", async () => {
    const tag = `wait${++seq}`;
    const change = await insertChange(DEVELOPER, tag);
    const waiting = await waitForPosted(t, change.key, "awaiting_approval");
    assert.ok(waiting.slackTs, "the root message is recorded");
    const buttons = buttonsOf(t, waiting.slackTs);
    assert.ok(buttons.includes(CHANGE_ACTIONS.approve) && buttons.includes(CHANGE_ACTIONS.reject), `buttons: ${buttons.join(", ")}`);
    assert.equal(waiting.executions.length, 0);
    assert.equal(await rowsTagged(tag), 0, "nothing ran before approval");
  });

  test("a non-approver's click gets an ephemeral explanation and changes nothing", async () => {
    const tag = `nonapprover${++seq}`;
    const change = await waitForPosted(t, (await insertChange(DEVELOPER, tag)).key, "awaiting_approval");
    const edits = t.slack.callsTo("chat.update").length;
    const reply = await clickOnChange(t, { id: "UNOBODY" }, change, CHANGE_ACTIONS.approve);
    assert.equal(reply.status, 200);
    const said = await eventually(() => ephemeralTo(t, "UNOBODY").find((text) => /Only approvers of Prod/.test(text)));
    assert.match(said, /Only approvers of Prod can decide/);
    // Shown where the click was, as Slack shows an ephemeral: on the root message, so in the channel, not in its thread.
    const shown = t.slack.messages.find((m) => m.visibleTo === "UNOBODY" && /Only approvers of Prod/.test(m.text));
    assert.equal(shown?.threadTs, undefined, "the explanation of a click on the root message is in the channel");
    const after = await t.sluice.services.changes.get(change.id);
    assert.equal(after.status, "awaiting_approval");
    assert.equal(after.approvals.length, 0);
    assert.equal(after.executions.length, 0);
    assert.equal(t.slack.callsTo("chat.update").length, edits, "the root message was not touched");
    assert.equal(await rowsTagged(tag), 0);
  });

  test("a button that no longer applies says so to whoever clicks it, approver or not", async () => {
    const tag = `moved${++seq}`;
    const change = await waitForPosted(t, (await insertChange(DEVELOPER, tag)).key, "awaiting_approval");
    await clickOnChange(t, APPROVER, change, CHANGE_ACTIONS.approve);
    const done = await waitForStatus(t, change.key, "done");
    await clickOnChange(t, { id: "UNOBODY" }, change, CHANGE_ACTIONS.approve);
    await clickOnChange(t, DEVELOPER, change, CHANGE_ACTIONS.reject);
    const stale = `${change.key} is already done; this button no longer applies.`;
    assert.equal(await eventually(() => ephemeralTo(t, "UNOBODY").find((text) => text.startsWith(change.key))), stale);
    assert.equal(await eventually(() => ephemeralTo(t, DEVELOPER.id).find((text) => text.startsWith(change.key))), stale);
    const after = await t.sluice.services.changes.get(change.id);
    assert.equal(after.status, "done");
    assert.equal(after.approvals.length, done.approvals.length);
    assert.equal(await rowsTagged(tag), 1);
  });

  test("a button naming a change that is not in the history says so and changes nothing", async () => {
    const changesBefore = await t.sluice.store.prisma.change.count();
    assert.equal((await clickOnChange(t, APPROVER, { id: 987_654, slackTs: null }, CHANGE_ACTIONS.approve)).status, 200);
    const said = await eventually(() => ephemeralTo(t, APPROVER.id).find((text) => text.includes("987654")));
    assert.equal(said, ":warning: There is no change 987654 in Sluice's history, so this does nothing.");
    assert.equal(await t.sluice.store.prisma.change.count(), changesBefore);
  });

  test("an approver may not approve their own change when Prod does not allow it", async () => {
    const tag = `self${++seq}`;
    const change = await waitForPosted(t, (await insertChange(APPROVER, tag)).key, "awaiting_approval");
    await clickOnChange(t, APPROVER, change, CHANGE_ACTIONS.approve);
    await eventually(() => ephemeralTo(t, APPROVER.id).find((text) => /does not let requesters approve their own changes/.test(text)));
    const after = await t.sluice.services.changes.get(change.id);
    assert.equal(after.status, "awaiting_approval");
    assert.equal(after.approvals.length, 0);
    assert.equal(await rowsTagged(tag), 0);
  });

  test("a member of an approver user group may approve, and the approval runs the change", async () => {
    const tag = `group${++seq}`;
    const change = await waitForPosted(t, (await insertChange(DEVELOPER, tag)).key, "awaiting_approval");
    await clickOnChange(t, GROUP_APPROVER, change, CHANGE_ACTIONS.approve);
    const done = await waitForStatus(t, change.key, "done");
    assert.deepEqual(
      done.approvals.map((a) => [a.userId, a.decision]),
      [[GROUP_APPROVER.id, "approve"]],
    );
    assert.ok(t.slack.callsTo("usergroups.users.list").length > 0, "membership was asked of Slack");
    assert.equal(done.executions.length, 1);
    assert.equal(await rowsTagged(tag), 1);
    const root = t.slack.channelMessages(CHANNEL).find((m) => m.ts === done.slackTs);
    assert.match(root!.text, /Done/);
    assert.ok(!buttonsOf(t, done.slackTs).includes(CHANGE_ACTIONS.approve), "a done change offers no Approve");
  });

  test("20 concurrent Approve clicks from approvers run it exactly once", async () => {
    const tag = `storm${++seq}`;
    const change = await waitForPosted(t, (await insertChange(DEVELOPER, tag)).key, "awaiting_approval");
    const approvers = [APPROVER, SECOND_APPROVER, GROUP_APPROVER];
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => clickOnChange(t, approvers[i % approvers.length]!, change, CHANGE_ACTIONS.approve)));
    assert.ok(replies.every((r) => r.status === 200));
    const done = await waitForStatus(t, change.key, "done");
    assert.equal(done.executions.length, 1, "one execution");
    assert.equal(done.executions[0]!.results.length, 1, "the statement ran once");
    assert.equal(done.approvals.length, 1, "one approval is recorded");
    assert.equal(await rowsTagged(tag), 1, "the row was inserted once");
    // Every other click is told the change is already taken; Slack's root message was posted once.
    await eventually(
      () => approvers.flatMap((a) => ephemeralTo(t, a.id)).filter((text) => text.startsWith(`${change.key} is already`)).length === 19,
      5000,
      "19 'already …' answers",
    );
    assert.equal(t.slack.channelMessages(CHANNEL).filter((m) => m.text.startsWith(`${change.key}:`)).length, 1);
  });

  test("a replayed Approve payload, and a Slack retry of it, do nothing new", async () => {
    const tag = `replay${++seq}`;
    const change = await waitForPosted(t, (await insertChange(DEVELOPER, tag)).key, "awaiting_approval");
    const body = t.send.buttonClickBody({ user: APPROVER, channel: CHANNEL, messageTs: change.slackTs!, actionId: CHANGE_ACTIONS.approve, value: String(change.id) });
    const signedAt = Math.floor(Date.now() / 1000);
    assert.equal((await replay(t, body, {}, signedAt)).status, 200);
    const done = await waitForStatus(t, change.key, "done");
    const before = slackCallCounts(t);
    const ephemeralsBefore = ephemeralTo(t, APPROVER.id).length;

    assert.equal((await replay(t, body, {}, signedAt)).status, 200, "the same signed body again");
    assert.equal((await replay(t, body, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" }, signedAt)).status, 200, "a Slack retry");
    await eventually(() => ephemeralTo(t, APPROVER.id).length === ephemeralsBefore + 2, 5000, "two 'already done' answers");
    await t.sluice.services.workflow.idle();

    const after = await t.sluice.services.changes.get(change.id);
    assert.equal(after.status, "done");
    assert.equal(after.executions.length, 1, "no second execution");
    assert.equal(after.approvals.length, done.approvals.length, "no second approval");
    assert.equal(await rowsTagged(tag), 1);
    const calls = slackCallCounts(t);
    assert.equal(calls["chat.postMessage"] ?? 0, before["chat.postMessage"] ?? 0, "no new channel or thread message");
    assert.equal(calls["chat.update"] ?? 0, before["chat.update"] ?? 0, "the root message was not edited again");
    assert.deepEqual(
      ephemeralTo(t, APPROVER.id).slice(ephemeralsBefore),
      [`${change.key} is already done; this button no longer applies.`, `${change.key} is already done; this button no longer applies.`],
    );
  });
});

describe("approving your own change where the environment allows it", () => {
  test("with allowSelfApproval: true, the requester (an approver) approves and it runs", async () => {
    const db = await createMysqlDatabase("sluice_selfok");
    const t = await startTestSluice({ yaml: allowingSelfApproval(workflowYaml([{ name: db, engine: "mysql", environment: "Prod" }])), slack: slackDirectory });
    try {
      await onMysql(db, "CREATE TABLE runs (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(40) NOT NULL)");
      const change = await submitChangeThroughModal(t, APPROVER, { database: db, type: "data", sql: "INSERT INTO runs (tag) VALUES ('mine')" });
      const waiting = await waitForPosted(t, change.key, "awaiting_approval");
      await clickOnChange(t, APPROVER, waiting, CHANGE_ACTIONS.approve);
      const done = await waitForStatus(t, change.key, "done");
      assert.equal(done.requesterId, APPROVER.id);
      assert.deepEqual(
        done.approvals.map((a) => a.userId),
        [APPROVER.id],
      );
      assert.equal((await onMysql(db, "SELECT tag FROM runs")).length, 1);
    } finally {
      await t.stop();
      await dropMysqlDatabase(db);
    }
  });
});
