// Issue 3: Sluice is killed (kill -9) while a change runs. When it starts again the change is interrupted:
// completed statements stay done, the one that was running is failed with a note, and nothing runs again by itself.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { accountOf, APPROVER, CHANNEL, changeFormValues, DEVELOPER, onMysql, workflowYaml } from "../support/changes.ts";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { eventually, storeUrl } from "../support/sluice.ts";
import { LocalSlack } from "../../src/sandbox/local-slack.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { ChangeRepository } from "../../src/store/changes.ts";
import { createLogger } from "../../src/logger.ts";
import { migrationsDir } from "../../src/sluice.ts";
import { startSluiceProcess, type SluiceProcess } from "./support/sluice-process.ts";

describe("a Sluice process killed during a long change", () => {
  let slack: LocalSlack;
  let storeDatabase: string;
  let db: string;
  let store: Store;
  let sluice: SluiceProcess | undefined;
  before(async () => {
    db = await createMysqlDatabase("sluice_crash");
    storeDatabase = await createPostgresDatabase("sluice_store");
    slack = new LocalSlack();
    await slack.listen();
  });
  after(async () => {
    await sluice?.kill9();
    await store?.close();
    await slack.close();
    // The killed runner's SLEEP may still be running on MariaDB; end it before dropping its database.
    const sleepers = await onMysql<{ id: number }>(db, `SELECT id FROM information_schema.processlist WHERE db = '${db}' AND info LIKE '%SLEEP(%' AND id <> CONNECTION_ID()`);
    for (const { id } of sleepers) await onMysql(db, `KILL ${id}`).catch(() => {});
    await dropMysqlDatabase(db);
    await dropPostgresDatabase(storeDatabase);
  });

  test("after a restart the change is interrupted, statements 1–2 done, 3 failed with a note, and nothing re-runs", async () => {
    const yaml = workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]);
    sluice = await startSluiceProcess({ yaml, storeDatabase, slack });
    store = await openStore({ databaseUrl: storeUrl(storeDatabase), dataDir: "/nonexistent", migrationsDir, logger: createLogger("silent") });
    const changes = new ChangeRepository(store.prisma, store.pool);

    const opened = await sluice.send.command("change", DEVELOPER, CHANNEL);
    assert.equal(opened.status, 200);
    const view = await eventually(() => slack.views.find((v) => v.view.callback_id === "change.submit"), 10_000, "the change modal");
    const sql = "CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE b (id INT PRIMARY KEY);\nCREATE TABLE c AS SELECT SLEEP(20) AS s;";
    const submitted = await sluice.send.submitView({ user: DEVELOPER, view: { ...view.view, id: view.id }, values: changeFormValues({ database: db, type: "schema", sql }) });
    assert.equal(submitted.body, "");

    const key = await eventually(async () => (await store.prisma.change.findUnique({ where: { requestKey: `view:${view.id}` } }))?.key, 15_000, "the change");
    await eventually(async () => (await accountOf({ changes, prisma: store.prisma }, key)).statements[2]?.status === "running", 20_000, "statement 3 to run");
    await eventually(async () => (await onMysql(db, `SELECT id FROM information_schema.processlist WHERE info LIKE '%SLEEP(20)%' AND db = '${db}' AND id <> CONNECTION_ID()`)).length === 1, 5000, "the SLEEP on MariaDB");
    await sluice.kill9();
    assert.equal(sluice.child.signalCode, "SIGKILL");
    assert.equal((await changes.findByKey(key))!.status, "running", "nobody has noticed yet");

    sluice = await startSluiceProcess({ yaml, storeDatabase, slack });
    const interrupted = await eventually(async () => {
      const change = await accountOf({ changes, prisma: store.prisma }, key);
      return change.status === "interrupted" ? change : undefined;
    }, 10_000, `${key} to be interrupted`);
    assert.deepEqual(
      interrupted.statements.map((s) => s.status),
      ["done", "done", "failed"],
    );
    assert.equal(interrupted.executions.length, 1);
    const execution = interrupted.executions[0]!;
    assert.equal(execution.status, "interrupted");
    assert.match(execution.error ?? "", /Sluice stopped during the run/);
    assert.deepEqual(
      execution.results.map((r) => r.status),
      ["done", "done", "failed"],
    );
    assert.match(execution.results[2]!.error ?? "", /Sluice stopped while this statement was running; check the database before retrying/);

    const root = await eventually(() => {
      const message = slack.channelMessages(CHANNEL).find((m) => m.ts === interrupted.slackTs && /Interrupted/.test(m.text));
      return message;
    }, 5000, "the root message to say interrupted");
    const blocks = JSON.stringify(root.blocks);
    assert.match(blocks, /"action_id":"change\.retry"/);
    assert.match(blocks, /"action_id":"change\.mark_done"/);
    assert.ok(slack.thread(CHANNEL, interrupted.slackTs!).some((m) => /was interrupted/.test(m.text)));

    // Nothing runs again by itself: no new execution, and a and b were created once (a re-run would have failed on them).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const later = (await changes.findByKey(key))!;
    assert.equal(later.status, "interrupted");
    assert.equal(later.executions.length, 1);
    const tables = await onMysql<{ name: string }>(db, `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${db}' AND table_name IN ('a', 'b') ORDER BY 1`);
    assert.deepEqual(
      tables.map((r) => r.name),
      ["a", "b"],
    );
    assert.doesNotMatch(sluice.output(), /xoxb-process-test/, "the bot token never appears in the log");

    // The restarted process answers the buttons it offered: an approver closes the change by hand.
    await sluice.send.click({ user: APPROVER, channel: CHANNEL, messageTs: later.slackTs!, actionId: CHANGE_ACTIONS.markDone, value: String(later.id) });
    const closed = await eventually(async () => {
      const change = await changes.findByKey(key);
      return change?.status === "done" ? change : undefined;
    }, 5000, `${key} to be marked done`);
    assert.equal(closed.approvals.at(-1)!.decision, "mark_done");
    assert.equal(closed.executions.length, 1, "marking as done runs nothing");
  });
});
