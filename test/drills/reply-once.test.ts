// Issue 23 §2: Slack took a thread reply, and the store failed to record that it did (the outbox row stays, claimed,
// as when Sluice dies right after the post). Once the claim runs out the message is delivered again: the reply is not
// posted a second time, because the retry finds it in the thread by the key in its metadata. A token without the scope
// to read the thread gets the old behaviour, at least once: the delivery still finishes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, changeFormValues, changeOfRequest, DEVELOPER, onMysql, openModal, slackDirectory, waitForStatus, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import type { LocalMessage, LocalSlackOptions } from "../../src/sandbox/local-slack.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";

/** The store refuses, once, to delete the outbox row of a change's "done" note after Slack took it. */
const REFUSE_FIRST_RECORD = `
  CREATE FUNCTION refuse_first_record() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'the store went away'; END $$;
  CREATE TRIGGER refuse_first_record BEFORE DELETE ON "SlackOutbox"
    FOR EACH ROW WHEN (OLD."payload"->>'kind' = 'done' AND OLD."attempts" = 1) EXECUTE FUNCTION refuse_first_record();`;

async function startRefusingFirstRecord(db: string, slack: LocalSlackOptions = {}): Promise<TestSluice> {
  const t = await startTestSluice({
    yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Test" }], "delivery:\n  maxRetrySeconds: 1\n"),
    slack: { ...slackDirectory, ...slack },
  });
  await t.sluice.store.pool.query(REFUSE_FIRST_RECORD);
  return t;
}

/**
 * Submits a data change that runs by itself and waits until Slack has its "done" note while the store kept the note's
 * outbox row (claimed); then lets that claim run out, as a killed process's does, and waits for the retried delivery.
 * Returns the thread's "done" notes and the row's id.
 */
async function doneNoteDeliveredTwice(t: TestSluice, db: string): Promise<{ notes: LocalMessage[]; rowId: number }> {
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
  return { notes: doneNotes(), rowId: kept.id };
}

describe("drill: Slack took a thread reply and the store did not record it", () => {
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_reply_once");
    await onMysql(db, "CREATE TABLE events (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(40) NOT NULL)");
  });
  after(async () => dropMysqlDatabase(db));

  test("the retried delivery finds the reply in the thread and does not post it again", async () => {
    const t = await startRefusingFirstRecord(db);
    try {
      const { notes, rowId } = await doneNoteDeliveredTwice(t, db);
      assert.ok(t.slack.callsTo("conversations.replies").length >= 1, "the retry read the thread");
      assert.equal(notes.length, 1, "the note is in the thread once");
      assert.equal(notes[0]!.metadata?.event_payload.key, `${rowId}:note`, "keyed by its outbox message");
    } finally {
      await t.stop();
    }
  });

  test("without the scope to read the thread, the retried delivery posts the reply again rather than never finishing", async () => {
    const t = await startRefusingFirstRecord(db, { refusedMethods: { "conversations.replies": "missing_scope", "conversations.history": "missing_scope" } });
    try {
      const { notes } = await doneNoteDeliveredTwice(t, db);
      assert.ok(t.slack.callsTo("conversations.replies").length >= 1, "the retry tried to read the thread");
      assert.equal(notes.length, 2, "at least once: the note again");
    } finally {
      await t.stop();
    }
  });
});
