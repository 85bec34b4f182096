import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { signature } from "../../src/sandbox/slack-requests.ts";
import { createPostgresDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { workflowYaml } from "../support/changes.ts";

const yaml = `
environments:
  - name: Test
    autoApprove: true
`;

describe("the Slack receiver", () => {
  let t: TestSluice;
  before(async () => {
    t = await startTestSluice({ yaml });
  });
  after(async () => {
    await t.stop();
  });

  /** The message Sluice sent to the command's response_url (Slack shows it as it shows one in the acknowledgement). */
  async function answerTo(text: string): Promise<Record<string, unknown>> {
    const before = t.slack.responses.length;
    const reply = await t.send.command(text, { id: "UDEV" }, "CCHANNEL");
    assert.equal(reply.status, 200);
    assert.equal(reply.body, "", "the command is acknowledged at once, with nothing in it");
    return eventually(() => t.slack.responses.slice(before)[0]?.body, 5000, `the answer to /db ${text}`);
  }

  test("/db help is answered through the real HTTP receiver", async () => {
    const body = await answerTo("help");
    assert.equal(body.response_type, "ephemeral");
    assert.match(String(body.text), /\/db help/);
    assert.ok(Array.isArray(body.blocks) && body.blocks.length > 1);
  });

  test("an unknown subcommand gets the help, saying what was not understood", async () => {
    const body = await answerTo("frobnicate now");
    assert.match(JSON.stringify(body.blocks), /Unknown command `\/db frobnicate`/);
  });

  test("a request with a bad signature is rejected with 401 and not handled", async () => {
    const body = t.send.commandBody("help", { id: "UDEV" }, "CCHANNEL");
    const reply = await t.send.send(body, "application/x-www-form-urlencoded", { "x-slack-signature": "v0=" + "0".repeat(64) });
    assert.equal(reply.status, 401);
    assert.doesNotMatch(reply.body, /Sluice/);
  });

  test("a correctly signed request that is more than five minutes old is rejected", async () => {
    const body = t.send.commandBody("help", { id: "UDEV" }, "CCHANNEL");
    const old = Math.floor(Date.now() / 1000) - 600;
    const reply = await t.send.send(body, "application/x-www-form-urlencoded", {
      "x-slack-request-timestamp": String(old),
      "x-slack-signature": signature(t.signingSecret, old, body),
    });
    assert.equal(reply.status, 401);
  });

  test("a correctly signed request dated more than five minutes ahead is rejected and not handled; one a minute ahead (clock skew) is answered", async () => {
    const signedAt = (offsetSeconds: number) => {
      const body = t.send.commandBody("help", { id: "UDEV" }, "CCHANNEL");
      const at = Math.floor(Date.now() / 1000) + offsetSeconds;
      return t.send.send(body, "application/x-www-form-urlencoded", { "x-slack-request-timestamp": String(at), "x-slack-signature": signature(t.signingSecret, at, body) });
    };
    const before = t.slack.responses.length;
    const ahead = await signedAt(600);
    assert.equal(ahead.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(t.slack.responses.length, before, "the request dated ahead got no answer");
    assert.equal((await signedAt(60)).status, 200);
    await eventually(() => t.slack.responses.length > before, 5000, "the answer to the request a minute ahead");
  });

  test("/healthz reports the store as reachable", async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok", store: "ok", instances: {} });
  });

  test("work acknowledged just before Sluice stops is finished before it stops (answers posted, nothing left retrying)", async () => {
    const database = await createPostgresDatabase("receiver_stop");
    // Each Web API call takes 300 ms: every answer is still on its way to Slack when stop() is called.
    const late = await startTestSluice({ yaml: workflowYaml([{ name: database, engine: "postgres", environment: "Test" }]), slack: { latencyMs: 300 } });
    try {
      const replies = await Promise.all(Array.from({ length: 5 }, () => late.send.command(`history ${database}`, { id: "UDEV" }, "CCHANNEL")));
      assert.ok(replies.every((reply) => reply.status === 200));
      await late.sluice.stop();
      const answers = late.slack.messages.filter((message) => message.visibleTo === "UDEV").map((message) => message.text.split("\n")[0] ?? "");
      assert.deepEqual(answers.filter((text) => !/^History of/.test(text)), [], "every answer is the history");
      assert.equal(answers.length, 5, "each acknowledged /db history was answered before stop() returned");
    } finally {
      await late.slack.close();
      await dropPostgresDatabase(late.storeDatabase);
      await dropPostgresDatabase(database);
    }
  });
});

describe("/healthz when the history store is down", () => {
  test("answers 503 and says the store is unreachable", async () => {
    const t = await startTestSluice({ yaml });
    try {
      await dropPostgresDatabase(t.storeDatabase);
      const response = await fetch(`${t.baseUrl}/healthz`);
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { status: "down", store: "down", instances: {} });
    } finally {
      await t.stop();
    }
  });
});
