// Issue 10: Slack gets its HTTP 200 from a thread of its own, so an acknowledgement never waits for the work Sluice
// does on its main thread. A click is answered while that thread is blocked, and its work still happens after.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { readdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { Writable } from "node:stream";
import bolt from "@slack/bolt";
import { pino } from "pino";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import { OVERRIDE_MODAL } from "../../src/slack/blocks/change-modal.ts";
import { ThreadReceiver } from "../../src/slack/ack-thread/thread-receiver.ts";
import { SlackRequestSender, signature } from "../../src/sandbox/slack-requests.ts";
import { APPROVER, CHANNEL } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";

const yaml = `
environments:
  - name: Test
    autoApprove: true
`;

/**
 * Another thread that warms its connection up, then sends one signed request the moment `go` is set and reports
 * how long the answer took: the request leaves while the test's own thread (Sluice's main thread) is blocked.
 */
const SENDER = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, healthUrl, body, headers, go } = workerData;
(async () => {
  await (await fetch(healthUrl)).text();
  parentPort.postMessage({ ready: true });
  Atomics.wait(new Int32Array(go), 0, 0);
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers, body });
  await response.text();
  parentPort.postMessage({ status: response.status, ms: performance.now() - started });
})();
`;

/** The acknowledgement thread's id (for pinning it) names a live thread of this process other than the main one. */
function assertIsThisProcessesOtherThread(threadId: number | undefined): void {
  assert.ok(threadId !== undefined, "the thread reported its id");
  assert.notEqual(threadId, process.pid, "not the main thread");
  assert.ok(readdirSync("/proc/self/task").includes(String(threadId)), `thread ${threadId} is one of this process's`);
}

