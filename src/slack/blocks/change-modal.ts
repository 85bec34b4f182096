// The modals for submitting changes: `/db change` and `/db newdb`, and the override reason.
import type { KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import type { RegisteredDatabase } from "../../projects/registry.ts";
import { mrkdwn, section, SLACK_LIMITS, truncate, type Mrkdwn } from "./text.ts";

export const CHANGE_MODAL = "change.submit";
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
}

function option(text: string, value: string): PlainTextOption {
  return { text: { type: "plain_text", text: truncate(text, SLACK_LIMITS.optionText) }, value };
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

export function changeModal(databases: RegisteredDatabase[], prefill: ChangeModalPrefill, channel: string): ModalView {
  const options = databases.slice(0, SLACK_LIMITS.optionsPerSelect).map((d) => option(`${d.label} (${d.environment.name})`, d.label));
  const initial = options.find((o) => o.value === prefill.database);
  const types = [option("Schema change (DDL)", "schema"), option("Data change (DML)", "data")];
  const sql = prefill.sql ? truncate(prefill.sql, SLACK_LIMITS.plainTextInput, "") : undefined;
  const blocks: KnownBlock[] = [
    {
      type: "input",
      block_id: CHANGE_FIELDS.database,
      label: { type: "plain_text", text: "Database" },
      element: { type: "static_select", action_id: "value", placeholder: { type: "plain_text", text: "Choose a database" }, options, ...(initial ? { initial_option: initial } : {}) },
    },
    {
      type: "input",
      block_id: CHANGE_FIELDS.type,
      label: { type: "plain_text", text: "Change type" },
      element: { type: "radio_buttons", action_id: "value", options: types, initial_option: types.find((t) => t.value === (prefill.type ?? "schema"))! },
    },
    {
      type: "input",
      block_id: CHANGE_FIELDS.sql,
      optional: true,
      label: { type: "plain_text", text: "SQL" },
      hint: { type: "plain_text", text: "One or more statements separated by semicolons. For longer scripts, attach a .sql file below." },
      element: { type: "plain_text_input", action_id: "value", multiline: true, ...(sql ? { initial_value: sql } : {}) },
    },
    {
      type: "input",
      block_id: CHANGE_FIELDS.file,
      optional: true,
      label: { type: "plain_text", text: "…or a .sql file" },
      element: { type: "file_input", action_id: "value", filetypes: ["sql", "txt"], max_files: 1 },
    },
    {
      type: "input",
      block_id: CHANGE_FIELDS.description,
      optional: true,
      label: { type: "plain_text", text: "Description" },
      element: { type: "plain_text_input", action_id: "value", multiline: true, placeholder: { type: "plain_text", text: "Why this change?" } },
    },
  ];
  return modal(CHANGE_MODAL, "Submit a change", "Submit", blocks, JSON.stringify({ channel }));
}

export interface NewDatabaseTarget {
  instance: string;
  environment: string;
  project: string;
}

export function newDatabaseModal(targets: NewDatabaseTarget[], channel: string, name?: string): ModalView {
  const options = targets.slice(0, SLACK_LIMITS.optionsPerSelect).map((t) => option(`${t.instance} · ${t.environment} · ${t.project}`, JSON.stringify(t)));
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
      element: { type: "static_select", action_id: "value", options, ...(options.length === 1 ? { initial_option: options[0] } : {}) },
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
