// The local Slack refuses what Slack refuses, the way Slack does: `ok: false` with invalid_blocks, invalid_arguments,
// msg_too_long or msg_blocks_too_long, through the same Web API client Sluice uses; a response_url answer and a request's answer likewise.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { WebClient } from "@slack/web-api";
import { LocalSlack } from "../../src/sandbox/local-slack.ts";
import { answerRejection } from "../../src/sandbox/block-kit-rules.ts";

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
const modal = (extra: Record<string, unknown> = {}, blocks: unknown[] = [section("hi")]) => ({
  type: "modal",
  title: { type: "plain_text", text: "Title" },
  blocks,
  ...extra,
});
const select = (count: number, text = "option") => ({
  type: "input",
  block_id: "pick",
  label: { type: "plain_text", text: "Pick" },
  element: { type: "static_select", action_id: "value", options: Array.from({ length: count }, (_, i) => ({ text: { type: "plain_text", text }, value: `v${i}` })) },
});

describe("the local Slack enforces Slack's limits", () => {
  const slack = new LocalSlack();
  let client: WebClient;

  before(async () => {
    await slack.listen();
    client = new WebClient("xoxb-test", { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  });
  after(() => slack.close());

  /** The error code Slack answers the call with, or "ok". */
  const outcome = async (call: () => Promise<unknown>): Promise<string> => {
    try {
      await call();
      return "ok";
    } catch (error) {
      return String((error as { data?: { error?: string } }).data?.error);
    }
  };
  const post = (blocks: unknown[], text = "t") => outcome(() => client.chat.postMessage({ channel: "C1", text, blocks: blocks as never }));
  const open = (view: Record<string, unknown>) => outcome(() => client.views.open({ trigger_id: slack.triggerFor("U1"), view: view as never }));

  test("messages: 50 blocks, section text 3,000, header 150, button text 75, 100 options, text 40,000", async () => {
    assert.equal(await post(Array.from({ length: 50 }, () => section("x"))), "ok");
    assert.equal(await post(Array.from({ length: 51 }, () => section("x"))), "invalid_blocks");
    assert.equal(await post([section("x".repeat(3000))]), "ok");
    assert.equal(await post([section("x".repeat(3001))]), "invalid_blocks");
    assert.equal(await post([{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }]), "invalid_blocks");
    const button = (text: string) => ({ type: "actions", elements: [{ type: "button", action_id: "a", text: { type: "plain_text", text } }] });
    assert.equal(await post([button("b".repeat(75))]), "ok");
    assert.equal(await post([button("b".repeat(76))]), "invalid_blocks");
    const accessory = (count: number) => ({ ...section("pick"), accessory: { type: "static_select", action_id: "s", options: select(count).element.options } });
    assert.equal(await post([accessory(100)]), "ok");
    assert.equal(await post([accessory(101)]), "invalid_blocks");
    assert.equal(await post([], "x".repeat(40_001)), "msg_too_long");
    // Slack's undocumented total of a message's block text (msg_blocks_too_long): each section fits, together they do not.
    assert.equal(await post(Array.from({ length: 4 }, () => section("x".repeat(2750)))), "ok");
    assert.equal(await post(Array.from({ length: 4 }, () => section("x".repeat(2751)))), "msg_blocks_too_long");
    assert.equal(await outcome(() => client.chat.update({ channel: "C1", ts: "1", text: "t", blocks: Array.from({ length: 51 }, () => section("x")) as never })), "invalid_blocks");
    assert.ok(slack.rejections.some((r) => r.messages.some((m) => m.includes("[json-pointer:/blocks/0/text/text]"))));
  });

  test("modals: 100 blocks, title 24, private_metadata 3,000, 100 options of 75 characters, initial_value within max_length", async () => {
    assert.equal(await open(modal({}, Array.from({ length: 100 }, () => section("x")))), "ok");
    assert.equal(await open(modal({}, Array.from({ length: 101 }, () => section("x")))), "invalid_arguments");
    assert.equal(await open(modal({ title: { type: "plain_text", text: "t".repeat(24) } })), "ok");
    assert.equal(await open(modal({ title: { type: "plain_text", text: "t".repeat(25) } })), "invalid_arguments");
    assert.equal(await open(modal({ private_metadata: "m".repeat(3001) })), "invalid_arguments");
    assert.equal(await open(modal({}, [select(101)])), "invalid_arguments");
    assert.equal(await open(modal({}, [select(1, "o".repeat(76))])), "invalid_arguments");
    const input = (initial: string, max?: number) => ({
      type: "input",
      block_id: "sql",
      label: { type: "plain_text", text: "SQL" },
      element: { type: "plain_text_input", action_id: "value", initial_value: initial, ...(max ? { max_length: max } : {}) },
    });
    assert.equal(await open(modal({}, [input("x".repeat(3000))])), "ok");
    assert.equal(await open(modal({}, [input("x".repeat(3001))])), "invalid_arguments");
    assert.equal(await open(modal({}, [input("x".repeat(11), 10)])), "invalid_arguments");
  });

  test("a response_url answer over the limits is refused with HTTP 400", async () => {
    const response = await fetch(slack.responseUrl(), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "t", blocks: [section("x".repeat(3001))] }) });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, "invalid_blocks");
  });

  test("a request's answer: a modal update, options and a message over the limits are refused", () => {
    assert.equal(answerRejection({ response_action: "update", view: modal({ title: { type: "plain_text", text: "t".repeat(25) } }) })?.error, "invalid_arguments");
    assert.equal(answerRejection({ options: select(101).element.options })?.error, "invalid_arguments");
    assert.equal(answerRejection({ options: select(100).element.options }), undefined);
    assert.equal(answerRejection({ response_type: "ephemeral", text: "t", blocks: Array.from({ length: 51 }, () => section("x")) })?.error, "invalid_blocks");
    assert.equal(answerRejection({ response_action: "errors", errors: { sql: "bad" } }), undefined);
  });
});
