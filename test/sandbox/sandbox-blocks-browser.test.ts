// The page's Block Kit and modal handling, in a real browser, against a real Bolt app (the library Sluice's Slack
// layer is built on) that posts every block type and opens a modal with every input Sluice uses. What Bolt receives
// is checked as the payload Slack itself sends.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import bolt from "@slack/bolt";
import type { App as BoltApp, BlockAction, SlackViewAction } from "@slack/bolt";
import type { Browser, Page } from "playwright-core";
import { LocalSlack } from "../../src/sandbox/local-slack.ts";
import { sandboxRoutes } from "../../src/sandbox/routes.ts";
import { eventually } from "../support/sluice.ts";
import { browserSkipReason, clickButton, confirm, fillModal, freePort, launchBrowser, message, modal, modalInput, runCommand, screenshot, submitModal } from "./browser-helpers.ts";

const { App, HTTPReceiver, LogLevel } = bolt;
const skip = browserSkipReason();
const users = { UDEVELOPER: "developer", UAPPROVER: "approver" };

const messageBlocks = [
  { type: "header", text: { type: "plain_text", text: "DEMO-7: add orders table" } },
  {
    type: "section",
    text: { type: "mrkdwn", text: "*Requested by* <@UDEVELOPER> on `demo_test`, see <https://example.com/docs|the docs>\n```CREATE TABLE orders (id int);```" },
    fields: [
      { type: "mrkdwn", text: "*Type*\nschema" },
      { type: "mrkdwn", text: "*Status*\nawaiting approval" },
    ],
    accessory: { type: "button", action_id: "view_change", text: { type: "plain_text", text: "View change" }, value: "7" },
  },
  { type: "context", elements: [{ type: "mrkdwn", text: "Environment *Prod*" }] },
  { type: "divider" },
  {
    type: "rich_text",
    elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "rich " }, { type: "text", text: "bold", style: { bold: true } }] }],
  },
  {
    type: "actions",
    block_id: "decision",
    elements: [
      {
        type: "button",
        action_id: "approve",
        style: "primary",
        value: "7",
        text: { type: "plain_text", text: "Approve" },
        confirm: {
          title: { type: "plain_text", text: "Approve DEMO-7?" },
          text: { type: "mrkdwn", text: "It runs on *Prod* at once." },
          confirm: { type: "plain_text", text: "Approve and run" },
          deny: { type: "plain_text", text: "Not yet" },
        },
      },
      { type: "button", action_id: "reject", style: "danger", value: "7", text: { type: "plain_text", text: "Reject" } },
    ],
  },
  { type: "table_of_the_future", block_id: "odd", rows: [[1, 2]] },
];

function changeModal(): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: "change_modal",
    private_metadata: "meta-1",
    title: { type: "plain_text", text: "Submit a change" },
    submit: { type: "plain_text", text: "Submit" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "input",
        block_id: "database",
        label: { type: "plain_text", text: "Database" },
        element: {
          type: "static_select",
          action_id: "pick",
          option_groups: [
            { label: { type: "plain_text", text: "Test" }, options: [{ text: { type: "plain_text", text: "demo_test" }, value: "1" }] },
            { label: { type: "plain_text", text: "Prod" }, options: [{ text: { type: "plain_text", text: "demo_prod" }, value: "2" }] },
          ],
        },
      },
      {
        type: "input",
        block_id: "kind",
        label: { type: "plain_text", text: "Change type" },
        element: {
          type: "radio_buttons",
          action_id: "pick",
          initial_option: { text: { type: "plain_text", text: "Schema (DDL)" }, value: "schema" },
          options: [
            { text: { type: "plain_text", text: "Schema (DDL)" }, value: "schema" },
            { text: { type: "plain_text", text: "Data (DML)" }, value: "data" },
          ],
        },
      },
      {
        type: "input",
        block_id: "sql",
        optional: true,
        label: { type: "plain_text", text: "SQL" },
        element: { type: "plain_text_input", action_id: "text", multiline: true, initial_value: "-- your SQL" },
      },
      { type: "input", block_id: "file", optional: true, label: { type: "plain_text", text: "Or a .sql file" }, element: { type: "file_input", action_id: "upload", filetypes: ["sql"] } },
      {
        type: "input",
        block_id: "flags",
        optional: true,
        label: { type: "plain_text", text: "Options" },
        element: { type: "checkboxes", action_id: "pick", options: [{ text: { type: "plain_text", text: "Notify me" }, value: "notify" }] },
      },
      {
        type: "input",
        block_id: "table",
        optional: true,
        label: { type: "plain_text", text: "Table" },
        element: { type: "external_select", action_id: "find", min_query_length: 0, placeholder: { type: "plain_text", text: "Type to search 150 tables" } },
      },
      // Optional, so the empty field reaches the app and its own error comes back (an empty required field never leaves the page).
      { type: "input", block_id: "description", optional: true, label: { type: "plain_text", text: "Description" }, element: { type: "plain_text_input", action_id: "text" } },
    ],
  };
}

