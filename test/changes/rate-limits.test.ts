// Issue 24 §3: Slack rate-limits editing a message (about once a second; more is answered 429 with a Retry-After). A
// 300-statement change under the local Slack's rate limit ends with its root message showing it done, edited at
// most about once a second (never so fast that Slack refuses an edit), with at most ~60 edits in all.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, DEVELOPER, slackDirectory, submitChangeThroughModal, waitForPosted, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, dropMysqlDatabase } from "../support/servers.ts";

describe("Slack's rate limit on editing a message", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_rate_limits");
    t = await startTestSluice({ yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]), slack: { ...slackDirectory, chatUpdateIntervalMs: 1_000 } });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  test("a 300-statement change ends with its root message showing done, edited at Slack's pace", async () => {
    const script = Array.from({ length: 300 }, (_, i) => `CREATE TABLE t${i} (id INT PRIMARY KEY COMMENT 'id') COMMENT 'table ${i}';`).join("\n");
    const file = t.slack.addUserFile("three-hundred.sql", script);
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "schema", fileId: file.id });
    const done = await waitForPosted(t, change.key, "done", 240_000);
    assert.equal(done.statements.length, 300);
    const root = await eventually(() => {
      const message = t.slack.channelMessages(CHANNEL).find((m) => m.ts === done.slackTs);
      return message && /Done/.test(JSON.stringify(message.blocks)) ? message : undefined;
    }, 30_000, "the root message to show the change done");
    assert.ok(root);
    const ofRoot = (calls: Array<{ method: string; args: Record<string, unknown> }>) => calls.filter((call) => call.method === "chat.update" && call.args.ts === done.slackTs).length;
    const edits = ofRoot(t.slack.calls);
    const refused = ofRoot(t.slack.rateLimited);
    assert.ok(edits + refused <= 60, `at most ~60 edits of the root message: ${edits} made, ${refused} refused`);
    assert.equal(refused, 0, "Sluice never edits the root message faster than Slack allows");
  });
});

describe("a Slack stricter than Sluice's pace", () => {
  let t: TestSluice;
  let db: string;
  before(async () => {
    db = await createMysqlDatabase("sluice_rate_strict");
    t = await startTestSluice({ yaml: workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]), slack: { ...slackDirectory, chatUpdateIntervalMs: 2_500 } });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
  });

  test("edits Slack refuses wait out its Retry-After, and the root message still ends showing done", async () => {
    const script = Array.from({ length: 40 }, (_, i) => `CREATE TABLE t${i} (id INT PRIMARY KEY COMMENT 'id') COMMENT 'table ${i}';`).join("\n");
    const file = t.slack.addUserFile("forty.sql", script);
    const change = await submitChangeThroughModal(t, DEVELOPER, { database: db, type: "schema", fileId: file.id });
    const done = await waitForPosted(t, change.key, "done", 240_000);
    await eventually(() => /Done/.test(JSON.stringify(t.slack.channelMessages(CHANNEL).find((m) => m.ts === done.slackTs)?.blocks)), 60_000, "the root message to show the change done");
    assert.ok(t.slack.rateLimited.some((call) => call.args.ts === done.slackTs), "Slack refused some edit of the root message");
  });
});
