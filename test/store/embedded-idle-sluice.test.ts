// Issue 23: with the embedded store (no DATABASE_URL, the README's default), a change submitted after the store's pool
// dropped its idle connection is stored, posted and run like the first one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, DEVELOPER, ephemeralTo, onMysql, slackDirectory, submitChangeThroughModal, waitForPosted, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";

describe("the embedded store across an idle pause", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_embedded_idle");
    await onMysql(db, "CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40) NOT NULL)");
    t = await startTestSluice({
      yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]),
      slack: slackDirectory,
      env: { DATABASE_URL: "" },
      storeIdleTimeoutMs: 200,
    });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  test("submit, idle past the pool's idle timeout, submit again: both changes are posted and run", async () => {
    assert.equal(t.sluice.store.embedded, true);
    const first = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "data", sql: "INSERT INTO events (what) VALUES ('before the pause')" });
    await waitForPosted(t, first.key, "done", 60_000);

    await eventually(() => t.sluice.store.pool.totalCount === 0, 15_000, "the store's pool to drop its idle connection");

    const second = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "data", sql: "INSERT INTO events (what) VALUES ('after the pause')" });
    const done = await waitForPosted(t, second.key, "done", 60_000);
    assert.ok(t.slack.channelMessages(CHANNEL).some((m) => m.ts === done.slackTs), "the second change's root message is in the channel");
    assert.deepEqual((await onMysql<{ what: string }>(db, "SELECT what FROM events ORDER BY id")).map((r) => r.what), ["before the pause", "after the pause"]);
    assert.deepEqual(ephemeralTo(t, DEVELOPER.id).filter((text) => /not submitted/.test(text)), [], "no one was told a change was not submitted");
  });
});
