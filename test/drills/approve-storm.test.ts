// Fault drill (issue 10): 100 approvers click Approve at once. The change runs exactly once; every other click is
// told it is already taken.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { APPROVER, CHANNEL, clickOnChange, DEVELOPER, ephemeralTo, GROUP_APPROVER, onMysql, slackDirectory, submitChangeThroughModal, waitForPosted, waitForStatus, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";

const CLICKS = 100;

describe("drill: 100 concurrent Approve clicks", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_drill_storm");
    await onMysql(db, "CREATE TABLE ledger (id INT AUTO_INCREMENT PRIMARY KEY, amount INT NOT NULL)");
    t = await startTestSluice({ yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Prod" }]), slack: slackDirectory });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  test("run the change exactly once", async (context) => {
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "data", sql: "INSERT INTO ledger (amount) VALUES (100);\nUPDATE ledger SET amount = amount + 1 WHERE id > 0;" });
    const waiting = await waitForPosted(t, change.key, "awaiting_approval");
    const approvers = [APPROVER, GROUP_APPROVER];
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: CLICKS }, (_, i) => clickOnChange(t, approvers[i % 2]!, waiting, CHANGE_ACTIONS.approve)));
    const acked = Date.now() - started;
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    const done = await waitForStatus(t, change.key, "done", 30_000);
    const refusals = await eventually(
      () => {
        const said = approvers.flatMap((a) => ephemeralTo(t, a.id)).filter((text) => text.startsWith(`${change.key} is already`));
        return said.length === CLICKS - 1 ? said : undefined;
      },
      20_000,
      `${CLICKS - 1} 'already …' answers`,
    );
    assert.equal(refusals.length, CLICKS - 1);
    assert.equal(done.executions.length, 1, "one execution");
    assert.equal(done.executions[0]!.results.length, 2, "each statement ran once");
    assert.equal(done.approvals.length, 1, "one approval");
    assert.deepEqual(await onMysql(db, "SELECT amount FROM ledger"), [{ amount: 101 }], "the target shows one run");
    assert.equal(t.slack.thread(CHANNEL, done.slackTs!).filter((m) => !m.visibleTo && m.text.includes(`approved ${change.key}`)).length, 1, "one 'approved' note");
    context.diagnostic(`${CLICKS} approve clicks acknowledged in ${acked} ms; all answered and the change done in ${Date.now() - started} ms`);
  });
});