/** More tables than a select holds: the modal's type-ahead asks for them as the user types. */
const TABLES = Array.from({ length: 150 }, (_, i) => `table_${i + 1}`);

function doneModal(): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: "done_modal",
    title: { type: "plain_text", text: "Submitted" },
    close: { type: "plain_text", text: "Close" },
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: "DEMO-7 is *in review*." } },
      { type: "actions", block_id: "more", elements: [{ type: "button", action_id: "details", value: "7", text: { type: "plain_text", text: "Details" } }] },
    ],
  };
}

describe("the sandbox page renders Block Kit and drives modals like Slack", { skip }, () => {
  const local = new LocalSlack({ users });
  const received: Array<{ kind: string; body: Record<string, unknown> }> = [];
  let app: BoltApp;
  let receiver: InstanceType<typeof HTTPReceiver>;
  let browser: Browser;
  let page: Page;
  let base: string;
  let approvedTs = "";

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    local.mountAt(`${base}/sandbox`);
    const signingSecret = randomBytes(16).toString("hex");
    receiver = new HTTPReceiver({
      signingSecret,
      endpoints: "/slack/events",
      customRoutes: sandboxRoutes(local, { origin: base, eventsUrl: `${base}/slack/events`, signingSecret, users, channel: "CSANDBOX" }),
      logLevel: LogLevel.ERROR,
    });
    app = new App({ token: "xoxb-test", receiver, clientOptions: { slackApiUrl: local.apiUrl }, botUserId: local.botUserId, botId: "BSLUICE", tokenVerificationEnabled: false, logLevel: LogLevel.ERROR });
    app.command("/db", async ({ command, ack, client, respond }) => {
      received.push({ kind: "command", body: command as unknown as Record<string, unknown> });
      if (command.text === "post") {
        await ack();
        const posted = await client.chat.postMessage({ channel: command.channel_id, text: "DEMO-7", blocks: messageBlocks as never });
        await client.chat.postMessage({ channel: command.channel_id, thread_ts: posted.ts, text: "Review: no findings :white_check_mark:" });
        await client.filesUploadV2({ channel_id: command.channel_id, thread_ts: posted.ts!, filename: "result.csv", content: "id,name\n1,ada\n", title: "Query result" });
        await respond({ response_type: "ephemeral", text: "Posted by respond()" });
      } else {
        await ack();
        await client.views.open({ trigger_id: command.trigger_id, view: changeModal() as never });
      }
    });
    app.action("approve", async ({ ack, body, client }) => {
      await ack();
      received.push({ kind: "approve", body: body as unknown as Record<string, unknown> });
      const action = body as BlockAction;
      approvedTs = action.container.message_ts as string;
      await client.chat.update({ channel: action.container.channel_id as string, ts: approvedTs, text: "approved", blocks: [{ type: "section", text: { type: "mrkdwn", text: `:white_check_mark: Approved by <@${action.user.id}>` } }] });
    });
    app.action("details", async ({ ack, body, client }) => {
      await ack();
      received.push({ kind: "details", body: body as unknown as Record<string, unknown> });
      await client.views.push({ trigger_id: (body as BlockAction).trigger_id, view: { type: "modal", title: { type: "plain_text", text: "Details" }, blocks: [{ type: "section", text: { type: "plain_text", text: "Pushed view" } }] } });
    });
    app.options("find", async ({ ack, payload }) => {
      received.push({ kind: "suggestion", body: payload as unknown as Record<string, unknown> });
      await ack({ options: TABLES.filter((name) => name.endsWith(payload.value)).slice(0, 100).map((name) => ({ text: { type: "plain_text", text: name }, value: name })) });
    });
    let submissions = 0;
    app.view("change_modal", async ({ ack, body }) => {
      received.push({ kind: "submission", body: body as unknown as Record<string, unknown> });
      submissions += 1;
      if (submissions === 1) await ack({ response_action: "errors", errors: { description: "Say why: a description is required." } });
      else await ack({ response_action: "update", view: doneModal() as never });
    });
    await receiver.start({ port, host: "127.0.0.1" } as never);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    await page.goto(`${base}/sandbox`);
  });

  after(async () => {
    await browser?.close();
    await receiver?.stop();
  });

  test("every block type renders, the thread and the uploaded file show, and an unknown block is shown as JSON", async () => {
    await runCommand(page, "/db post");
    const root = message(page, "DEMO-7: add orders table");
    await root.waitFor();
    assert.equal(await root.locator(".block.header").innerText(), "DEMO-7: add orders table");
    assert.equal(await root.locator(".mention").first().innerText(), "@developer");
    assert.equal(await root.locator('a[href="https://example.com/docs"]').innerText(), "the docs");
    assert.equal(await root.locator("pre.code").innerText(), "CREATE TABLE orders (id int);");
    assert.equal(await root.locator(".fields > div").count(), 2);
    assert.equal(await root.locator(".accessory button", { hasText: "View change" }).count(), 1);
    assert.match(await root.locator(".block.context").innerText(), /Environment Prod/);
    assert.equal(await root.locator("hr.block.divider").count(), 1);
    assert.equal(await root.locator(".rich-text b").innerText(), "bold");
    assert.equal(await root.locator("button.btn.primary", { hasText: "Approve" }).count(), 1);
    assert.equal(await root.locator("button.btn.danger", { hasText: "Reject" }).count(), 1);
    assert.match(await root.locator('pre.unknown[data-unknown="block table_of_the_future"]').innerText(), /"rows"/);
    await message(page, "Posted by respond()").locator(".only-you").waitFor();

    await root.locator(".replies", { hasText: "2 replies" }).click();
    await message(page, "no findings", "#thread-body").waitFor();
    const file = page.locator("#thread-body .file", { hasText: "Query result" });
    assert.match(await file.locator("pre.preview").innerText(), /1,ada/);
    const href = await file.locator("a").getAttribute("href");
    assert.equal(await (await fetch(`${base}${href}`)).text(), "id,name\n1,ada\n");
    await screenshot(page, "sandbox-blocks-01-message-and-thread");
  });

  test("a button with a confirm dialog sends block_actions from the message only when confirmed; chat.update shows live", async () => {
    const root = message(page, "DEMO-7: add orders table");
    await root.locator("button", { hasText: "Approve" }).click();
    await page.locator("#confirm-title", { hasText: "Approve DEMO-7?" }).waitFor();
    await confirm(page, "no");
    await root.locator("button", { hasText: "Approve" }).click();
    assert.equal(await page.locator("#confirm-yes").innerText(), "Approve and run");
    await confirm(page, "yes");
    await message(page, "Approved by @developer").waitFor();
    assert.equal(received.filter((r) => r.kind === "approve").length, 1);
    const body = received.find((r) => r.kind === "approve")!.body as unknown as BlockAction;
    assert.equal(body.container.type, "message");
    assert.equal(body.container.message_ts, approvedTs);
    assert.equal(body.channel?.id, "CSANDBOX");
    assert.deepEqual(
      { action_id: body.actions[0]!.action_id, block_id: body.actions[0]!.block_id, value: (body.actions[0] as { value: string }).value },
      { action_id: "approve", block_id: "decision", value: "7" },
    );
    assert.equal(((body.message as unknown as { blocks: unknown[] }).blocks).length, messageBlocks.length);
    assert.match(await message(page, "Approved by").locator(".meta").innerText(), /edited/);
  });

  test("a modal renders its inputs, shows field errors, and submits state.values as Slack does", async () => {
    await runCommand(page, "/db change");
    await modal(page).waitFor();
    assert.equal(await page.locator("#modal-title").innerText(), "Submit a change");
    assert.equal(await modalInput(page, "SQL").inputValue(), "-- your SQL");
    assert.equal(await page.getByLabel("Schema (DDL)").isChecked(), true);
    await fillModal(page, {
      Database: "demo_prod",
      "Change type": "Data (DML)",
      SQL: "UPDATE orders SET id = 2",
      "Or a .sql file": { file: "fix.sql", content: "DELETE FROM orders;" },
      Options: ["Notify me"],
    });
    await page.locator('[data-block-id="table"] .suggest-query').fill("_150");
    await eventually(async () => (await page.locator('[data-block-id="table"] select').inputValue()) === "0", 10_000, "the type-ahead's one match to be chosen");
    assert.equal(received.filter((r) => r.kind === "suggestion").at(-1)?.body.value, "_150");
    await screenshot(page, "sandbox-blocks-02-modal");
    await submitModal(page);
    await page.locator('#modal .has-error[data-block-id="description"] .field-error', { hasText: "a description is required" }).waitFor();
    assert.equal(await modalInput(page, "SQL").inputValue(), "UPDATE orders SET id = 2", "inputs keep their values after errors");
    await screenshot(page, "sandbox-blocks-03-modal-errors");

    await fillModal(page, { Description: "fix the orders" });
    await submitModal(page);
    await page.locator("#modal-title", { hasText: "Submitted" }).waitFor();
    const submission = received.filter((r) => r.kind === "submission").at(-1)!.body as unknown as SlackViewAction;
    assert.equal(submission.type, "view_submission");
    assert.equal(submission.user.id, "UDEVELOPER");
    assert.equal(submission.view.callback_id, "change_modal");
    assert.equal(submission.view.private_metadata, "meta-1");
    const values = submission.view.state.values as unknown as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(values.database!.pick, { type: "static_select", selected_option: { text: { type: "plain_text", text: "demo_prod" }, value: "2" } });
    assert.deepEqual(values.kind!.pick, { type: "radio_buttons", selected_option: { text: { type: "plain_text", text: "Data (DML)" }, value: "data" } });
    assert.deepEqual(values.sql!.text, { type: "plain_text_input", value: "UPDATE orders SET id = 2" });
    assert.deepEqual(values.flags!.pick, { type: "checkboxes", selected_options: [{ text: { type: "plain_text", text: "Notify me" }, value: "notify" }] });
    assert.deepEqual(values.description!.text, { type: "plain_text_input", value: "fix the orders" });
    assert.deepEqual(values.table!.find, { type: "external_select", selected_option: { text: { type: "plain_text", text: "table_150" }, value: "table_150" } });
    const files = (values.file!.upload as { type: string; files: Array<{ id: string; name: string; url_private_download: string }> }).files;
    assert.equal(files.length, 1);
    assert.equal(files[0]!.name, "fix.sql");
    assert.equal(await (await fetch(files[0]!.url_private_download)).text(), "DELETE FROM orders;");
  });

  test("a button inside a modal sends block_actions with the view as container, and views.push shows the pushed view", async () => {
    await clickButton(page, "Details", "#modal");
    await page.locator("#modal-title", { hasText: "Details" }).waitFor();
    const body = received.find((r) => r.kind === "details")!.body as unknown as BlockAction;
    const viewId = body.view!.id;
    assert.deepEqual(body.container, { type: "view", view_id: viewId });
    assert.equal(body.view!.callback_id, "done_modal");
    assert.equal(local.views.find((v) => v.id === viewId)?.userId, "UDEVELOPER");
    await page.click("#modal-back");
    await page.locator("#modal-title", { hasText: "Submitted" }).waitFor();
    await page.click("#modal-close");
    await eventually(() => page.locator("#modal").isHidden(), 5000, "the modal to close");
  });
});
