// Fault drill (issue 10): requests that are not Slack's — a bad or old signature, malformed JSON in `payload`, a
// body over the receiver's limit — are rejected (401/400/413) and change nothing: no store rows, no Slack calls.
// Sluice runs as its own process so its whole log can be read: no line may contain the signing secret.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { CHANNEL, DEVELOPER, workflowYaml } from "../support/changes.ts";
import { storeUrl } from "../support/sluice.ts";
import { createPostgresDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { LocalSlack } from "../../src/sandbox/local-slack.ts";
import { signature } from "../../src/sandbox/slack-requests.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { createLogger } from "../../src/logger.ts";
import { migrationsDir } from "../../src/sluice.ts";
import { startSluiceProcess, type SluiceProcess } from "../changes/support/sluice-process.ts";

const FORM = "application/x-www-form-urlencoded";

describe("drill: requests that are not from Slack", () => {
  const signingSecret = randomBytes(20).toString("hex");
  let slack: LocalSlack;
  let storeDatabase: string;
  let sluice: SluiceProcess;
  let store: Store;
  before(async () => {
    storeDatabase = await createPostgresDatabase("sluice_store");
    slack = new LocalSlack();
    await slack.listen();
    sluice = await startSluiceProcess({ yaml: workflowYaml([]), storeDatabase, slack, signingSecret });
    store = await openStore({ databaseUrl: storeUrl(storeDatabase), dataDir: "/nonexistent", migrationsDir, logger: createLogger("silent") });
  });
  after(async () => {
    await sluice.stop();
    await store.close();
    await slack.close();
    await dropPostgresDatabase(storeDatabase);
  });

  async function post(body: string, headers: Record<string, string>) {
    const response = await fetch(`http://127.0.0.1:${sluice.port}/slack/events`, { method: "POST", headers: { "content-type": FORM, ...headers }, body });
    return { status: response.status, body: await response.text() };
  }

  function signed(body: string, at = Math.floor(Date.now() / 1000)) {
    return { "x-slack-request-timestamp": String(at), "x-slack-signature": signature(signingSecret, at, body) };
  }

  async function storeRows(): Promise<number> {
    const [changes, approvals, audits] = await Promise.all([store.prisma.change.count(), store.prisma.approval.count(), store.prisma.auditLog.count()]);
    return changes + approvals + audits;
  }

  test("each is rejected with its status, nothing is stored or sent to Slack, and the log never holds the signing secret", async () => {
    const rowsBefore = await storeRows();
    const callsBefore = slack.calls.length;
    const command = sluice.send.commandBody("change", DEVELOPER, CHANNEL);

    const badSignature = await post(command, { ...signed(command), "x-slack-signature": `v0=${"0".repeat(64)}` });
    assert.equal(badSignature.status, 401, "bad signature");

    const old = Math.floor(Date.now() / 1000) - 600;
    assert.equal((await post(command, signed(command, old))).status, 401, "a correctly signed request ten minutes old");

    const wrongSecret = `v0=${signature("not-the-secret", Math.floor(Date.now() / 1000), command).slice(3)}`;
    assert.equal((await post(command, { ...signed(command), "x-slack-signature": wrongSecret })).status, 401, "signed with another secret");

    const malformed = new URLSearchParams({ payload: '{"type":"block_actions","actions":[{"action_id":"change.approve"' }).toString();
    const malformedReply = await post(malformed, signed(malformed));
    assert.equal(malformedReply.status, 400, `malformed JSON in payload: ${malformedReply.status} ${malformedReply.body}`);

    const huge = new URLSearchParams({ payload: JSON.stringify({ type: "block_actions", filler: "x".repeat(1_100_000) }) }).toString();
    const hugeReply = await post(huge, signed(huge));
    assert.equal(hugeReply.status, 413, `oversized body: ${hugeReply.status}`);

    // A correct request still works afterwards, so the rejections above were not an outage.
    const ok = await sluice.send.command("help", DEVELOPER, CHANNEL);
    assert.equal(ok.status, 200);

    assert.equal(await storeRows(), rowsBefore, "no store rows");
    assert.deepEqual(
      slack.calls.slice(callsBefore).map((c) => c.method).filter((m) => m !== "auth.test"),
      [],
      "no Slack calls for the rejected requests (help answers through the command's response_url, not a Web API method)",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const log = sluice.output();
    const rejections = log.split("\n").filter((line) => /signature mismatch|is stale|Malformed request body|exceeded the maximum allowed size/.test(line));
    assert.equal(rejections.length, 5, `one warning per rejected request:\n${rejections.join("\n")}`);
    assert.ok(log.length > 0);
    assert.ok(!log.includes(signingSecret), "the signing secret is not in the log");
    assert.ok(!log.includes("xoxb-process-test"), "the bot token is not in the log");
  });
});
