// Issue 23 §2: Slack took a thread reply, and the store failed to record that it did (the outbox row stays, claimed,
// as when Sluice dies right after the post). Once the claim runs out the message is delivered again: the reply is not
// posted a second time, because the retry finds it in the thread by the key in its metadata.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, changeFormValues, changeOfRequest, DEVELOPER, onMysql, openModal, slackDirectory, waitForStatus, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";

/** The store refuses, once, to delete the outbox row of a change's "done" note after Slack took it. */
const REFUSE_FIRST_RECORD = `
  CREATE FUNCTION refuse_first_record() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'the store went away'; END $$;
  CREATE TRIGGER refuse_first_record BEFORE DELETE ON "SlackOutbox"
    FOR EACH ROW WHEN (OLD."payload"->>'kind' = 'done' AND OLD."attempts" = 1) EXECUTE FUNCTION refuse_first_record();`;

describe("drill: Slack took a thread reply and the store did not record it", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_reply_once");
    await onMysql(db, "CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40) NOT NULL)");
    t = await startTestSluice({
      yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Test" }], "delivery:\n  maxRetrySeconds: 1\n"),
      slack: slackDirectory,
    });
    await t.sluice.store.pool.query(REFUSE_FIRST_RECORD);
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  test("the retried delivery finds the reply in the thread and does not post it again", async () => {
    const view = await openModal(t, DEVELOPER, "change", "change.submit");
    await t.send.submitView({
      user: DEVELOPER,
      view: { ...view.view, id: view.id },
      values: changeFormValues({ database: db, type: "data", sql: "INSERT INTO events (what) VALUES ('noted once')" }),
    });
    const stored = await changeOfRequest(t, `view:${view.id}`);
    const change = await waitForStatus(t, stored.key, "done");
    const { prisma } = t.sluice.store;
    const doneNotes = () => t.slack.thread(CHANNEL, change.slackTs!).filter((m) => m.text.includes(`${stored.key} is done`));
    await eventually(() => doneNotes().length === 1, 10_000, "the done note");
    const kept = await eventually(async () => (await prisma.slackOutbox.findFirst({ where: { subject: `change:${stored.id}`, claimedBy: { not: null } } })) ?? undefined, 10_000, "the note's row kept, claimed");
    assert.equal((kept.payload as { kind: string }).kind, "done");

    // The claim runs out, as that of a process killed right after Slack took the note: another delivery takes it.
    await prisma.slackOutbox.update({ where: { id: kept.id }, data: { claimedUntil: new Date(Date.now() - 1_000) } });
    await eventually(async () => (await prisma.slackOutbox.count({ where: { subject: `change:${stored.id}` } })) === 0, 10_000, "the retried delivery");
    assert.ok(t.slack.callsTo("conversations.replies").length >= 1, "the retry read the thread");
    assert.equal(doneNotes().length, 1, "the note is in the thread once");
    assert.equal(doneNotes()[0]!.metadata?.event_payload.key, `${kept.id}:note`, "keyed by its outbox message");
  });
});
