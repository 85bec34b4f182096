// Issue 23 §2: Sluice (its own process) is killed after it stored a change and before Slack took its message. Started
// again, and as two replicas at once on the same store, it posts the change's root message exactly once.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { CHANNEL, changeFormValues, DEVELOPER, workflowYaml } from "../support/changes.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { eventually, storeUrl } from "../support/sluice.ts";
import { LocalSlack } from "../../src/sandbox/local-slack.ts";
import { startSluiceProcess, type SluiceProcess } from "../changes/support/sluice-process.ts";

describe("drill: Sluice is killed between storing a change and posting it", () => {
  let slack: LocalSlack;
  let storeDatabase: string;
  let db: string;
  let history: pg.Pool;
  const running: SluiceProcess[] = [];
  before(async () => {
    db = await createMysqlDatabase("sluice_killed_post");
    storeDatabase = await createPostgresDatabase("sluice_store");
    slack = new LocalSlack();
    await slack.listen();
    history = new pg.Pool({ connectionString: storeUrl(storeDatabase), max: 2 });
  });
  after(async () => {
    for (const sluice of running) await sluice.kill9();
    await history.end();
    await slack.close();
    await dropMysqlDatabase(db);
    await dropPostgresDatabase(storeDatabase);
  });

  test("restarted (twice over, as two replicas), it posts the stored change exactly once", async () => {
    const yaml = workflowYaml([{ name: db, engine: "mysql", environment: "Prod" }], "delivery:\n  maxRetrySeconds: 1\n");
    const first = await startSluiceProcess({ yaml, storeDatabase, slack });
    running.push(first);
    const before = slack.views.length;
    await first.send.command("change", DEVELOPER, CHANNEL);
    const view = await eventually(() => slack.views.slice(before).find((v) => v.view.callback_id === "change.submit"), 30_000, "the change modal");

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
    const replicas = await Promise.all([startSluiceProcess({ yaml, storeDatabase, slack }), startSluiceProcess({ yaml, storeDatabase, slack })]);
    running.push(...replicas);
    const posted = await eventually(async () => {
      const { rows } = await history.query<{ slackTs: string | null; pending: number }>(
        `SELECT "slackTs", (SELECT count(*)::int FROM "SlackOutbox") AS "pending" FROM "Change" WHERE "id" = $1`,
        [stored.id],
      );
      const row = rows[0]!;
      return row.slackTs && row.pending === 0 && slack.thread(CHANNEL, row.slackTs).some((m) => /Review of/.test(m.text)) ? row.slackTs : undefined;
    }, 60_000, "the change to be posted");
    // Both replicas swept at start-up and sweep every second: give them a few more sweeps to post it twice.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const roots = slack.channelMessages(CHANNEL).filter((m) => m.text.includes(stored.key));
    assert.equal(roots.length, 1, "the root message is posted exactly once");
    assert.equal(roots[0]!.ts, posted);
    assert.equal(slack.thread(CHANNEL, posted).filter((m) => /Review of/.test(m.text)).length, 1, "its review once");
  });
});
