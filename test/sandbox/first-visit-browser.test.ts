// A newcomer's first visit, in real Chromium against `npm start`'s program: help, a schema change on Test through the
// schema editor, a data change on Prod, a pause longer than the store's idle timeouts, the approver's approval, a
// previewed and approved rollback, history, drift, and forms Slack itself would refuse. Screenshots go to a temp dir.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
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
  recordPageProblems,
  modal,
  runCommand,
  screenshot,
  startSandboxProcess,
  submitModal,
  switchUser,
  type SandboxProcess,
} from "./browser-helpers.ts";

const skip = browserSkipReason();
/** Longer than the pauses after which idle connections (the embedded store's, the demo databases') are dropped. */
const PAUSE_MS = 12_000;

describe("a first visit to the sandbox, end to end", { skip }, () => {
  let dataDir: string;
  let shots: string;
  let sandbox: SandboxProcess;
  let browser: Browser;
  let page: Page;
  let prodChangeKey = "";
  let pageProblems: () => string[] = () => [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "sluice-first-visit-"));
    shots = mkdtempSync(join(tmpdir(), "sluice-first-visit-shots-"));
    [sandbox, browser] = await Promise.all([startSandboxProcess(dataDir), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    pageProblems = recordPageProblems(page);
    // Generous: on a loaded 2-core machine a command's round trip has taken over 20 s.
    page.setDefaultTimeout(60_000);
    await page.goto(sandbox.url);
  });

  after(async () => {
    // What Sluice logged, for a walk that failed somewhere along the way.
    if (sandbox) console.log(`sandbox output (last 4000 characters):\n${sandbox.output().slice(-4000)}`);
    console.log(`what went wrong on the page:\n${pageProblems().join("\n") || "nothing"}`);
    await browser?.close();
    await sandbox?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    console.log(`first-visit screenshots: ${shots}`);
  });

  const shot = (name: string) => screenshot(page, name, shots);

  /** The last ephemeral answer in the channel that holds `text`. */
  const answer = (text: string | RegExp) => page.locator("#messages .message.ephemeral", { hasText: text }).last();

  test("help: the examples name the configured databases, and the page's favicon is served", async () => {
    await runCommand(page, "/db help");
    const help = message(page, "Sluice: database changes in Slack");
    await help.waitFor();
    const text = await help.innerText();
    assert.match(text, /\/db history demo_test/);
    assert.match(text, /\/db schema demo_test/);
    assert.doesNotMatch(text, /\bshop\b|db_demo (SELECT|DELETE|CREATE)|\/db drift orders/);
    const favicon = await fetch(new URL("/favicon.ico", sandbox.url));
    assert.equal(favicon.status, 200);
    await shot("01-help");
  });

  test("schema change on Test through the schema editor: the primary-key picker is a real select, and the change runs", async () => {
    await runCommand(page, "/db schema demo_test");
    await modal(page).waitFor();
    await page.locator('#modal .block.input[data-label="Or a new table"]').waitFor();
    await fillModal(page, { "Or a new table": "orders" });
    await submitModal(page);
    await page.locator("#modal-title", { hasText: "New table" }).waitFor();
    for (const [name, type, nullable] of [["id", "integer", false], ["status", "text", true], ["note", "text", true]] as const) {
      await clickButton(page, "Add column", "#modal");
      await page.locator("#modal-title", { hasText: "Add column" }).waitFor();
      await fillModal(page, { Name: name, "…or type it, with length or precision": type, ...(nullable ? { Null: ["Allow NULL"] } : {}) });
      await submitModal(page);
      await page.locator("#modal-title", { hasText: "New table" }).waitFor();
      await page.locator("#modal .block.section", { hasText: name }).first().waitFor();
    }
    // Dropping a column is in the row's … menu, and asks first.
    const noteRow = page.locator("#modal .block.section", { hasText: "note" }).first();
    await noteRow.locator("summary", { hasText: "…" }).click();
    await noteRow.locator(".menu-item", { hasText: "Drop column" }).click();
    await page.locator("#modal-title", { hasText: "Drop column" }).waitFor();
    assert.match(await page.locator("#modal-body").innerText(), /Drop column note from orders\?/);
    await shot("02-drop-column-confirm");
    await submitModal(page);
    await page.locator("#modal-title", { hasText: "New table" }).waitFor();
    await page.waitForFunction(() => !document.querySelector("#modal-body")?.textContent?.includes("note"));

    const key = page.locator('#modal .block.input[data-label="Primary key"] select[multiple]');
    assert.equal(await key.count(), 1, "the primary-key picker is drawn as a select, not JSON");
    assert.equal(await page.locator("#modal pre.unknown").count(), 0);
    await fillModal(page, { "Primary key": ["id"], Description: "orders, made in the schema editor" });
    await shot("03-schema-editor");
    await submitModal(page);
    await page.locator("#modal-title", { hasText: "Preview DDL" }).waitFor();
    const preview = await page.locator("#modal-body").innerText();
    assert.match(preview, /PRIMARY KEY \("id"\)/);
    assert.doesNotMatch(preview, /table\.primary-key\.require/);
    await shot("04-schema-preview");
    await submitModal(page);
    await page.locator("#modal").waitFor({ state: "hidden" });
    const root = message(page, /DEMO-\d+: Schema change on demo_test/);
    await root.locator(".fields", { hasText: "Done:" }).waitFor({ timeout: 60_000 });
    assert.match(await root.innerText(), /approved automatically by Test's policy/);
  });

  test("data change on Prod from the seeded table waits for an approver; the requester's Approve is explained where it was clicked", async () => {
    await runCommand(page, "/db change");
    await modal(page).waitFor();
    await fillModal(page, { Database: "demo_prod (Prod)", "Change type": "Data change (DML)", SQL: "UPDATE customers SET city = 'Paris' WHERE id = 1;", Description: "Ada moved" });
    await submitModal(page);
    await page.locator("#modal").waitFor({ state: "hidden" });
    const root = message(page, /DEMO-\d+: Data change on demo_prod/);
    await root.locator("button.btn", { hasText: "Approve" }).waitFor({ timeout: 60_000 });
    prodChangeKey = /DEMO-\d+/.exec(await root.locator(".block.header").innerText())![0];
    await root.locator("button.btn", { hasText: "Approve" }).click();
    await confirm(page);
    const refused = page.locator("#messages .message.ephemeral", { hasText: /approve their own|Only approvers/ }).last();
    await refused.waitFor();
    await shot("05-prod-change-waiting");
  });

  test(`after a pause of ${PAUSE_MS / 1000} s, the approver approves, and the done message says who approved`, async () => {
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    await switchUser(page, "UAPPROVER");
    const root = message(page, new RegExp(`${prodChangeKey}: Data change on demo_prod`));
    await root.locator("button.btn", { hasText: "Approve" }).click();
    await confirm(page);
    await root.locator(".fields", { hasText: "Done:" }).waitFor({ timeout: 60_000 });
    assert.match(await root.innerText(), /1 row affected/);
    assert.match(await root.innerText(), /approved by @approver/);
    await shot("06-prod-change-done");
  });

  test("the developer previews the rollback, the approver approves it, and Ada is back in London", async () => {
    await switchUser(page, "UDEVELOPER");
    const root = message(page, new RegExp(`${prodChangeKey}: Data change on demo_prod`));
    await root.locator("button.btn", { hasText: "Preview rollback" }).click();
    const rollback = message(page, /DEMO-\d+: Rollback on demo_prod/);
    await rollback.locator("button.btn", { hasText: "Approve" }).waitFor({ timeout: 60_000 });
    await shot("07-rollback-preview");
    await switchUser(page, "UAPPROVER");
    await rollback.locator("button.btn", { hasText: "Approve" }).click();
    await confirm(page);
    await rollback.locator(".fields", { hasText: "Done:" }).waitFor({ timeout: 60_000 });
    assert.match(await rollback.innerText(), /approved by @approver/);
    await runCommand(page, "/db query demo_prod SELECT id, city FROM customers WHERE id = 1");
    await answer("demo_prod").locator("pre.code").waitFor();
    assert.match(await answer("demo_prod").locator("pre.code").innerText(), /London/);
    await shot("08-rollback-done");
  });

  test("history shows dates as dates, and a one-statement change as 1 row without a line number", async () => {
    await runCommand(page, "/db history demo_prod");
    const history = answer(prodChangeKey);
    await history.waitFor();
    const text = await history.innerText();
    assert.doesNotMatch(text, /date_short_pretty|<!date|!date\^/);
    assert.equal(await history.locator("time").count() > 0, true, "dates are drawn as <time>");
    await shot("09-history");
    await history.locator(".block.section", { hasText: /Rollback/ }).first().locator("button.btn", { hasText: "View change" }).click();
    await modal(page).waitFor();
    const detail = await page.locator("#modal-body").innerText();
    assert.match(detail, /done · 1 row ·/);
    assert.doesNotMatch(detail, /\b1 rows\b|line 2/);
    await shot("10-view-rollback");
    await page.click("#modal-close");
    await page.locator("#modal").waitFor({ state: "hidden" });
  });

  test("drift: an out-of-band change is alerted, and a new baseline resolves it", async () => {
    await runCommand(page, "/db admin demo_test ALTER TABLE customers ADD COLUMN vip boolean");
    await answer("/db admin on demo_test").waitFor();
    await runCommand(page, "/db drift demo_test");
    const alert = message(page, "Schema drift on demo_test");
    await alert.locator("button.btn", { hasText: "Establish new baseline" }).waitFor({ timeout: 60_000 });
    assert.match(await alert.innerText(), /vip/);
    await shot("11-drift");
    await clickButton(page, "Establish new baseline", "#messages");
    await message(page, "Schema drift on demo_test resolved").waitFor({ timeout: 60_000 });
  });

  test("a form with an empty required select is refused on the page, as Slack does, and nothing is sent", async () => {
    await runCommand(page, "/db change");
    await modal(page).waitFor();
    await fillModal(page, { SQL: "SELECT 1;" });
    const version = await page.evaluate(() => document.body.dataset.version);
    await page.click("#modal-submit");
    const error = page.locator('#modal .block.input[data-label="Database"] .field-error');
    await error.waitFor();
    assert.equal(await error.innerText(), "Please complete this required field.");
    assert.equal(await page.evaluate(() => document.body.dataset.version), version, "nothing reached Sluice");
    await shot("12-refused-form");
    await page.click("#modal-close");
    await page.locator("#modal").waitFor({ state: "hidden" });
  });

  test("a direct message from Sluice shows in the direct-message pane of its addressee only", async () => {
    await switchUser(page, "UAPPROVER");
    const api = new URL("/sandbox/api/chat.postMessage", sandbox.url);
    const posted = await fetch(api, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ channel: "UAPPROVER", text: "A direct message for the approver" }) });
    assert.equal(posted.status, 200);
    await page.locator("#dm-open", { hasText: "(1)" }).waitFor();
    await page.click("#dm-open");
    await page.locator("#dms .message", { hasText: "A direct message for the approver" }).waitFor();
    await shot("13-direct-message");
    await page.click("#dms-close");
    await switchUser(page, "UDEVELOPER");
    await page.locator("#dm-open", { hasText: /^✉ Direct messages$/ }).waitFor();
  });

  test("a page load leaves no unhandled-request noise in Sluice's log", async () => {
    await page.reload();
    await page.locator("#messages .message").first().waitFor();
    assert.doesNotMatch(sandbox.output(), /Unhandled HTTP request/);
    await shot("14-channel");
  });
});
