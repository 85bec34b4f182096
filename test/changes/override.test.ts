// Issue 3: an error-level review finding blocks Approve until an approver overrides it with a reason, which is
// recorded with the approval.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { APPROVER, CHANNEL, clickOnChange, DEVELOPER, ephemeralTo, onMysql, slackDirectory, submitChangeThroughModal, waitForPosted, waitForStatus, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import { OVERRIDE_MODAL } from "../../src/slack/blocks/change-modal.ts";

describe("an error-level finding in Prod", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_override");
    await onMysql(db, "CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)");
    t = await startTestSluice({ yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Prod" }]), slack: slackDirectory });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  function overrideSubmission(view: { id: string; view: Record<string, unknown> }, user: { id: string }, reason: string) {
    return t.send.submitView({ user, view: { ...view.view, id: view.id }, values: { reason: { value: { type: "plain_text_input", value: reason } } } });
  }

  test("blocks Approve until an approver overrides it with a reason; the override runs the change and is recorded", async () => {
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "data", sql: "DELETE FROM t", description: "empty t" });
    const waiting = await waitForPosted(t, change.key, "awaiting_approval");
    assert.ok((waiting.reviews[0]?.errorCount ?? 0) > 0, "the review has an error-level finding");
    assert.ok(waiting.reviews[0]!.findings.some((f) => f.ruleId === "statement.where.require" && f.level === "error"));

    const root = t.slack.channelMessages(CHANNEL).find((m) => m.ts === waiting.slackTs)!;
    const blocks = JSON.stringify(root.blocks);
    assert.doesNotMatch(blocks, /"action_id":"change\.approve"/, "no Approve button");
    assert.match(blocks, /"action_id":"change\.override"/);

    // A forged or stale Approve click is refused all the same.
    await clickOnChange(t, APPROVER, waiting, CHANGE_ACTIONS.approve);
    await eventually(() => ephemeralTo(t, APPROVER.id).find((text) => /error-level finding.*Override and approve/.test(text)));
    assert.equal((await t.sluice.services.changes.get(change.id)).status, "awaiting_approval");
    assert.equal((await onMysql(db, "SELECT * FROM t")).length, 3, "nothing ran");

    // A non-approver cannot even open the override modal.
    const viewsBefore = t.slack.views.length;
    await clickOnChange(t, DEVELOPER, waiting, CHANGE_ACTIONS.override);
    await eventually(() => ephemeralTo(t, DEVELOPER.id).find((text) => /Only approvers of Prod/.test(text)));
    assert.equal(t.slack.views.length, viewsBefore);

    await clickOnChange(t, APPROVER, waiting, CHANGE_ACTIONS.override);
    const modal = await eventually(() => t.slack.views.slice(viewsBefore).find((v) => v.view.callback_id === OVERRIDE_MODAL));
    const short = await overrideSubmission(modal, APPROVER, "ok");
    assert.equal((short.json() as { response_action?: string }).response_action, "errors", "a too-short reason stays in the modal");
    assert.equal((await t.sluice.services.changes.get(change.id)).status, "awaiting_approval");

    const reason = "Emptying t is intended: it is a staging copy.";
    const submitted = await overrideSubmission(modal, APPROVER, reason);
    assert.equal(submitted.body, "");
    const done = await waitForStatus(t, change.key, "done");
    assert.deepEqual(
      done.approvals.map((a) => ({ userId: a.userId, decision: a.decision, reason: a.reason })),
      [{ userId: APPROVER.id, decision: "override", reason }],
    );
    assert.equal((await onMysql(db, "SELECT * FROM t")).length, 0);
    assert.ok(t.slack.thread(CHANNEL, done.slackTs!).some((m) => m.text.includes("overrode the review's errors") && m.text.includes(reason)));

    // The same override modal submitted again approves nothing new.
    await overrideSubmission(modal, APPROVER, reason);
    await eventually(() => ephemeralTo(t, APPROVER.id).find((text) => text === `${change.key} is already done; this button no longer applies.`));
    assert.equal((await t.sluice.services.changes.get(change.id)).executions.length, 1);
  });
});
