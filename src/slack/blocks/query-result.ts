// Block Kit for a query result: a summary line and the table in code blocks, within Slack's limits.
import type { KnownBlock } from "@slack/types";
import type { QueryTable } from "../../query/run-query.ts";
import { tableLines } from "./query-table.ts";

/** Slack's limits: 3000 characters in a section's text, 50 blocks in a message. */
export const SECTION_TEXT_LIMIT = 3000;
export const MESSAGE_BLOCK_LIMIT = 50;
/** Rows shown in a message at most; more go to the CSV file. */
export const MESSAGE_ROW_LIMIT = 100;
const BLOCKS_FOR_TEXT = 4;

export interface ResultMessage {
  blocks: KnownBlock[];
  text: string;
  /** Rows the message shows; fewer than the result holds means the rest is only in the CSV file. */
  shownRows: number;
}

export interface ResultContext {
  database: string;
  /** Said in the summary when the message cannot show every row. */
  whereTheRestIs: string;
  /** An extra line under the summary (e.g. the SQL). */
  heading?: string;
}

/** Slack's mrkdwn needs &, < and > escaped even inside code blocks. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A cell holding ``` would close the code block early. */
function codeSafe(line: string): string {
  return escapeMrkdwn(line.replace(/`/g, "ˋ"));
}

export function resultMessage(table: QueryTable, context: ResultContext): ResultMessage {
  const lines = tableLines(table.columns, table.rows.slice(0, MESSAGE_ROW_LIMIT)).map(codeSafe);
  const chunks: string[] = [];
  let current: string[] = [];
  let shownRows = 0;
  const wrap = (body: string[]): string => "```\n" + body.join("\n") + "\n```";
  for (const [index, line] of lines.entries()) {
    const isRow = index >= 2;
    if (wrap([...current, line]).length > SECTION_TEXT_LIMIT) {
      if (chunks.length + 1 >= MESSAGE_BLOCK_LIMIT - BLOCKS_FOR_TEXT) break;
      if (current.length > 0) chunks.push(wrap(current));
      current = [];
      if (wrap([line]).length > SECTION_TEXT_LIMIT) break;
    }
    current.push(line);
    if (isRow) shownRows++;
  }
  if (current.length > 0) chunks.push(wrap(current));
  const rowCount = table.rows.length;
  const facts = [
    `${rowCount.toLocaleString("en-US")} row${rowCount === 1 ? "" : "s"}`,
    `${Math.round(table.durationMs).toLocaleString("en-US")} ms`,
    table.truncated ? `:scissors: cut at the ${table.rowLimit.toLocaleString("en-US")}-row limit` : "complete",
  ];
  const masked = table.columns.filter((_, index) => table.masked[index]);
  if (masked.length > 0) facts.push(`:lock: masked: ${masked.map((name) => `\`${escapeMrkdwn(name)}\``).join(", ")}`);
  const blocks: KnownBlock[] = [];
  if (context.heading) blocks.push({ type: "section", text: { type: "mrkdwn", text: context.heading } });
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `*${escapeMrkdwn(context.database)}* · ${facts.join(" · ")}` }] });
  if (table.columns.length === 0) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: "_The statement returned no columns._" } });
  } else {
    for (const chunk of chunks) blocks.push({ type: "section", text: { type: "mrkdwn", text: chunk } });
  }
  if (shownRows < rowCount) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `Showing ${shownRows.toLocaleString("en-US")} of ${rowCount.toLocaleString("en-US")} rows. ${context.whereTheRestIs}` }] });
  }
  return { blocks, text: `${context.database}: ${facts.join(", ")}`, shownRows };
}
