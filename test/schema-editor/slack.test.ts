// The schema editor through the real Bolt receiver: /db schema opens the modal, forms add columns, Preview shows the DDL.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { PRIVATE_METADATA_LIMIT } from "../../src/schema-editor/editor-state.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { changeSchemaDiff } from "../../src/changes/schema-diff.ts";
import { onMysql } from "../support/changes.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../support/servers.ts";

const user = { id: "UDEV" };
type View = Record<string, unknown> & { id: string; callback_id?: string; private_metadata?: string; blocks: Array<Record<string, unknown>> };

describe("the schema editor in Slack", () => {
  let t: TestSluice;
  let mysqlDb: string;
  let pgDb: string;

  before(async () => {
    mysqlDb = await createMysqlDatabase("sluice_editor_e2e");
    pgDb = await createPostgresDatabase("sluice_editor_e2e");
    const client = new pg.Client({ ...postgresServer(), database: pgDb });
    await client.connect();
    await client.query(`CREATE TABLE wide (id int PRIMARY KEY, ${Array.from({ length: 200 }, (_, i) => `c${i} varchar(20) DEFAULT 'v${i}'`).join(", ")})`);
    await client.end();
    const my = mysqlServer();
    const server = postgresServer();
    t = await startTestSluice({
      yaml: `
environments:
  - name: Test
    autoApprove: true
instances:
  - { name: maria, engine: mysql, host: ${my.host}, port: ${my.port}, user: ${my.user} }
  - { name: pg, engine: postgres, host: ${server.host}, port: ${server.port}, user: ${server.user} }
projects:
  - key: TST
    name: Test project
    channel: CTEST
    databases:
      - { name: ${mysqlDb}, instance: maria, environment: Test }
      - { name: ${pgDb}, instance: pg, environment: Test }
`,
    });
  });
  after(async () => {
    await t.stop();
    await dropMysqlDatabase(mysqlDb);
    await dropPostgresDatabase(pgDb);
  });

  /** The view as Slack shows it now (after any views.update). */
  function currentView(id: string): View {
    const local = t.slack.views.find((v) => v.id === id);
    assert.ok(local, `view ${id} exists`);
    return { ...(local.view as View), id };
  }

  async function clickInView(view: View, actionId: string, value?: string, values: Record<string, Record<string, unknown>> = {}) {
    const payload = {
      type: "block_actions",
      team: { id: "TSANDBOX", domain: "sandbox" },
      user: { id: user.id, username: user.id, team_id: "TSANDBOX" },
      api_app_id: "ASLUICE",
      trigger_id: `trigger-${Math.random()}`,
      container: { type: "view", view_id: view.id },
      view: { ...view, type: "modal", state: { values }, hash: `${view.id}-h` },
      actions: [{ type: "button", action_id: actionId, block_id: "b", value, action_ts: `${Date.now() / 1000}` }],
    };
    const reply = await t.send.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), "application/x-www-form-urlencoded");
    assert.equal(reply.status, 200);
  }

  function columnValues(name: string, type: string, options: { nullable?: boolean; identity?: boolean; default?: string } = {}) {
    const checked = (on: boolean | undefined) => ({ type: "checkboxes", selected_options: on ? [{ value: "yes", text: { type: "plain_text", text: "x" } }] : [] });
    return {
      name: { name: { type: "plain_text_input", value: name } },
      type_choice: { type_choice: { type: "static_select", selected_option: null } },
      type_custom: { type_custom: { type: "plain_text_input", value: type } },
      nullable: { nullable: checked(options.nullable) },
      default: { default: { type: "plain_text_input", value: options.default ?? null } },
      comment: { comment: { type: "plain_text_input", value: null } },
      identity: { identity: checked(options.identity) },
    };
  }

  async function addColumn(editor: View, values: ReturnType<typeof columnValues>): Promise<{ status: number; body: Record<string, unknown> }> {
    const pushesBefore = t.slack.callsTo("views.push").length;
    await clickInView(editor, "schema_add_column");
    const push = await eventually(() => t.slack.views.length > 0 && t.slack.callsTo("views.push").length > pushesBefore && t.slack.views.at(-1), 5000, "the column form");
    const form = currentView(push.id);
    assert.equal(form.callback_id, "schema_column");
    const reply = await t.send.submitView({ user, view: form, values });
    return { status: reply.status, body: reply.json() };
  }

  test("seed step 5 through the editor: new table t1 with id and name on Test, previewed and handed to submit", async () => {
    const reply = await t.send.command(`schema ${mysqlDb}`, user, "CTEST");
    assert.equal(reply.status, 200);
    // Opened with a loading state inside the trigger window, then filled with the picker.
    const opened = await eventually(() => t.slack.callsTo("views.open")[0], 5000, "views.open");
    assert.match(JSON.stringify(opened.view), /Reading the live schema/);
    const pickerId = t.slack.views.at(-1)!.id;
    const picker = await eventually(() => {
      const view = currentView(pickerId);
      return JSON.stringify(view.blocks).includes("new_table") && view;
    }, 5000, "the table picker");

    const next = await t.send.submitView({ user, view: picker, values: { new_table: { new_table: { type: "plain_text_input", value: "t1" } } } });
    const updated = next.json() as { response_action: string; view: View };
    assert.equal(updated.response_action, "update");
    assert.equal(updated.view.callback_id, "schema_editor");
    // Slack would now show the returned view under the same id.
    t.slack.views.find((v) => v.id === pickerId)!.view = updated.view;

    const added = await addColumn(currentView(pickerId), columnValues("id", "bigint", { identity: true }));
    assert.equal(added.status, 200);
    await eventually(() => JSON.stringify(currentView(pickerId).blocks).includes("*id*"), 5000, "the editor to show id");
    await addColumn(currentView(pickerId), columnValues("name", "varchar(100)", { nullable: true }));
    await eventually(() => JSON.stringify(currentView(pickerId).blocks).includes("*name*"), 5000, "the editor to show name");

    // MySQL places a new column: the form offers Last, First and After each column.
    const positioned = await addColumn(currentView(pickerId), { ...columnValues("tenant", "int", { nullable: true }), position: { position: { type: "static_select", selected_option: { value: "first" } } } } as ReturnType<typeof columnValues>);
    assert.equal(positioned.status, 200);
    const form = t.slack.views.at(-1)!.view as View;
    assert.match(JSON.stringify(form.blocks), /"After name"/);
    await eventually(() => JSON.stringify(currentView(pickerId).blocks).includes("*tenant*"), 5000, "the editor to show tenant");
    await clickInView(currentView(pickerId), "schema_undo");
    await eventually(() => !JSON.stringify(currentView(pickerId).blocks).includes("*tenant*"), 5000, "the undo");

    // A duplicate column is refused on the name field, and nothing changes in the editor.
    const duplicate = await addColumn(currentView(pickerId), columnValues("NAME", "int"));
    assert.equal(duplicate.body.response_action, "errors");
    assert.match(String((duplicate.body.errors as Record<string, string>).name), /already has a column/);
    const lacking = await addColumn(currentView(pickerId), columnValues("x", "jsonb"));
    assert.match(String((lacking.body.errors as Record<string, string>).type_custom), /has no type "jsonb"/);

    const editor = currentView(pickerId);
    assert.ok(editor.private_metadata!.length <= PRIVATE_METADATA_LIMIT);
    const option = (value: string) => ({ value, text: { type: "plain_text", text: value } });
    const preview = await t.send.submitView({
      user,
      view: editor,
      values: {
        primary_key: { primary_key: { type: "multi_static_select", selected_options: [option("id")] } },
        description: { description: { type: "plain_text_input", value: "seed step 5" } },
      },
    });
    const pushed = preview.json() as { response_action: string; view: View };
    assert.equal(pushed.response_action, "push");
    const text = JSON.stringify(pushed.view.blocks);
    assert.ok(text.includes("CREATE TABLE `t1` (\\n  `id` bigint NOT NULL AUTO_INCREMENT,\\n  `name` varchar(100) NULL,\\n  PRIMARY KEY (`id`)\\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;"), text);
    assert.match(text, /Review: \d+ error\(s\), \d+ warning\(s\)/);

    // Submit creates a normal schema change with exactly the previewed DDL, and closes the editor.
    const submitted = await t.send.submitView({ user, view: { ...pushed.view, id: "VPREVIEW" }, values: {} });
    const answer = submitted.json() as { response_action: string; view?: View };
    assert.equal(answer.response_action, "clear");
    const change = await eventually(async () => (await t.sluice.store.prisma.change.findUnique({ where: { requestKey: "schema-editor:VPREVIEW" } })) ?? undefined, 10_000, "the submitted change");
    assert.equal(change.type, "schema");
    assert.equal(change.requesterId, user.id);
    assert.match(change.sql, /^CREATE TABLE `t1` \(/);
    // Test approves by itself: the table is created, and the history holds its schema diff.
    const done = await eventually(async () => {
      const current = await t.sluice.services.changes.get(change.id);
      return current.status === "done" && current.snapshots.some((s) => s.kind === "after") && current;
    }, 15_000, "the editor's change to run");
    const diff = changeSchemaDiff(done) ?? "";
    assert.match(diff, /\+table t1/);
    assert.match(diff, /\+ {2}column name varchar\(100\)/);
  });

  test("a new column goes after the 112th column of a 120-column MySQL table: past 100 choices the position is typed", async () => {
    await onMysql(mysqlDb, `CREATE TABLE wide_my (id int PRIMARY KEY, ${Array.from({ length: 119 }, (_, i) => `c${i} int NULL`).join(", ")})`);
    const before = t.slack.views.length;
    await t.send.command(`schema ${mysqlDb} wide_my`, user, "CTEST");
    const id = await eventually(() => t.slack.views.length > before && t.slack.views.at(-1)!.id, 5000, "views.open");
    await eventually(() => currentView(id).callback_id === "schema_editor", 10_000, "the editor");
    const added = await addColumn(currentView(id), { ...columnValues("tail", "int", { nullable: true }), position: { position: { type: "plain_text_input", value: "c110" } } } as ReturnType<typeof columnValues>);
    assert.equal(added.status, 200);
    const form = t.slack.views.at(-1)!.view as View;
    const position = form.blocks.find((block) => block.block_id === "position") as { element: { type: string } };
    assert.equal(position.element.type, "plain_text_input", "a select would offer only the first 98 columns");
    await eventually(() => JSON.stringify(currentView(id).blocks).includes("1 pending edit"), 5000, "the pending edit");
    const preview = await t.send.submitView({ user, view: currentView(id), values: { description: { description: { type: "plain_text_input", value: null } } } });
    const pushed = preview.json() as { response_action: string; view: View };
    assert.equal(pushed.response_action, "push");
    assert.match(JSON.stringify(pushed.view.blocks), /ADD COLUMN `tail` int NULL AFTER `c110`/);
  });

  test("a 200-column PostgreSQL table opens within Slack's limits, pages, filters and keeps edits", async () => {
    const before = t.slack.views.length;
    await t.send.command(`schema ${pgDb} wide`, user, "CTEST");
    const id = await eventually(() => t.slack.views.length > before && t.slack.views.at(-1)!.id, 5000, "views.open");
    const editor = await eventually(() => {
      const view = currentView(id);
      return view.callback_id === "schema_editor" && view;
    }, 5000, "the editor");
    assert.ok(editor.blocks.length <= 100, `${editor.blocks.length} blocks`);
    assert.match(JSON.stringify(editor.blocks), /Columns \(201\)/);
    assert.match(JSON.stringify(editor.blocks), /Page 1 of 14/);

    // Drop c3 through the overflow menu, then go to the next page: the drop stays pending.
    const drop = { type: "overflow", action_id: "schema_column_menu", block_id: "column_4", selected_option: { value: "drop:4" }, action_ts: "1" };
    const body = {
      type: "block_actions",
      user: { id: user.id },
      team: { id: "TSANDBOX" },
      api_app_id: "ASLUICE",
      trigger_id: "trigger-x",
      container: { type: "view", view_id: id },
      view: { ...editor, type: "modal", state: { values: { description: { description: { type: "plain_text_input", value: "typed words" } } } }, hash: "h" },
      actions: [drop],
    };
    const pushesBefore = t.slack.callsTo("views.push").length;
    await t.send.send(new URLSearchParams({ payload: JSON.stringify(body) }).toString(), "application/x-www-form-urlencoded");
    // The drop asks first, in a pushed dialog; nothing is pending until it is confirmed.
    const confirmation = await eventually(() => t.slack.callsTo("views.push").length > pushesBefore && t.slack.views.at(-1), 5000, "the drop confirmation");
    const dialog = currentView(confirmation.id);
    assert.equal(dialog.callback_id, "schema_drop_column");
    assert.match(JSON.stringify(dialog.blocks), /Drop column \*c3\* from \*wide\*/);
    assert.match(JSON.stringify(currentView(id).blocks), /Columns \(201\)/);
    await t.send.submitView({ user, view: dialog, values: {} });
    await eventually(() => JSON.stringify(currentView(id).blocks).includes("Columns (200)"), 5000, "the drop to show");
    await clickInView(currentView(id), "schema_page_next", "1");
    const paged = await eventually(() => JSON.stringify(currentView(id).blocks).includes("Page 2 of 14") && currentView(id), 5000, "page 2");
    assert.match(JSON.stringify(paged.blocks), /\*c15\*/);
    assert.match(JSON.stringify(paged.blocks), /typed words/);
    assert.match(paged.private_metadata!, /drop-column/);

    await clickInView(paged, "schema_filter", "c19");
    const filtered = await eventually(() => JSON.stringify(currentView(id).blocks).includes("*c199*") && currentView(id), 5000, "the filter");
    assert.ok(!JSON.stringify(filtered.blocks).includes("*c20*"));

    const preview = await t.send.submitView({ user, view: filtered, values: {} });
    const pushed = preview.json() as { response_action: string; view: View };
    assert.equal(pushed.response_action, "push");
    assert.match(JSON.stringify(pushed.view.blocks), /ALTER TABLE \\"wide\\"\\n  DROP COLUMN \\"c3\\";/);
  });
});
