// Issue 23 §2: Sluice (its own process) is killed after it stored a change and before Slack took its message. Started
// again, and as two replicas at once on the same store, it posts the change's root message exactly once.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, changeFormValues, DEVELOPER } from "../support/changes.ts";
import { eventually } from "../support/sluice.ts";
import { PostingDrill } from "./support/posting-drill.ts";

describe("drill: Sluice is killed between storing a change and posting it", () => {
  const drill = new PostingDrill("sluice_killed_post");

  test("restarted (twice over, as two replicas), it posts the stored change exactly once", async () => {
    const { slack, history, db } = drill;
    const first = await drill.start();
    const view = await drill.openChangeModal(first);

    slack.outage = 503;
    await first.send.submitView({ user: DEVELOPER, view: { ...view.view, id: view.id }, values: changeFormValues({ database: db, type: "schema", sql: "CREATE TABLE t1 (id INT PRIMARY KEY)" }) });
    const stored = await eventually(async () => {
      const { rows } = await history.query<{ id: number; key: string; slackTs: string | null; attempts: number; claimedBy: string | null }>(
        `SELECT c."id", c."key", c."slackTs", o."attempts", o."claimedBy" FROM "Change" c JOIN "SlackOutbox" o ON o."subject" = 'change:' || c."id" WHERE c."requestKey" = $1`,
        [`view:${view.id}`],
      );
      // Slack was tried and failed: the message waits in the store for its next try.
      return rows[0] && rows[0].attempts >= 1 && rows[0].claimedBy === null ? rows[0] : undefined;
    }, 60_000, "the change stored, and Slack tried");
    assert.equal(stored.slackTs, null);
    await first.kill9();
    assert.equal(slack.channelMessages(CHANNEL).length, 0, "the killed process posted nothing");

    slack.outage = undefined;
    await Promise.all([drill.start(), drill.start()]);
    const posted = await drill.postedWithReview(stored.id, "the change to be posted");
    // Both replicas swept at start-up and sweep every second: give them a few more sweeps to post it twice.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const roots = slack.channelMessages(CHANNEL).filter((m) => m.text.includes(stored.key));
    assert.equal(roots.length, 1, "the root message is posted exactly once");
    assert.equal(roots[0]!.ts, posted);
    assert.equal(slack.thread(CHANNEL, posted).filter((m) => /Review of/.test(m.text)).length, 1, "its review once");
  });
});
