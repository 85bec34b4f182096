// Fault drill (issue 10): the history store goes away while Sluice runs. A `/db change` submission gets a clear
// ephemeral error and nothing runs on the target unrecorded; when the store is back, the next submission works
// without a restart.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { CHANNEL, changeOfRequest, DEVELOPER, ephemeralTo, onMysql, slackDirectory, submitChangeForm, waitForStatus, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase, postgresServer } from "../support/servers.ts";

/** Refuses every new connection to the store database (superusers too) and ends the open ones. */
async function setStoreReachable(database: string, reachable: boolean): Promise<void> {
  const client = new pg.Client({ ...postgresServer(), database: "postgres" });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS ${reachable}`);
    if (!reachable) await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]);
  } finally {
    await client.end();
  }
}

describe("drill: the history store is down", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_drill_store");
    await onMysql(db, "CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40) NOT NULL)");
    t = await startTestSluice({ yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]), slack: slackDirectory });
  });
  after(async () => {
    await setStoreReachable(t.storeDatabase, true);
    await t.stop();
    await dropMysqlDatabase(db);
  });

  test("a submission gets a clear ephemeral error and runs nothing; once the store is back a submission works", async () => {
    const posted = t.slack.callsTo("chat.postMessage").length;
    await setStoreReachable(t.storeDatabase, false);
    const down = await submitChangeForm(t, DEVELOPER, { database: db, type: "data", sql: "INSERT INTO events (what) VALUES ('while down')" });
    assert.equal(down.reply.status, 200);
    const said = await eventually(() => ephemeralTo(t, DEVELOPER.id).find((text) => /not submitted/.test(text)), 15_000, "the ephemeral error");
    assert.match(said, /history store/i, `a clear error names the history store: ${said}`);
    assert.doesNotMatch(said, /postgres:\/\//, "no connection URL in the message");
    assert.equal(t.slack.callsTo("chat.postMessage").length, posted, "no change was posted");
    assert.deepEqual(await onMysql(db, "SELECT * FROM events"), [], "nothing ran on the target");

    const health = await fetch(`${t.baseUrl}/healthz`);
    assert.equal(health.status, 503);
    await health.text();

    await setStoreReachable(t.storeDatabase, true);
    const back = await submitChangeForm(t, DEVELOPER, { database: db, type: "data", sql: "INSERT INTO events (what) VALUES ('after')" });
    assert.equal(back.reply.body, "");
    const change = await changeOfRequest(t, back.requestKey);
    const done = await waitForStatus(t, change.key, "done");
    assert.equal(done.executions.length, 1);
    assert.deepEqual(
      (await onMysql<{ what: string }>(db, "SELECT what FROM events")).map((r) => r.what),
      ["after"],
    );
    assert.equal(await t.sluice.store.prisma.change.count({ where: { requestKey: down.requestKey } }), 0, "the failed submission left no change behind");
    assert.ok(t.slack.channelMessages(CHANNEL).some((m) => m.ts === done.slackTs));
  });
});
