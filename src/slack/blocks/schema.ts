// Block Kit for the schema editor: the "Alter schema" button, the table picker, the editor, its two forms and the preview.
import type { Button, KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import { formatDefault } from "../../schema-editor/defaults.ts";
import type { FieldProblem } from "../../schema-editor/errors.ts";
import type { ColumnSpec, SchemaDialect, TableDraft, TableSchema } from "../../schema-editor/model.ts";
import type { SchemaPreview } from "../../schema-editor/preview.ts";
import { choiceSelect } from "./choice-select.ts";
import { codeBlocks, contextBlock, inlineCode, joinMrkdwn, mrkdwn, section, truncateMrkdwn, type Mrkdwn } from "./text.ts";

/** The table picker's select (a type-ahead when the database has more tables than a select holds). */
export const SCHEMA_PICKER_TABLE = "table";
export const SCHEMA_CALLBACKS = {
  pick: "schema_pick",
  editor: "schema_editor",
  column: "schema_column",
  dropColumn: "schema_drop_column",
  index: "schema_index",
  preview: "schema_preview",
} as const;
export const SCHEMA_ACTIONS = {
  open: "schema_open",
  filter: "schema_filter",
  columnMenu: "schema_column_menu",
  page: "schema_page",
  dropIndex: "schema_drop_index",
  addColumn: "schema_add_column",
  addIndex: "schema_add_index",
  undo: "schema_undo",
} as const;

/** Columns shown per page: keeps the editor far below Slack's 100 blocks per view whatever the table's width. */
export const COLUMNS_PER_PAGE = 15;
const INDEXES_SHOWN = 20;
const SELECT_OPTIONS_MAX = 100;
const NEW_TABLE_HINT = "Or a new table";

function text(value: string, max = 75): { type: "plain_text"; text: string } {
  return { type: "plain_text", text: clip(value, max) || " " };
}

function clip(value: string, max: number): string {
  return [...value].length > max ? [...value].slice(0, max - 1).join("") + "…" : value;
}

function option(label: string, value: string): PlainTextOption {
  return { text: text(label), value };
}

function modal(callbackId: string, title: string, blocks: KnownBlock[], metadata: string, submit?: string): ModalView {
  return {
    type: "modal",
    callback_id: callbackId,
    title: text(title, 24),
    close: text("Cancel", 24),
    ...(submit ? { submit: text(submit, 24) } : {}),
    private_metadata: metadata,
    blocks,
  };
}

/** The "Alter schema" button, for any message that shows a database. */
export function alterSchemaButton(databaseLabel: string): Button {
  return { type: "button", action_id: SCHEMA_ACTIONS.open, text: text("Alter schema"), value: databaseLabel };
}

/** Opened within the 3-second trigger window; replaced by views.update once the live schema is read. */
export function schemaLoadingView(databaseLabel: string): ModalView {
  return modal(SCHEMA_CALLBACKS.pick, "Alter schema", [section(mrkdwn`:hourglass_flowing_sand: Reading the live schema of *${databaseLabel}*…`)], JSON.stringify({ database: databaseLabel }));
}

export function schemaFailureView(databaseLabel: string, message: string): ModalView {
  return modal(SCHEMA_CALLBACKS.pick, "Alter schema", [section(mrkdwn`:warning: ${message}`)], JSON.stringify({ database: databaseLabel }));
}

export function tablePickerView(databaseLabel: string, tables: string[]): ModalView {
  const blocks: KnownBlock[] = [contextBlock(mrkdwn`Database *${databaseLabel}*`)];
  if (tables.length > 0) {
    blocks.push({
      type: "input",
      block_id: SCHEMA_PICKER_TABLE,
      optional: true,
      label: text("Table"),
      element: choiceSelect({ actionId: "table", choices: tables.map((name) => ({ text: name, value: name })), placeholder: "Pick a table", noun: "tables" }),
    });
  }
  blocks.push({
    type: "input",
    block_id: "new_table",
    optional: true,
    label: text(NEW_TABLE_HINT),
    element: { type: "plain_text_input", action_id: "new_table", placeholder: text("Name of the new table") },
  });
  return modal(SCHEMA_CALLBACKS.pick, "Alter schema", blocks, JSON.stringify({ database: databaseLabel }), "Next");
}

function columnLine(column: ColumnSpec, primaryKey: string[]): Mrkdwn {
  const facts: Mrkdwn[] = [
    inlineCode(column.type),
    mrkdwn`${column.nullable ? "NULL" : "NOT NULL"}`,
    ...(column.default.kind !== "none" ? [mrkdwn`default ${inlineCode(clip(formatDefault(column.default), 80))}`] : []),
    ...(column.identity ? [mrkdwn`auto-increment`] : []),
    ...attributeFacts(column),
    ...(primaryKey.includes(column.name) ? [mrkdwn`:key: primary key`] : []),
  ];
  const comment = column.comment ? mrkdwn`\n_${clip(column.comment, 120)}_` : "";
  return mrkdwn`*${column.name}*  ${joinMrkdwn(facts, " · ")}${comment}`;
}

/** The live attributes the editor keeps without showing them as fields. */
function attributeFacts(column: ColumnSpec): Mrkdwn[] {
  const attributes = column.attributes ?? {};
  return [
    ...(attributes.generated ? [mrkdwn`generated (${attributes.generated.stored ? "stored" : "virtual"})`] : []),
    ...(attributes.collation ? [mrkdwn`collation ${inlineCode(attributes.collation)}`] : []),
    ...(attributes.onUpdate ? [mrkdwn`on update ${inlineCode(attributes.onUpdate)}`] : []),
    ...(attributes.invisible ? [mrkdwn`invisible`] : []),
  ];
}

export interface EditorViewInput {
  databaseLabel: string;
  dialect: SchemaDialect;
  base: TableSchema | undefined;
  draft: TableDraft;
  page: number;
  filter: string;
  description: string;
  pendingCount: number;
  metadata: string;
}

/** The editor: one page of columns (filtered), the indexes, the primary key, and what is pending. */
export function tableEditorView(input: EditorViewInput): ModalView {
  const { draft } = input;
  const blocks: KnownBlock[] = [];
  const engine = input.dialect.engine === "mysql" ? "MySQL/MariaDB" : "PostgreSQL";
  blocks.push(contextBlock(mrkdwn`*${input.databaseLabel}* (${engine}) · ${input.base ? "table" : "new table"} *${draft.name}*`));
  const matching = draft.columns.map((column, index) => ({ column, index })).filter(({ column }) => column.name.toLowerCase().includes(input.filter.toLowerCase()));
  const pages = Math.max(1, Math.ceil(matching.length / COLUMNS_PER_PAGE));
  const page = Math.min(Math.max(0, input.page), pages - 1);
  if (draft.columns.length > COLUMNS_PER_PAGE || input.filter) {
    blocks.push({
      type: "input",
      block_id: "filter",
      optional: true,
      dispatch_action: true,
      label: text("Find columns"),
      element: { type: "plain_text_input", action_id: SCHEMA_ACTIONS.filter, initial_value: input.filter, placeholder: text("Part of a column name, then Enter"), dispatch_action_config: { trigger_actions_on: ["on_enter_pressed"] } },
    });
  }
  blocks.push({ type: "header", text: text(`Columns (${draft.columns.length})`, 150) });
  for (const { column, index } of matching.slice(page * COLUMNS_PER_PAGE, (page + 1) * COLUMNS_PER_PAGE)) {
    blocks.push(
      section(columnLine(column, draft.primaryKey), {
        block_id: `column_${index}`,
        accessory: {
          type: "overflow",
          action_id: SCHEMA_ACTIONS.columnMenu,
          options: [option("Change or rename", `edit:${index}`), option("Drop column…", `drop:${index}`)],
        },
      }),
    );
  }
  if (matching.length === 0) blocks.push(contextBlock(draft.columns.length === 0 ? mrkdwn`No columns yet: add one.` : mrkdwn`No column matches.`));
  if (pages > 1) {
    const buttons: Button[] = [];
    if (page > 0) buttons.push({ type: "button", action_id: `${SCHEMA_ACTIONS.page}_prev`, text: text("Previous"), value: String(page - 1) });
    if (page < pages - 1) buttons.push({ type: "button", action_id: `${SCHEMA_ACTIONS.page}_next`, text: text("Next"), value: String(page + 1) });
    blocks.push(contextBlock(mrkdwn`Page ${page + 1} of ${pages}`));
    blocks.push({ type: "actions", block_id: "pager", elements: buttons });
  }
  blocks.push({ type: "header", text: text(`Indexes (${draft.indexes.length})`, 150) });
  draft.indexes.slice(0, INDEXES_SHOWN).forEach((index, position) => {
    blocks.push(
      section(mrkdwn`*${index.name}*${index.unique ? " (unique)" : ""}: ${joinMrkdwn(index.columns.map(inlineCode), ", ")}`, {
        block_id: `index_${position}`,
        accessory: { type: "button", action_id: SCHEMA_ACTIONS.dropIndex, text: text("Drop"), value: String(position), style: "danger" },
      }),
    );
  });
  if (draft.indexes.length > INDEXES_SHOWN) blocks.push(contextBlock(mrkdwn`…and ${draft.indexes.length - INDEXES_SHOWN} more.`));
  blocks.push({
    type: "actions",
    block_id: "edit_actions",
    elements: [
      { type: "button", action_id: SCHEMA_ACTIONS.addColumn, text: text("Add column") },
      { type: "button", action_id: SCHEMA_ACTIONS.addIndex, text: text("Add index") },
      ...(input.pendingCount > 0 ? [{ type: "button" as const, action_id: SCHEMA_ACTIONS.undo, text: text("Undo last edit") }] : []),
    ],
  });
  // The key's choices: the columns on this page and the key's own, so any column can join it within 100 options.
  const keyChoices = [...new Set([...draft.primaryKey, ...matching.slice(page * COLUMNS_PER_PAGE, (page + 1) * COLUMNS_PER_PAGE).map(({ column }) => column.name)])]
    .filter((name) => draft.columns.some((column) => column.name === name))
    .slice(0, SELECT_OPTIONS_MAX);
  if (keyChoices.length > 0) {
    const selected = draft.primaryKey.filter((name) => keyChoices.includes(name));
    blocks.push({
      type: "input",
      block_id: "primary_key",
      optional: true,
      label: text("Primary key"),
      element: { type: "multi_static_select", action_id: "primary_key", placeholder: text("Columns of the primary key"), options: keyChoices.map((name) => option(name, name)), ...(selected.length > 0 ? { initial_options: selected.map((name) => option(name, name)) } : {}) },
    });
  }
  blocks.push({
    type: "input",
    block_id: "description",
    optional: true,
    label: text("Description"),
    element: { type: "plain_text_input", action_id: "description", multiline: true, initial_value: input.description, placeholder: text("Why this change (shown with the change)") },
  });
  blocks.push(contextBlock(input.pendingCount > 0 ? mrkdwn`${input.pendingCount} pending edit(s). *Preview* shows the DDL Sluice will submit.` : mrkdwn`No pending edits yet.`));
  return modal(SCHEMA_CALLBACKS.editor, input.base ? "Alter table" : "New table", blocks, input.metadata, "Preview");
}

export interface ColumnFormInput {
  dialect: SchemaDialect;
  /** The column being changed; undefined to add one. */
  column?: ColumnSpec;
  /** Whether the column exists in the live table (its auto-increment cannot change here). */
  live: boolean;
  /** The table's columns in order: a new column can go after any of them where the engine places columns. */
  columns?: string[];
  metadata: string;
}

const LAST = "last";

export function columnFormView({ dialect, column, live, columns = [], metadata }: ColumnFormInput): ModalView {
  const blocks: KnownBlock[] = [
    { type: "input", block_id: "name", label: text("Name"), element: { type: "plain_text_input", action_id: "name", ...(column ? { initial_value: column.name } : {}) } },
    {
      type: "input",
      block_id: "type_choice",
      optional: true,
      label: text("Type"),
      element: { type: "static_select", action_id: "type_choice", placeholder: text("Pick a type"), options: dialect.columnTypes.map((def) => option(def.maxParams > 0 ? `${def.name}(…)` : def.name, def.name)) },
    },
    {
      type: "input",
      block_id: "type_custom",
      optional: true,
      label: text("…or type it, with length or precision"),
      hint: text("e.g. varchar(255), decimal(10,2); this wins over the list.", 150),
      element: { type: "plain_text_input", action_id: "type_custom", ...(column ? { initial_value: column.type } : {}) },
    },
    {
      type: "input",
      block_id: "nullable",
      optional: true,
      label: text("Null"),
      element: { type: "checkboxes", action_id: "nullable", options: [option("Allow NULL", "yes")], ...(column?.nullable ? { initial_options: [option("Allow NULL", "yes")] } : {}) },
    },
    {
      type: "input",
      block_id: "default",
      optional: true,
      label: text("Default"),
      hint: text("Empty: none. NULL, CURRENT_TIMESTAMP, a number, true/false, or text ('quoted' to keep the words NULL or CURRENT_TIMESTAMP as text).", 150),
      element: { type: "plain_text_input", action_id: "default", ...(column && column.default.kind !== "none" ? { initial_value: formatDefault(column.default) } : {}) },
    },
    { type: "input", block_id: "comment", optional: true, label: text("Comment"), element: { type: "plain_text_input", action_id: "comment", ...(column?.comment ? { initial_value: column.comment } : {}) } },
  ];
  if (!column && dialect.columnPlacement && columns.length > 0) {
    const last = option("Last", LAST);
    const choices = [last, option("First", "first"), ...columns.map((name) => option(`After ${name}`, `after:${name}`))];
    // Past Slack's 100 options a select would leave the last columns out: the position is typed instead.
    blocks.push(
      choices.length <= SELECT_OPTIONS_MAX
        ? { type: "input", block_id: "position", optional: true, label: text("Position"), element: { type: "static_select", action_id: "position", options: choices, initial_option: last } }
        : {
            type: "input",
            block_id: "position",
            optional: true,
            label: text("Position"),
            hint: text(`Empty: last. "first", or the name of the column it goes after (the table has ${columns.length} columns).`, 150),
            element: { type: "plain_text_input", action_id: "position", placeholder: text("last") },
          },
    );
  }
  if (!live) {
    blocks.push({
      type: "input",
      block_id: "identity",
      optional: true,
      label: text("Auto-increment"),
      element: { type: "checkboxes", action_id: "identity", options: [option(dialect.engine === "mysql" ? "AUTO_INCREMENT" : "GENERATED BY DEFAULT AS IDENTITY", "yes")], ...(column?.identity ? { initial_options: [option(dialect.engine === "mysql" ? "AUTO_INCREMENT" : "GENERATED BY DEFAULT AS IDENTITY", "yes")] } : {}) },
    });
  }
  return modal(SCHEMA_CALLBACKS.column, column ? "Change column" : "Add column", blocks, metadata, "Save");
}

/** Asks before a column is dropped: the drop joins the pending edits only when confirmed. */
export function dropColumnConfirmView(table: string, column: string, metadata: string): ModalView {
  return modal(
    SCHEMA_CALLBACKS.dropColumn,
    "Drop column",
    [section(mrkdwn`:warning: Drop column *${column}* from *${table}*? Its data is gone once the change runs; until you submit, *Undo last edit* takes the drop back.`)],
    metadata,
    "Drop column",
  );
}

export function indexFormView(metadata: string): ModalView {
  return modal(
    SCHEMA_CALLBACKS.index,
    "Add index",
    [
      { type: "input", block_id: "name", label: text("Index name"), element: { type: "plain_text_input", action_id: "name", placeholder: text("e.g. idx_orders_customer") } },
      { type: "input", block_id: "columns", label: text("Columns, one per line, in order"), element: { type: "plain_text_input", action_id: "columns", multiline: true } },
      { type: "input", block_id: "unique", optional: true, label: text("Unique"), element: { type: "checkboxes", action_id: "unique", options: [option("Unique index", "yes")] } },
    ],
    metadata,
    "Save",
  );
}

export function schemaPreviewView(databaseLabel: string, preview: SchemaPreview, metadata: string): ModalView {
  const blocks: KnownBlock[] = [contextBlock(mrkdwn`The DDL Sluice will submit to *${databaseLabel}* as a schema change:`)];
  blocks.push(...codeBlocks(preview.script).slice(0, 39).map((code) => section(code)));
  const { review } = preview;
  blocks.push({ type: "header", text: text(`Review: ${review.errorCount} error(s), ${review.warningCount} warning(s)`, 150) });
  for (const finding of review.findings.slice(0, 40)) {
    const icon = finding.level === "error" ? ":x:" : ":warning:";
    blocks.push(section(truncateMrkdwn(mrkdwn`${icon} *${finding.ruleId}* (statement ${finding.statementOrdinal + 1}): ${finding.message}\n_${finding.advice}_`, 2900)));
  }
  if (review.findings.length > 40) blocks.push(contextBlock(mrkdwn`…and ${review.findings.length - 40} more findings.`));
  if (review.findings.length === 0) blocks.push(contextBlock(mrkdwn`:white_check_mark: No findings.`));
  return modal(SCHEMA_CALLBACKS.preview, "Preview DDL", blocks, metadata, "Submit change");
}

/** `response_action: "errors"` for a form: each problem on the input block where it belongs. */
export function fieldErrors(problems: FieldProblem[], blockFor: (field: FieldProblem["field"]) => string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const problem of problems) {
    const block = blockFor(problem.field);
    errors[block] = clip(errors[block] ? `${errors[block]} ${problem.message}` : problem.message, 2000);
  }
  return errors;
}