/** Blocks this thread, timers, I/O and all, as a long synchronous piece of work would. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe("the acknowledgement thread", () => {
  let t: TestSluice;
  before(async () => {
    t = await startTestSluice({ yaml });
  });
  after(async () => {
    await t.stop();
  });

  test("a click is answered 200 while Sluice's main thread is blocked, and its work is done once the thread is free", async () => {
    // No change 999999: the click's work is to tell the clicker so, in an ephemeral message.
    const body = t.send.buttonClickBody({ user: APPROVER, channel: CHANNEL, messageTs: "1.000001", actionId: CHANGE_ACTIONS.approve, value: "999999" });
    const at = Math.floor(Date.now() / 1000);
    const headers = { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(at), "x-slack-signature": signature(t.signingSecret, at, body) };
    const go = new SharedArrayBuffer(4);
    const sender = new Worker(SENDER, { eval: true, workerData: { url: `${t.baseUrl}/slack/events`, healthUrl: `${t.baseUrl}/healthz`, body, headers, go } });
    try {
      await once(sender, "message");
      const answered = once(sender, "message");
      const ephemeralsBefore = t.slack.callsTo("chat.postEphemeral").length;
      Atomics.store(new Int32Array(go), 0, 1);
      Atomics.notify(new Int32Array(go), 0);
      blockFor(500);
      const [reply] = (await answered) as [{ status: number; ms: number }];
      assert.equal(reply.status, 200);
      // Answered before the block ends, with room for a machine where another test file runs beside this one (an
      // answer from the main thread could come only after its 500 ms block).
      assert.ok(reply.ms < 350, `answered after ${reply.ms.toFixed(0)} ms, though the main thread was blocked for 500 ms`);
      const told = await eventually(() => t.slack.callsTo("chat.postEphemeral").slice(ephemeralsBefore)[0], 5000, "the answer to the click");
      assert.equal(told.user, APPROVER.id);
    } finally {
      await sender.terminate();
    }
  });

  test("a request whose body never finishes holds up the work on other clicks no longer than a few ms", async () => {
    // The thread counts it as unanswered for as long as its body is coming: work lets it go first, within a bound.
    const url = new URL(`${t.baseUrl}/slack/events`);
    const held = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "content-length": 10_000 } });
    held.on("error", () => {});
    held.write("payload=");
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const ephemeralsBefore = t.slack.callsTo("chat.postEphemeral").length;
      const started = performance.now();
      const reply = await t.send.click({ user: APPROVER, channel: CHANNEL, messageTs: "1.000002", actionId: CHANGE_ACTIONS.approve, value: "999998" });
      assert.equal(reply.status, 200);
      const told = await eventually(() => t.slack.callsTo("chat.postEphemeral").slice(ephemeralsBefore)[0], 5000, "the answer to the click");
      assert.match(String(told.text), /There is no change 999998/);
      assert.ok(performance.now() - started < 2_000, "the click's work did not wait for the unfinished request");
    } finally {
      held.destroy();
    }
  });

  test("a modal submission that fails validation gets its errors in the HTTP answer", async () => {
    const reply = await t.send.submitView({
      user: APPROVER,
      view: { id: "VOVERRIDE", callback_id: OVERRIDE_MODAL, private_metadata: JSON.stringify({ changeId: 1 }) },
      values: { reason: { value: { type: "plain_text_input", value: "short" } } },
    });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json(), { response_action: "errors", errors: { reason: "Say why the findings may be overridden (at least 10 characters)." } });
  });

  test("a click with a bad signature, an unparsable one and one over the body limit are refused, and none is handled", async () => {
    const callsBefore = t.slack.calls.length;
    const click = t.send.buttonClickBody({ user: APPROVER, channel: CHANNEL, messageTs: "1.000001", actionId: CHANGE_ACTIONS.approve, value: "999999" });
    const unsigned = await t.send.send(click, "application/x-www-form-urlencoded", { "x-slack-signature": `v0=${"0".repeat(64)}` });
    assert.equal(unsigned.status, 401);
    const malformed = new URLSearchParams({ payload: '{"type":"block_actions"' }).toString();
    assert.equal((await t.send.send(malformed, "application/x-www-form-urlencoded")).status, 400);
    const huge = new URLSearchParams({ payload: JSON.stringify({ type: "block_actions", filler: "x".repeat(1_100_000) }) }).toString();
    assert.equal((await t.send.send(huge, "application/x-www-form-urlencoded")).status, 413);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(t.slack.calls.slice(callsBefore), [], "no Slack calls");
  });
});

/** Bolt's own App on the thread receiver, with handlers written for each test: what the receiver does for any app. */
describe("the thread receiver under a Bolt app", () => {
  const { App, LogLevel } = bolt;
  const signingSecret = "a-test-signing-secret";
  const logLines: string[] = [];
  const logger = pino({ level: "info" }, new Writable({ write: (chunk: Buffer, _encoding, done) => done(void logLines.push(chunk.toString())) }));
  const echo = (req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      res.writeHead(201, { "content-type": "application/json", "x-route": "echo" });
      res.end(JSON.stringify({ method: req.method, name: req.params?.name, query: req.url?.split("?")[1], body: Buffer.concat(chunks).toString() }));
    });
  };
  const receiver = new ThreadReceiver({
    signingSecret,
    bodyLimitBytes: 10_000,
    customRoutes: [{ path: "/echo/:name", method: ["GET", "POST"], handler: echo }],
    logger,
    boltLogger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} },
  });
  const app = new App({ token: "xoxb-test", receiver, botId: "BSLUICE", botUserId: "USLUICE", tokenVerificationEnabled: false, logLevel: LogLevel.ERROR });
  const retries: Array<number | undefined> = [];
  app.action("retried", async ({ ack, context }) => {
    await ack();
    retries.push(context.retryNum);
  });
  app.view("never_answered", async () => {});
  app.view("fails", async () => {
    throw new Error("the handler failed before its ack");
  });
  let base = "";
  let send: SlackRequestSender;
  before(async () => {
    base = `http://127.0.0.1:${await receiver.start(0, "127.0.0.1")}`;
    send = new SlackRequestSender(`${base}/slack/events`, signingSecret, () => `${base}/nowhere`);
  });
  after(async () => {
    await receiver.stop();
  });

  test("other routes reach the main thread's server: method, path parameters, query, body, status and headers", async () => {
    const response = await fetch(`${base}/echo/ada?x=1`, { method: "POST", body: "hello" });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("x-route"), "echo");
    assert.deepEqual(await response.json(), { method: "POST", name: "ada", query: "x=1", body: "hello" });
    assert.equal((await fetch(`${base}/nothing-here`)).status, 404);
    assert.equal((await fetch(`${base}/slack/events`)).status, 404, "/slack/events takes only POST");
  });

  test("Slack's URL verification and SSL check are answered by the thread", async () => {
    const verified = await send.send(JSON.stringify({ type: "url_verification", challenge: "c-123", token: "t" }), "application/json");
    assert.deepEqual(verified.json(), { challenge: "c-123" });
    const sslCheck = await fetch(`${base}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "ssl_check=1&token=t" });
    assert.equal(sslCheck.status, 200);
  });

  test("Slack's retry headers reach the handler", async () => {
    const click = send.buttonClickBody({ user: { id: "U1" }, channel: "C1", messageTs: "1.1", actionId: "retried" });
    assert.equal((await send.send(click, "application/x-www-form-urlencoded", { "x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout" })).status, 200);
    await eventually(() => retries.length > 0, 5000, "the retried click");
    assert.deepEqual(retries, [2]);
  });

  test("a modal submission no handler answers is acknowledged empty before Slack's 3 seconds, and logged", async () => {
    const started = performance.now();
    const reply = await send.submitView({ user: { id: "U1" }, view: { id: "V1", callback_id: "never_answered" }, values: {} });
    const tookMs = performance.now() - started;
    assert.equal(reply.status, 200);
    assert.equal(reply.body, "");
    assert.ok(tookMs > 2000 && tookMs < 3000, `answered after ${tookMs.toFixed(0)} ms`);
    assert.ok(logLines.some((line) => /did not answer a view_submission within 2500 ms/.test(line)));
  });

  test("a modal submission whose handler fails before acknowledging is answered 500", async () => {
    const reply = await send.submitView({ user: { id: "U1" }, view: { id: "V2", callback_id: "fails" }, values: {} });
    assert.equal(reply.status, 500);
  });

  test("a thread that dies is started again on the same port, and Slack's requests are answered again", async () => {
    const first = receiver.acknowledgementThreadId();
    if (process.platform === "linux") assertIsThisProcessesOtherThread(first);
    // As if it had crashed: the receiver did not ask it to stop.
    await (receiver as unknown as { thread: { terminate(): Promise<number> } }).thread.terminate();
    await eventually(() => logLines.some((line) => /the acknowledgement thread exited; starting it again/.test(line)), 2000, "the exit in the log");
    const click = send.buttonClickBody({ user: { id: "U1" }, channel: "C1", messageTs: "1.1", actionId: "retried" });
    const answered = await eventually(async () => (await send.send(click, "application/x-www-form-urlencoded").catch(() => undefined))?.status === 200, 5000, "an answer from the new thread");
    assert.ok(answered);
    if (process.platform === "linux") {
      const second = receiver.acknowledgementThreadId();
      assertIsThisProcessesOtherThread(second);
      assert.notEqual(second, first, "the thread started again is another thread");
    }
  });

  test("refusals are logged with their reason, never with the signing secret", async () => {
    const body = send.commandBody("help", { id: "U1" }, "C1");
    assert.equal((await send.send(body, "application/x-www-form-urlencoded", { "x-slack-signature": `v0=${"0".repeat(64)}` })).status, 401);
    assert.equal((await send.send("x".repeat(10_001), "application/x-www-form-urlencoded")).status, 413);
    await eventually(() => logLines.some((line) => /exceeded the maximum allowed size/.test(line)), 2000, "the 413 in the log");
    assert.ok(logLines.some((line) => /Rejected a request to \/slack\/events with 401: .*signature mismatch/.test(line)));
    assert.ok(!logLines.join("").includes(signingSecret));
  });
});
