// The `/db query` modal: database, SQL, and where the answer goes.
import type { ModalView } from "@slack/types";
import type { RegisteredDatabase } from "../../projects/registry.ts";
import { choiceSelect, databaseChoices } from "./choice-select.ts";

export const QUERY_MODAL_CALLBACK = "query_modal";
export const QUERY_BLOCKS = {
  database: { block: "database", action: "database" },
  sql: { block: "sql", action: "sql" },
  delivery: { block: "delivery", action: "delivery" },
} as const;

export type QueryDelivery = "ephemeral" | "thread";

export interface QueryModalMetadata {
  channel: string;
}

export function queryModal(databases: RegisteredDatabase[], metadata: QueryModalMetadata, initialDatabase?: string): ModalView {
  const { database, sql, delivery } = QUERY_BLOCKS;
  const databaseElement = choiceSelect({ actionId: database.action, choices: databaseChoices(databases), initial: initialDatabase, placeholder: "Choose a database", noun: "databases" });
  const options = [
    { text: { type: "plain_text" as const, text: "Only me (ephemeral)" }, value: "ephemeral" },
    { text: { type: "plain_text" as const, text: "In the channel, as a thread (adds a CSV for large results)" }, value: "thread" },
  ];
  return {
    type: "modal",
    callback_id: QUERY_MODAL_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: "Run a read-only query" },
    submit: { type: "plain_text", text: "Run" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      { type: "input", block_id: database.block, label: { type: "plain_text", text: "Database" }, element: databaseElement },
      {
        type: "input",
        block_id: sql.block,
        label: { type: "plain_text", text: "SQL" },
        hint: { type: "plain_text", text: "One SELECT, SHOW, DESCRIBE or EXPLAIN. It runs in a read-only transaction; sensitive columns are masked." },
        element: { type: "plain_text_input", action_id: sql.action, multiline: true, max_length: 3000 },
      },
      {
        type: "input",
        block_id: delivery.block,
        label: { type: "plain_text", text: "Answer" },
        element: { type: "radio_buttons", action_id: delivery.action, options, initial_option: options[0]! },
      },
    ],
  };
}
