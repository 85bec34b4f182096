// SQL longer than a form's text field is kept as a draft the form refers to. It is kept in the store: a restart, or
// another replica taking the submission, still submits the whole script; a draft past its day is refused, saying so.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEVELOPER, changeFormValues, openModal, slackDirectory, workflowYaml } from "../support/changes.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { SqlDraftLostError, SqlDrafts } from "../../src/slack/sql-drafts.ts";

describe("long SQL drafts", () => {
  let db: string;
  let storeDatabase: string;
  let second: TestSluice | undefined;

  before(async () => {
    db = await createMysqlDatabase("sluice_drafts");
    storeDatabase = await createPostgresDatabase("sluice_drafts_store");
  });
  after(async () => {
    await second?.stop();
    await dropMysqlDatabase(db);
    await dropPostgresDatabase(storeDatabase);
  });

  test("a form opened before a restart submits its whole script to the Sluice that runs after it", async () => {
    const yaml = workflowYaml([{ name: db, engine: "mysql", environment: "Test" }]);
    const sql = Array.from({ length: 60 }, (_, i) => `INSERT INTO t (id) VALUES (${i + 1}) /* ${"x".repeat(60)} */;`).join("\n");
    assert.ok(sql.length > 3000, "longer than a form's text field");

    const first = await startTestSluice({ yaml, storeDatabase, slack: slackDirectory });
    const opened = await openModal(first, DEVELOPER, `change ${db} ${sql}`, "change.submit");
    await first.stop();

    second = await startTestSluice({ yaml, storeDatabase, slack: slackDirectory });
    const values = changeFormValues({ database: db, type: "data" });
    delete (values as Partial<typeof values>).sql;
    delete (values as Partial<typeof values>).file;
    const reply = await second.send.submitView({ user: DEVELOPER, view: { ...opened.view, id: opened.id }, values });
    assert.equal(reply.body, "", `the modal closes, but Sluice answered ${reply.body}`);
    const t = second;
    const change = await eventually(async () => (await t.sluice.store.prisma.change.findUnique({ where: { requestKey: `view:${opened.id}` } })) ?? undefined, 30_000, "the change");
    assert.equal(change.sql, sql, "the whole script, kept across the restart");
  });

  test("a draft is its user's, for a day", async () => {
    assert.ok(second, "the first test started Sluice");
    let now = Date.parse("2026-12-03T12:00:00Z");
    const drafts = new SqlDrafts(second.sluice.store.prisma, () => now);
    const key = await drafts.keep("SELECT 1", DEVELOPER.id);
    assert.equal(await drafts.read(key, DEVELOPER.id), "SELECT 1");
    await assert.rejects(drafts.read(key, "USOMEONEELSE"), SqlDraftLostError);
    now += 24 * 60 * 60 * 1000 + 1;
    await assert.rejects(drafts.read(key, DEVELOPER.id), /no longer kept \(a draft is kept a day\)/);
    await drafts.keep("SELECT 2", DEVELOPER.id);
    assert.equal(await second.sluice.store.prisma.sqlDraft.count({ where: { key } }), 0, "a draft past its day is deleted when the next one is kept");
  });
});
