// The modals for submitting changes: `/db change` and `/db newdb`, and the override reason.
import type { KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import type { RegisteredDatabase } from "../../projects/registry.ts";
import { choiceOption, choiceSelect, databaseChoices, type Choice } from "./choice-select.ts";
import { codeBlocks, mrkdwn, section, SLACK_LIMITS, type Mrkdwn } from "./text.ts";

export const CHANGE_MODAL = "change.submit";
export const REVIEW_MODAL = "review.submit";
export const NEWDB_MODAL = "newdb.submit";
export const OVERRIDE_MODAL = "change.override.submit";
export const FORCE_ROLLBACK_MODAL = "rollback.force.submit";

/** Block ids double as the field names errors are reported on. */
export const CHANGE_FIELDS = { database: "database", type: "type", sql: "sql", file: "file", description: "description" } as const;
export const NEWDB_FIELDS = { name: "name", target: "target", description: "description" } as const;

export interface ChangeModalPrefill {
  database?: string;
  sql?: string;
  type?: "schema" | "data";
  /** The SqlDrafts key holding `sql`, when it is longer than a text input holds: the form shows it and refers to it. */
  sqlDraft?: string;
}

/** What a change or review form carries besides its fields: where to answer, and the draft holding long SQL. */
export interface SqlFormMetadata {
  channel: string;
  sqlDraft?: string;
}

function option(text: string, value: string): PlainTextOption {
  return choiceOption({ text, value });
}

function modal(callbackId: string, title: string, submit: string, blocks: KnownBlock[], privateMetadata: string): ModalView {
  return {
    type: "modal",
    callback_id: callbackId,
    title: { type: "plain_text", text: title },
    submit: { type: "plain_text", text: submit },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: privateMetadata,
    blocks,
  };
}

function databaseInput(databases: RegisteredDatabase[], initial: string | undefined): KnownBlock {
  return {
    type: "input",
    block_id: CHANGE_FIELDS.database,
    label: { type: "plain_text", text: "Database" },
    element: choiceSelect({ actionId: "value", choices: databaseChoices(databases), initial, placeholder: "Choose a database", noun: "databases" }),
  };
}

/** The blocks a form uses for its SQL: a text input and a .sql file, or the whole SQL kept as a draft, shown. */
function sqlBlocks(sql: string | undefined, sqlDraft: string | undefined): KnownBlock[] {
  if (sql !== undefined && sqlDraft) {
    return [
      section(mrkdwn`*SQL* from your command: ${sql.length.toLocaleString("en-US")} characters, more than a form's text field holds (${SLACK_LIMITS.plainTextInput.toLocaleString("en-US")}). This form keeps it and submits it whole, as shown:`),
      ...codeBlocks(sql).map((code) => section(code)),
    ];
  }
  return [
    {
      type: "input",
      block_id: CHANGE_FIELDS.sql,
      optional: true,
      label: { type: "plain_text", text: "SQL" },
      hint: { type: "plain_text", text: "One or more statements separated by semicolons. For longer scripts, attach a .sql file below." },
      element: { type: "plain_text_input", action_id: "value", multiline: true, max_length: SLACK_LIMITS.plainTextInput, ...(sql ? { initial_value: sql } : {}) },
    },
    {
      type: "input",
      block_id: CHANGE_FIELDS.file,
      optional: true,
      label: { type: "plain_text", text: "…or a .sql file" },
      element: { type: "file_input", action_id: "value", filetypes: ["sql", "txt"], max_files: 1 },
    },
  ];
}

/** Blocks a form has besides its SQL; the rest of a view's 100 may show a long script. */
const FORM_BLOCKS = 4;

/** Whether SQL too long for a text input still fits in a form as a shown draft (Slack's 100 blocks per view). */
export function sqlFitsInForm(sql: string): boolean {
  return codeBlocks(sql).length + 1 + FORM_BLOCKS <= SLACK_LIMITS.blocksPerView;
}

export function changeModal(databases: RegisteredDatabase[], prefill: ChangeModalPrefill, channel: string): ModalView {
  const types = [option("Schema change (DDL)", "schema"), option("Data change (DML)", "data")];
  const blocks: KnownBlock[] = [
    databaseInput(databases, prefill.database),
    {
      type: "input",
      block_id: CHANGE_FIELDS.type,
      label: { type: "plain_text", text: "Change type" },
      element: { type: "radio_buttons", action_id: "value", options: types, initial_option: types.find((t) => t.value === (prefill.type ?? "schema"))! },
    },
    ...sqlBlocks(prefill.sql, prefill.sqlDraft),
    {
      type: "input",
      block_id: CHANGE_FIELDS.description,
      optional: true,
      label: { type: "plain_text", text: "Description" },
      element: { type: "plain_text_input", action_id: "value", multiline: true, placeholder: { type: "plain_text", text: "Why this change?" } },
    },
  ];
  const metadata: SqlFormMetadata = { channel, ...(prefill.sqlDraft ? { sqlDraft: prefill.sqlDraft } : {}) };
  return modal(CHANGE_MODAL, "Submit a change", "Submit", blocks, JSON.stringify(metadata));
}

/** `/db review` without SQL: the database and the SQL (or a .sql file) to review. */
export function reviewModal(databases: RegisteredDatabase[], prefill: { database?: string }, channel: string): ModalView {
  const metadata: SqlFormMetadata = { channel };
  return modal(REVIEW_MODAL, "Review SQL", "Review", [databaseInput(databases, prefill.database), ...sqlBlocks(undefined, undefined)], JSON.stringify(metadata));
}

export interface NewDatabaseTarget {
  instance: string;
  environment: string;
  project: string;
}

/** Where a database can be created, as choices: the value is the target itself, read back on submission. */
export function newDatabaseChoices(targets: NewDatabaseTarget[]): Choice[] {
  return targets.map((t) => ({ text: `${t.instance} · ${t.environment} · ${t.project}`, value: JSON.stringify([t.instance, t.environment, t.project]) }));
}

/** The target a submitted choice names; undefined when it names none of them. */
export function newDatabaseTargetOf(value: string, targets: NewDatabaseTarget[]): NewDatabaseTarget | undefined {
  return targets.find((t) => JSON.stringify([t.instance, t.environment, t.project]) === value);
}

export function newDatabaseModal(targets: NewDatabaseTarget[], channel: string, name?: string): ModalView {
  const choices = newDatabaseChoices(targets);
  const blocks: KnownBlock[] = [
    {
      type: "input",
      block_id: NEWDB_FIELDS.name,
      label: { type: "plain_text", text: "Database name" },
      element: { type: "plain_text_input", action_id: "value", ...(name ? { initial_value: name } : {}), placeholder: { type: "plain_text", text: "db_demo" } },
    },
    {
      type: "input",
      block_id: NEWDB_FIELDS.target,
      label: { type: "plain_text", text: "Instance · environment · project" },
      element: choiceSelect({ actionId: "value", choices, initial: choices.length === 1 ? choices[0]!.value : undefined, placeholder: "Choose where", noun: "places" }),
    },
    {
      type: "input",
      block_id: NEWDB_FIELDS.description,
      optional: true,
      label: { type: "plain_text", text: "Description" },
      element: { type: "plain_text_input", action_id: "value", multiline: true },
    },
  ];
  return modal(NEWDB_MODAL, "Create a database", "Submit", blocks, JSON.stringify({ channel }));
}

/** A modal that asks an approver why, before a decision that overrides Sluice's safety checks. */
function reasonModal(callbackId: string, title: string, intro: Mrkdwn, submit: string, changeId: number): ModalView {
  const blocks: KnownBlock[] = [
    section(intro),
    {
      type: "input",
      block_id: "reason",
      label: { type: "plain_text", text: "Reason" },
      element: { type: "plain_text_input", action_id: "value", multiline: true, min_length: 10 },
    },
  ];
  return modal(callbackId, title, submit, blocks, JSON.stringify({ changeId }));
}

export function overrideModal(changeKey: string, changeId: number, errorCount: number): ModalView {
  return reasonModal(
    OVERRIDE_MODAL,
    "Override and approve",
    mrkdwn`The review of *${changeKey}* found ${errorCount} error-level finding${errorCount === 1 ? "" : "s"}. Approving overrides them; your reason is recorded in the history.`,
    "Approve",
    changeId,
  );
}

export function forceRollbackModal(changeKey: string, changeId: number): ModalView {
  return reasonModal(
    FORCE_ROLLBACK_MODAL,
    "Force rollback",
    mrkdwn`Rows that *${changeKey}* restores were changed after the original change ran. Forcing the rollback overwrites those later changes too; your reason is recorded in the history.`,
    "Force rollback",
    changeId,
  );
}
