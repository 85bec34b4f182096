// Issue 23 §2: Sluice (its own process) is killed in the instant after Slack took a change's root message and before
// the store recorded it. Started again, it finds the root message by the key in its metadata instead of posting a
// second one, records it, and goes on from the thread.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, changeFormValues, DEVELOPER } from "../support/changes.ts";
import { eventually } from "../support/sluice.ts";
import { PostingDrill } from "./support/posting-drill.ts";

describe("drill: Sluice is killed right after Slack took a change's root message", () => {
  const drill = new PostingDrill("sluice_killed_after_post");

  test("restarted, it records the root message Slack has and posts no second one", async () => {
    const { slack, history, db } = drill;
    const first = await drill.start();
    const view = await drill.openChangeModal(first);

    const roots = () => slack.messages.filter((m) => m.channel === CHANNEL && !m.threadTs && !m.visibleTo);
    // Slack has the root message; Sluice dies before it hears Slack's answer.
    const stopWatching = slack.onChange(() => {
      if (roots().length > 0) first.child.kill("SIGKILL");
    });
    await first.send.submitView({ user: DEVELOPER, view: { ...view.view, id: view.id }, values: changeFormValues({ database: db, type: "schema", sql: "CREATE TABLE t1 (id INT PRIMARY KEY)" }) }).catch(() => undefined);
    await eventually(() => first.child.signalCode === "SIGKILL", 60_000, "Sluice killed as Slack took the root message");
    await first.kill9();
    stopWatching();
    assert.equal(roots().length, 1, "Slack took the root message");
    const { rows } = await history.query<{ id: number; slackTs: string | null }>(`SELECT "id", "slackTs" FROM "Change" WHERE "requestKey" = $1`, [`view:${view.id}`]);
    const stored = rows[0]!;
    assert.equal(stored.slackTs, null, "the store never recorded it");

    // The dead process's claim runs out (30 s in production; here at once).
    await history.query(`UPDATE "SlackOutbox" SET "claimedUntil" = now() - interval '1 second' WHERE "claimedBy" IS NOT NULL`);
    await drill.start();
    const recorded = await drill.postedWithReview(stored.id, "the change to be recorded and its review posted");
    assert.equal(roots().length, 1, "the root message is posted exactly once");
    assert.equal(roots()[0]!.ts, recorded, "the store records the root message Slack took first");
    assert.equal(slack.thread(CHANNEL, recorded).filter((m) => /Review of/.test(m.text)).length, 1, "its review once");
  });
});
