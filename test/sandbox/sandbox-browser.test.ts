// The sandbox in a real browser: `npm start` without Slack tokens, driven as a person would use it.
// The seed tutorial's walk (create a database, a table, insert, query, roll back, drift and baseline) is added here
// step by step as its commands land, with the helpers in browser-helpers.ts.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import {
  browserSkipReason,
  fillModal,
  launchBrowser,
  message,
  modal,
  runCommand,
  screenshot,
  startSandboxProcess,
  submitModal,
  switchUser,
  type SandboxProcess,
} from "./browser-helpers.ts";

const skip = browserSkipReason();

describe("the sandbox page against `npm start` in sandbox mode", { skip }, () => {
  let dataDir: string;
  let sandbox: SandboxProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "sluice-sandbox-"));
    [sandbox, browser] = await Promise.all([startSandboxProcess(dataDir), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(sandbox.url);
  });

  after(async () => {
    await browser?.close();
    await sandbox?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("starts on the demo databases, a Test and a Prod one, both reachable", async () => {
    const health = (await (await fetch(sandbox.url.replace("/sandbox", "/healthz"))).json()) as { instances: Record<string, { ok: boolean }> };
    assert.deepEqual(health.instances, { "demo-test": { ok: true }, "demo-prod": { ok: true } });
  });

  test("/db help answers with the commands, only visible to the user who typed it", async () => {
    await page.locator("#messages .empty").waitFor();
    await runCommand(page, "/db help");
    const answer = message(page, "Sluice: database changes in Slack");
    await answer.waitFor();
    assert.equal(await answer.locator(".only-you").count(), 1);
    assert.match(await answer.locator(".block.header").innerText(), /Sluice: database changes in Slack/);
    // mrkdwn: `*\`/db help\`*` is bold inline code.
    assert.equal(await answer.locator(".block.section b code", { hasText: "/db help" }).count(), 1);
    const typed = page.locator("#messages .message").first();
    assert.equal(await typed.locator(".blocks").innerText(), "/db help");
    assert.match(await typed.locator(".meta").innerText(), /developer/);
    await screenshot(page, "sandbox-01-help");
  });

  test("switching to the approver shows the channel as they see it, without the developer's ephemeral answers", async () => {
    await switchUser(page, "UAPPROVER");
    await page.waitForFunction(() => !document.querySelector("#messages .message.ephemeral"));
    await runCommand(page, "/db frobnicate");
    await message(page, "Unknown command").waitFor();
    assert.match(await message(page, "Unknown command").innerText(), /\/db frobnicate/);
    await screenshot(page, "sandbox-02-approver");
    await switchUser(page, "UDEVELOPER");
    await message(page, "Sluice: database changes in Slack").waitFor();
    assert.equal(await page.locator("#messages .message", { hasText: "Unknown command" }).count(), 0);
  });

  // The seed tutorial's walk; the next steps (insert, query, roll back, drift and baseline) go after this one.
  test("tutorial: create a table in demo_test through the /db change modal; Test runs it without approval", async () => {
    await runCommand(page, "/db change");
    await modal(page).waitFor();
    await fillModal(page, {
      Database: "demo_test (Test)",
      "Change type": "Schema change (DDL)",
      SQL: "CREATE TABLE orders (id integer PRIMARY KEY, status text NOT NULL);",
      Description: "orders for the tutorial",
    });
    await screenshot(page, "sandbox-03-change-modal");
    await submitModal(page);
    await page.locator("#modal").waitFor({ state: "hidden" });
    const root = message(page, "Schema change on demo_test");
    await root.locator(".block.header", { hasText: /^DEMO-\d+: Schema change on demo_test/ }).waitFor();
    // The root message is updated in place (chat.update) as the change runs; the page shows it without a reload.
    await root.locator(".fields", { hasText: "Done:" }).waitFor({ timeout: 30_000 });
    assert.match(await root.locator("pre.code").innerText(), /CREATE TABLE orders/);
    await screenshot(page, "sandbox-04-change-done");
  });

  test("a text that is not a slash command is refused with a hint", async () => {
    await page.fill("#composer", "hello");
    await page.press("#composer", "Enter");
    await page.locator("#notice", { hasText: "start with /db" }).waitFor();
  });
});
