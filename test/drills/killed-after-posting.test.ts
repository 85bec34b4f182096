// Issue 23 §2: Sluice (its own process) is killed in the instant after Slack took a change's root message and before
// the store recorded it. Started again, it finds the root message by the key in its metadata instead of posting a
// second one, records it, and goes on from the thread.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { CHANNEL, changeFormValues, DEVELOPER, workflowYaml } from "../support/changes.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { eventually, storeUrl } from "../support/sluice.ts";
import { LocalSlack } from "../../src/sandbox/local-slack.ts";
import { startSluiceProcess, type SluiceProcess } from "../changes/support/sluice-process.ts";

describe("drill: Sluice is killed right after Slack took a change's root message", () => {
  let slack: LocalSlack;
  let storeDatabase: string;
  let db: string;
  let history: pg.Pool;
  const running: SluiceProcess[] = [];
  before(async () => {
    db = await createMysqlDatabase("sluice_killed_after_post");
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

  test("restarted, it records the root message Slack has and posts no second one", async () => {
    const yaml = workflowYaml([{ name: db, engine: "mysql", environment: "Prod" }], "delivery:\n  maxRetrySeconds: 1\n");
    const first = await startSluiceProcess({ yaml, storeDatabase, slack });
    running.push(first);
    const before = slack.views.length;
    await first.send.command("change", DEVELOPER, CHANNEL);
    const view = await eventually(() => slack.views.slice(before).find((v) => v.view.callback_id === "change.submit"), 30_000, "the change modal");

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
    running.push(await startSluiceProcess({ yaml, storeDatabase, slack }));
    const recorded = await eventually(async () => {
      const { rows: now } = await history.query<{ slackTs: string | null; pending: number }>(
        `SELECT "slackTs", (SELECT count(*)::int FROM "SlackOutbox") AS "pending" FROM "Change" WHERE "id" = $1`,
        [stored.id],
      );
      const row = now[0]!;
      return row.slackTs && row.pending === 0 && slack.thread(CHANNEL, row.slackTs).some((m) => /Review of/.test(m.text)) ? row.slackTs : undefined;
    }, 60_000, "the change to be recorded and its review posted");
    assert.equal(roots().length, 1, "the root message is posted exactly once");
    assert.equal(roots()[0]!.ts, recorded, "the store records the root message Slack took first");
    assert.equal(slack.thread(CHANNEL, recorded).filter((m) => /Review of/.test(m.text)).length, 1, "its review once");
  });
});
