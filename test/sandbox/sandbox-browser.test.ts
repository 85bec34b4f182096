// The sandbox in a real browser: `npm start` without Slack tokens, driven as a person would use it, then the seed
// tutorial's whole walk: create a database, a table, insert, query, roll back, drift and a new baseline.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import {
  browserSkipReason,
  clickButton,
  confirm,
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
    const health = (await (await fetch(sandbox.url.replace("/sandbox", "/healthz"))).json()) as { instances: Record<string, string> };
    assert.deepEqual(health.instances, { "demo-test": "ok", "demo-prod": "ok" });
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
    // The approver's answer also carries the help's header, so wait for the developer's view to be drawn: their
    // own help answer, and no trace of the approver's ephemeral one (it never appears within the wait, or this fails).
    await page.waitForFunction(() => [...document.querySelectorAll("#messages .message.ephemeral")].every((m) => !m.textContent?.includes("Unknown command")));
    await message(page, "Sluice: database changes in Slack").waitFor();
    assert.equal(await page.locator("#messages .message", { hasText: "Unknown command" }).count(), 0);
  });

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

  /** Submits a change through the /db change modal and waits until its root message says it is done. */
  async function submitChange(values: Record<string, string>, header: RegExp, shows: string) {
    await runCommand(page, "/db change");
    await modal(page).waitFor();
    await fillModal(page, values);
    await submitModal(page);
    await page.locator("#modal").waitFor({ state: "hidden" });
    const root = page.locator("#messages .message", { has: page.locator(".block.header", { hasText: header }), hasText: shows }).last();
    await root.locator(".fields", { hasText: "Done:" }).waitFor({ timeout: 30_000 });
    return root;
  }

  /** `/db query` answers only the person who asked; this is the table of that answer. */
  async function queryT1(): Promise<string> {
    await runCommand(page, "/db query db_demo SELECT id, name FROM t1 ORDER BY id");
    const answer = page.locator("#messages .message.ephemeral", { hasText: "db_demo" }).last();
    await answer.locator("pre.code").waitFor();
    return answer.locator("pre.code").innerText();
  }

  test("tutorial 1: /db newdb db_demo on the Test demo instance creates a database of its own", async () => {
    await runCommand(page, "/db newdb db_demo");
    await modal(page).waitFor();
    await fillModal(page, { "Instance · environment · project": "demo-test · Test · DEMO", Description: "the tutorial's database" });
    await screenshot(page, "sandbox-05-newdb-modal");
    await submitModal(page);
    await page.locator("#modal").waitFor({ state: "hidden" });
    const root = message(page, /DEMO-\d+: Create database on db_demo/);
    await root.locator(".fields", { hasText: "Done:" }).waitFor({ timeout: 30_000 });
    // Its own PGlite, beside demo_test's, on the same demo instance.
    assert.ok(existsSync(join(dataDir, "demo", "demo-test", "db_demo", "pglite")), "db_demo has a data directory of its own");
    await screenshot(page, "sandbox-06-newdb-done");
  });

  test("tutorial 2: /db change creates t1 (id, name) in db_demo", async () => {
    const root = await submitChange(
      { Database: "db_demo (Test)", "Change type": "Schema change (DDL)", SQL: "CREATE TABLE t1 (id integer PRIMARY KEY, name varchar(100));", Description: "t1 for the tutorial" },
      /^DEMO-\d+: Schema change on db_demo/,
      "CREATE TABLE t1",
    );
    assert.match(await root.locator("pre.code").innerText(), /CREATE TABLE t1/);
    await screenshot(page, "sandbox-07-create-t1");
  });

  test("tutorial 3: a data change inserts (1, 'Adela'), and /db query db_demo shows her", async () => {
    await submitChange({ Database: "db_demo (Test)", "Change type": "Data change (DML)", SQL: "INSERT INTO t1 (id, name) VALUES (1, 'Adela');" }, /^DEMO-\d+: Data change on db_demo/, "Adela");
    const rows = await queryT1();
    assert.match(rows, /Adela/);
    assert.doesNotMatch(rows, /Bella/);
    // The orders table made in demo_test earlier is not in db_demo: the two are separate databases.
    await runCommand(page, "/db query db_demo SELECT count(*) AS tables FROM pg_tables WHERE tablename = 'orders'");
    assert.match(await page.locator("#messages .message.ephemeral", { hasText: "tables" }).last().locator("pre.code").innerText(), /\b0\b/);
    await screenshot(page, "sandbox-08-query-adela");
  });

  test("tutorial 4: inserting Bella, Preview rollback, and the approver's Approve remove her again", async () => {
    const bella = await submitChange({ Database: "db_demo (Test)", "Change type": "Data change (DML)", SQL: "INSERT INTO t1 (id, name) VALUES (2, 'Bella');" }, /^DEMO-\d+: Data change on db_demo/, "Bella");
    assert.match(await queryT1(), /Bella/);
    await bella.locator("button.btn", { hasText: "Preview rollback" }).click();
    const rollback = message(page, /DEMO-\d+: Rollback on db_demo/);
    await rollback.locator("button.btn", { hasText: "Approve" }).waitFor();
    await screenshot(page, "sandbox-09-rollback-preview");

    await switchUser(page, "UAPPROVER");
    await rollback.locator("button.btn", { hasText: "Approve" }).click();
    await confirm(page);
    await rollback.locator(".fields", { hasText: "Done:" }).waitFor({ timeout: 30_000 });
    const rows = await queryT1();
    assert.match(rows, /Adela/);
    assert.doesNotMatch(rows, /Bella/);
    await screenshot(page, "sandbox-10-rollback-done");
  });

  test("tutorial 5: an out-of-band /db admin change shows as drift, and Establish new baseline resolves it", async () => {
    await runCommand(page, "/db admin db_demo ALTER TABLE t1 ADD COLUMN age integer");
    await page.locator("#messages .message.ephemeral", { hasText: "/db admin on db_demo" }).last().waitFor();
    assert.match(await page.locator("#messages .message.ephemeral", { hasText: "/db admin on db_demo" }).last().innerText(), /1 statement run/);
    await screenshot(page, "sandbox-11-admin");

    await runCommand(page, "/db drift db_demo");
    const alert = message(page, "Schema drift on db_demo");
    await alert.locator("button.btn", { hasText: "Establish new baseline" }).waitFor({ timeout: 30_000 });
    assert.match(await alert.innerText(), /age/);
    await screenshot(page, "sandbox-12-drift-alert");

    await clickButton(page, "Establish new baseline", "#messages");
    await message(page, "Schema drift on db_demo resolved").waitFor({ timeout: 30_000 });
    assert.match(await message(page, "Schema drift on db_demo resolved").innerText(), /Baseline established by/);
    await screenshot(page, "sandbox-13-drift-resolved");
  });

  test("an answer the page asked for as the developer, arriving after a switch to the approver, is not drawn", async () => {
    await switchUser(page, "UDEVELOPER");
    await runCommand(page, "/db change");
    await modal(page).waitFor();
    // Hold the developer's next poll until the page has switched; meanwhile the channel changes, so that poll's answer
    // is the whole workspace as the developer sees it (their open modal included), newer than what the page showed.
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let once = false;
    await page.route(/\/sandbox\/state\?user=UDEVELOPER/, async (route) => {
      if (once) return route.continue();
      once = true;
      held();
      await released;
      await route.continue();
    });
    await Promise.race([holding, new Promise((_, reject) => setTimeout(() => reject(new Error("the page did not poll as the developer within 15 s")), 15_000))]);
    const posted = await fetch(new URL("/sandbox/api/chat.postMessage", sandbox.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ channel: "CSANDBOX", text: "Posted while a poll was held" }) });
    assert.equal(posted.status, 200);
    const approverDrawn = page.waitForResponse((response) => response.url().includes("/sandbox/state?user=UAPPROVER"));
    await switchUser(page, "UAPPROVER");
    // The page that polls one request at a time asks for the approver's view only after the held poll: give up waiting.
    await Promise.race([approverDrawn, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    release();
    await message(page, "Posted while a poll was held").waitFor();
    await page.unroute(/\/sandbox\/state\?user=UDEVELOPER/);
    // Three polls later, the approver still sees no modal: the developer's late answer was dropped, not drawn.
    await page.waitForTimeout(1_500);
    assert.equal(await page.locator("#modal").isHidden(), true, "the developer's modal is not shown to the approver");
    assert.equal(await page.evaluate(() => document.body.dataset.user), "UAPPROVER");
    await switchUser(page, "UDEVELOPER");
    await modal(page).waitFor();
  });

  test("a Cancel the sandbox could not carry out says so in the modal, and the next Cancel closes it", async () => {
    await modal(page).waitFor();
    await page.route("**/sandbox/close", (route) => route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: "the sandbox is restarting" }) }), { times: 1 });
    await page.click("#modal-close");
    await page.locator("#modal-error", { hasText: "The modal could not be closed: the sandbox is restarting" }).waitFor();
    assert.equal(await page.locator("#modal").isVisible(), true);
    await page.click("#modal-close");
    await page.locator("#modal").waitFor({ state: "hidden" });
  });

  test("closing a view the sandbox does not have is refused with HTTP 400, not answered ok", async () => {
    const before = await (await fetch(new URL("/sandbox/state?user=UDEVELOPER", sandbox.url))).json();
    const answer = await fetch(new URL("/sandbox/close", sandbox.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user: "UDEVELOPER", viewId: "VNOSUCHVIEW" }) });
    assert.equal(answer.status, 400);
    assert.deepEqual(await answer.json(), { error: "no view VNOSUCHVIEW" });
    // Nothing changed: a refused close does not count as a change of the workspace.
    const after = await (await fetch(new URL("/sandbox/state?user=UDEVELOPER", sandbox.url))).json();
    assert.equal(after.version, before.version);
  });

  test("a text that is not a slash command is refused with a hint", async () => {
    await page.fill("#composer", "hello");
    await page.press("#composer", "Enter");
    await page.locator("#notice", { hasText: "start with /db" }).waitFor();
  });
});
