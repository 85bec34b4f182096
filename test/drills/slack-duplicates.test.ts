// Fault drill (issue 10): Slack delivers things more than once — retries (`X-Slack-Retry-Num`), duplicate payloads,
// buttons on a message whose change has finished, a modal submitted twice. None of it makes a second change,
// execution or message.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  APPROVER,
  CHANNEL,
  changeFormValues,
  changeOfRequest,
  clickOnChange,
  DEVELOPER,
  ephemeralTo,
  onMysql,
  openModal,
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

describe("drill: Slack delivers the same thing twice", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_drill_dup");
    await onMysql(db, "CREATE TABLE hits (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(40) NOT NULL)");
    t = await startTestSluice({ yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]), slack: slackDirectory });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  async function hits(tag: string): Promise<number> {
    return Number((await onMysql<{ n: number }>(db, `SELECT COUNT(*) AS n FROM hits WHERE tag = '${tag}'`))[0]!.n);
  }

  async function settled() {
    await new Promise((resolve) => setTimeout(resolve, 300));
    await t.sluice.services.workflow.idle();
  }

  test("a modal submission sent at once three times, then retried by Slack, makes one change, one run, one message", async () => {
    const view = await openModal(t, DEVELOPER, "change", "change.submit");
    const body = t.send.viewSubmissionBody({
      user: DEVELOPER,
      view: { ...view.view, id: view.id },
      values: changeFormValues({ database: db, type: "data", sql: "INSERT INTO hits (tag) VALUES ('modal')" }),
    });
    const signedAt = Math.floor(Date.now() / 1000);
    const replies = await Promise.all([replay(t, body, {}, signedAt), replay(t, body, {}, signedAt), replay(t, body, {}, signedAt)]);
    assert.deepEqual(
      replies.map((r) => [r.status, r.body]),
      [
        [200, ""],
        [200, ""],
        [200, ""],
      ],
    );
    const change = await changeOfRequest(t, `view:${view.id}`);
    await waitForStatus(t, change.key, "done");
    for (const retry of ["1", "2"]) {
      const reply = await replay(t, body, { "x-slack-retry-num": retry, "x-slack-retry-reason": "http_timeout" }, signedAt);
      assert.equal(reply.status, 200);
    }
    await settled();
    assert.equal(await t.sluice.store.prisma.change.count({ where: { requestKey: `view:${view.id}` } }), 1);
    const done = await t.sluice.services.changes.get(change.id);
    assert.equal(done.executions.length, 1);
    assert.equal(await hits("modal"), 1);
    assert.equal(t.slack.channelMessages(CHANNEL).filter((m) => m.text.startsWith(`${change.key}:`)).length, 1, "one root message");
    assert.equal(ephemeralTo(t, DEVELOPER.id).filter((text) => text.includes(`Submitted *${change.key}*`)).length, 1, "one confirmation");
  });

  test("buttons on a finished change's message do nothing but say so", async () => {
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "data", sql: "INSERT INTO hits (tag) VALUES ('stale')" });
    const done = await waitForPosted(t, change.key, "done");
    await settled();
    const before = slackCallCounts(t);
    const ephemerals = ephemeralTo(t, APPROVER.id).length;
    const stale = [CHANGE_ACTIONS.approve, CHANGE_ACTIONS.reject, CHANGE_ACTIONS.retry, CHANGE_ACTIONS.markDone, CHANGE_ACTIONS.override];
    for (const action of stale) assert.equal((await clickOnChange(t, APPROVER, done, action)).status, 200);
    const answers = await eventually(() => {
      const said = ephemeralTo(t, APPROVER.id).slice(ephemerals);
      return said.length === stale.length ? said : undefined;
    }, 5000, "an answer per stale click");
    assert.ok(answers.every((text) => text === `${change.key} is already done; this button no longer applies.`), answers.join("\n"));
    await settled();
    const after = await t.sluice.services.changes.get(change.id);
    assert.equal(after.status, "done");
    assert.equal(after.executions.length, 1);
    assert.equal(after.approvals.length, done.approvals.length);
    assert.equal(await hits("stale"), 1);
    const calls = slackCallCounts(t);
    for (const method of ["chat.postMessage", "chat.update", "views.open"]) assert.equal(calls[method] ?? 0, before[method] ?? 0, `no ${method}`);
  });

  test("a failed change retried by a double click, and by a Slack retry of the click, runs once more, not three times", async () => {
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "data", sql: "INSERT INTO missing_table (tag) VALUES ('later')" });
    const failed = await waitForPosted(t, change.key, "failed");
    await onMysql(db, "CREATE TABLE missing_table (id INT AUTO_INCREMENT PRIMARY KEY, tag VARCHAR(40) NOT NULL)");
    const body = t.send.buttonClickBody({ user: APPROVER, channel: CHANNEL, messageTs: failed.slackTs!, actionId: CHANGE_ACTIONS.retry, value: String(change.id) });
    const signedAt = Math.floor(Date.now() / 1000);
    await Promise.all([replay(t, body, {}, signedAt), replay(t, body, {}, signedAt), replay(t, body, { "x-slack-retry-num": "1" }, signedAt)]);
    const done = await waitForStatus(t, change.key, "done");
    await settled();
    const after = await t.sluice.services.changes.get(done.id);
    assert.equal(after.executions.length, 2, "the failed run and one retry");
    assert.equal(after.approvals.filter((a) => /retry/.test(a.reason)).length, 1);
    assert.equal(Number((await onMysql<{ n: number }>(db, "SELECT COUNT(*) AS n FROM missing_table"))[0]!.n), 1);
    assert.equal(t.slack.thread(CHANNEL, done.slackTs!).filter((m) => !m.visibleTo && /retried/.test(m.text)).length, 1, "one 'retried' note");
  });
});
