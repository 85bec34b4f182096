// Issue 23 §2: a process that dies right after storing an approved change (a policy's approval, or an approver's
// click) never started its run. The next Sluice on the same store runs it, once, and posts it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, onMysql, oneStatementDataChange, slackDirectory, waitForPosted, workflowYaml } from "../support/changes.ts";
import { startTestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";

describe("drill: an approved change whose process died before it ran", () => {
  let db: string;
  let storeDatabase: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_approved_not_run");
    await onMysql(db, "CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40) NOT NULL)");
    storeDatabase = await createPostgresDatabase("sluice_store");
  });
  after(async () => {
    await dropMysqlDatabase(db);
    await dropPostgresDatabase(storeDatabase);
  });

  test("the next Sluice on the store runs it once and posts it", async () => {
    const yaml = workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]);
    const first = await startTestSluice({ yaml, slack: slackDirectory, storeDatabase });
    const sql = "INSERT INTO events (what) VALUES ('approved before the crash')";
    let key: string;
    try {
      // What submit() stores for an auto-approved change, without what it does next (deliver, run).
      const database = first.sluice.services.registry.find(db);
      const { change } = await first.sluice.services.changes.create(
        oneStatementDataChange(database, sql, "stored, then the process died"),
        "approved",
        { approval: { userId: "sluice", decision: "approve", reason: "auto-approved by environment policy" }, announce: [{ kind: "submitted" }, { kind: "approved", by: "sluice", automatic: true }] },
      );
      key = change.key;
    } finally {
      await first.stop();
    }

    const second = await startTestSluice({ yaml, slack: slackDirectory, storeDatabase });
    try {
      const done = await waitForPosted(second, key, "done", 60_000);
      assert.equal(done.executions.length, 1, "it ran once");
      assert.deepEqual((await onMysql<{ what: string }>(db, "SELECT what FROM events")).map((r) => r.what), ["approved before the crash"]);
      assert.equal(second.slack.channelMessages(CHANNEL).filter((m) => m.text.includes(key)).length, 1, "posted once");
    } finally {
      await second.stop();
    }
  });
});
