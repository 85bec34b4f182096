// Issue 24 §2 and issue 22 §4: lists longer than Slack's 100 options are a type-ahead, SQL longer than a form's text
// field is kept whole, and a review report longer than a message shows its counts and first findings with the
// whole report as a file. Everything goes through signed requests and the local Slack, which enforces Slack's limits.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHANNEL, DEVELOPER, changeFormValues, onPostgres, openModal, slackDirectory, waitForStatus, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";

const DATABASES = 150;

describe("Slack's size limits: type-ahead, long SQL, long reports", () => {
  let t: TestSluice;
  let db: string;
  let pgDb: string;
  /** The 150 configured databases: the last is real, the others are only names in sluice.yml. */
  let names: string[];

  before(async () => {
    db = await createMysqlDatabase("sluice_limits");
    pgDb = await createPostgresDatabase("sluice_limits_pg");
    await onPostgres(pgDb, "CREATE TABLE t (id INT PRIMARY KEY)");
    names = [...Array.from({ length: DATABASES - 2 }, (_, i) => `catalog_${String(i + 1).padStart(3, "0")}`), db];
    // Five findings per table of the review test: no primary key, no table comment, three columns without a comment.
    const review = `review:\n  rules: { table.comment.require: warning, column.comment.require: warning }\n`;
    const databases = [...names.map((name) => ({ name, engine: "mysql" as const, environment: "Test" as const })), { name: pgDb, engine: "postgres" as const, environment: "Test" as const }];
    const yaml = workflowYaml(databases, review);
    t = await startTestSluice({ yaml, slack: slackDirectory });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(db);
    await dropPostgresDatabase(pgDb);
  });

  /** The change a form submission stored; the review reads the live database first (slow on a loaded machine). */
  const storedChange = (requestKey: string) =>
    eventually(async () => (await t.sluice.store.prisma.change.findUnique({ where: { requestKey } })) ?? undefined, 60_000, `the change of ${requestKey}`);

  test("/db change with 150 databases: the 150th is found by typing and the change to it is submitted", async () => {
    const opened = await openModal(t, DEVELOPER, "change", "change.submit");
    const databaseBlock = (opened.view.blocks as Array<{ block_id?: string; element?: Record<string, unknown> }>).find((block) => block.block_id === "database")!;
    assert.equal(databaseBlock.element?.type, "external_select");
    const view = { ...opened.view, id: opened.id };

    const everything = await t.send.suggest({ user: DEVELOPER, actionId: "value", blockId: "database", value: "", view });
    assert.equal(everything.status, 200);
    assert.equal((everything.json().options as unknown[]).length, 100, "at most Slack's 100 options");

    const typed = await t.send.suggest({ user: DEVELOPER, actionId: "value", blockId: "database", value: db.slice(0, 12), view });
    const options = typed.json().options as Array<{ text: { text: string }; value: string }>;
    assert.equal(options[0]?.value, db, `the 150th database among ${JSON.stringify(options.map((o) => o.value))}`);

    const values = changeFormValues({ database: options[0]!.value, type: "schema", sql: "CREATE TABLE t150 (id INT PRIMARY KEY)" });
    const reply = await t.send.submitView({ user: DEVELOPER, view, values: { ...values, database: { value: { type: "external_select", selected_option: options[0] } } } });
    assert.equal(reply.body, "", `the modal closes, but Sluice answered ${reply.body}`);
    const change = await storedChange(`view:${opened.id}`);
    assert.equal(t.sluice.services.registry.byId(change.databaseId)?.name, db);
  });

  test("/db change with SQL longer than the form's field keeps it whole, shows it, and submits all of it", async () => {
    const statements = Array.from({ length: 60 }, (_, i) => `INSERT INTO t150 (id) VALUES (${i + 1}) /* ${"x".repeat(60)} */;`);
    const sql = statements.join("\n");
    assert.ok(sql.length > 4000);
    const opened = await openModal(t, DEVELOPER, `change ${db} ${sql}`, "change.submit");
    const blocks = opened.view.blocks as Array<{ block_id?: string; type: string; text?: { text: string } }>;
    assert.ok(!blocks.some((block) => block.block_id === "sql"), "no text field that would cut it");
    const shown = blocks.map((block) => block.text?.text ?? "").join("").replace(/```/g, "");
    assert.ok(shown.includes(sql), "the form shows the whole script");
    const values = changeFormValues({ database: db, type: "data" });
    delete (values as Partial<typeof values>).sql;
    delete (values as Partial<typeof values>).file;
    const reply = await t.send.submitView({ user: DEVELOPER, view: { ...opened.view, id: opened.id }, values });
    assert.equal(reply.body, "", `the modal closes, but Sluice answered ${reply.body}`);
    const change = await storedChange(`view:${opened.id}`);
    const stored = await t.sluice.store.prisma.change.findUniqueOrThrow({ where: { id: change.id }, select: { sql: true } });
    assert.equal(stored.sql, sql, "the whole script is stored, not a cut one");
  });

  test("the draft of long SQL is the submitter's own: another user's submission of the form is refused", async () => {
    const sql = `INSERT INTO t150 (id) VALUES ${Array.from({ length: 400 }, (_, i) => `(${1000 + i})`).join(", ")}`;
    const opened = await openModal(t, DEVELOPER, `change ${db} ${sql}`, "change.submit");
    const values = changeFormValues({ database: db, type: "data" });
    const reply = await t.send.submitView({ user: { id: "USOMEONEELSE" }, view: { ...opened.view, id: opened.id }, values });
    assert.match(String((reply.json().errors as Record<string, string> | undefined)?.database), /no longer kept/);
  });

  test("/db review of a 10-table script: the message says 50 findings and shows the first; the file holds all 50", async () => {
    const script = Array.from({ length: 10 }, (_, i) => `CREATE TABLE review_${i} (a INT, b TEXT, c FLOAT)`).join(";\n");
    const direct = `D${DEVELOPER.id}`;
    const before = t.slack.messages.length;
    await t.send.command(`review ${db} ${script}`, DEVELOPER, CHANNEL);
    const answer = await eventually(() => t.slack.messages.slice(before).find((m) => m.visibleTo === DEVELOPER.id && m.text.startsWith("Review on")), 15_000, "the review");
    assert.match(answer.text, /: 50 findings/, JSON.stringify(answer.blocks).slice(0, 3000));
    const file = await eventually(() => t.slack.messages.slice(before).find((m) => m.channel === direct)?.files[0], 15_000, "the report file");
    const report = file.content.toString("utf8");
    const findings = report.split("\n").filter((line) => /^\s+(ERROR|WARNING) \[/.test(line)).length;
    assert.equal(findings, 50);
    const shownLines = JSON.stringify(answer.blocks).match(/:(red_circle|large_yellow_circle):/g)?.length ?? 0;
    assert.ok(shownLines < findings, "the message does not hold them all");
    assert.match(JSON.stringify(answer.blocks), new RegExp(`Showing the first ${shownLines} of ${findings} findings\\. The whole report is in your direct messages with Sluice, as review-${db}\\.txt`));
  });

  test("a change whose review holds more text than one Slack message: the thread shows the first findings and attaches the full report", async () => {
    // 12 tables of 8 columns: 12 statements of 9-10 findings each, about 18,000 characters of findings, more than the
    // ~12,000 characters of text Slack takes in one message's blocks (msg_blocks_too_long), though each section fits.
    const columns = Array.from({ length: 8 }, (_, i) => `a_rather_long_column_name_${i} TEXT`).join(", ");
    const sql = Array.from({ length: 12 }, (_, i) => `CREATE TABLE wide_${i} (${columns});`).join("\n");
    const description = `Why: ${"a long reason. ".repeat(190)}`;
    const opened = await openModal(t, DEVELOPER, "change", "change.submit");
    const values = changeFormValues({ database: db, type: "schema", sql, description });
    const reply = await t.send.submitView({ user: DEVELOPER, view: { ...opened.view, id: opened.id }, values });
    assert.equal(reply.body, "");
    const change = await storedChange(`view:${opened.id}`);
    const posted = await eventually(async () => (await t.sluice.store.prisma.change.findUnique({ where: { id: change.id } }))?.slackTs ?? undefined, 30_000, "the root message");
    const review = await eventually(() => t.slack.thread(CHANNEL, posted).find((m) => m.text.startsWith(`Review of ${change.key}`)), 30_000, "the review in the thread");
    assert.match(JSON.stringify(review.blocks), /Not every finding fits here: the full report is attached below/);
    const file = await eventually(() => t.slack.thread(CHANNEL, posted).flatMap((m) => m.files).find((f) => f.name === `${change.key}-review.txt`), 15_000, "the full report");
    assert.equal(file.content.toString("utf8").split("\n").filter((line) => /column\.comment\.require/.test(line)).length, 96, "every finding is in the report");
    assert.deepEqual(t.slack.rejections, [], "Slack took every message");
  });

  test("a change failing with an error longer than a message shows its start and attaches the whole error in the thread", async () => {
    const value = `v${"x".repeat(5000)}`;
    const opened = await openModal(t, DEVELOPER, "change", "change.submit");
    const values = changeFormValues({ database: pgDb, type: "data", sql: `INSERT INTO t (id) VALUES ('${value}')` });
    const reply = await t.send.submitView({ user: DEVELOPER, view: { ...opened.view, id: opened.id }, values });
    assert.equal(reply.body, "");
    const change = await storedChange(`view:${opened.id}`);
    const failed = await waitForStatus(t, change.key, "failed", 60_000);
    const root = t.slack.messages.find((m) => m.ts === failed.slackTs)!;
    assert.match(JSON.stringify(root.blocks), /The error is cut here; the whole error is attached in the thread/);
    const file = await eventually(() => [...t.slack.files.values()].find((f) => f.name === `${change.key}-error.txt` && f.content.length > 0), 15_000, "the whole error");
    assert.ok(file.content.toString("utf8").includes(value), "the file holds the whole error, with the whole value the server quoted");
  });

  test("/db review without SQL opens a form; a .sql file given there is reviewed", async () => {
    const opened = await openModal(t, DEVELOPER, `review ${db}`, "review.submit");
    const file = t.slack.addUserFile("check.sql", "DELETE FROM t150");
    const before = t.slack.messages.length;
    const reply = await t.send.submitView({
      user: DEVELOPER,
      view: { ...opened.view, id: opened.id },
      values: {
        database: { value: { type: "external_select", selected_option: { value: db } } },
        sql: { value: { type: "plain_text_input", value: null } },
        file: { value: { type: "file_input", files: [t.slack.fileInfo(file)] } },
      },
    });
    assert.equal(reply.body, "");
    const answer = await eventually(() => t.slack.messages.slice(before).find((m) => m.visibleTo === DEVELOPER.id && m.text.startsWith("Review on")), 15_000, "the review");
    assert.match(answer.text, /Review on .*: \d+ findings? \(\d+ errors?, \d+ warnings?, 1 statement\)/);
  });
});
