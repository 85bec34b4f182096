// Block Kit for a query result: a summary line and the table in code blocks, within Slack's limits.
import type { KnownBlock } from "@slack/types";
import type { QueryTable } from "../../query/run-query.ts";
import { tableLines } from "./query-table.ts";
import { contextBlock, inlineCode, joinMrkdwn, mrkdwn, section, type Mrkdwn } from "./text.ts";

/** Slack's limits: 3000 characters in a section's text, 50 blocks in a message. */
export const SECTION_TEXT_LIMIT = 3000;
export const MESSAGE_BLOCK_LIMIT = 50;
/** Rows shown in a message at most; more go to the CSV file. */
export const MESSAGE_ROW_LIMIT = 100;
const BLOCKS_FOR_TEXT = 4;

export interface ResultMessage {
  blocks: KnownBlock[];
  text: Mrkdwn;
  /** Rows the message shows; fewer than the result holds means the rest is only in the CSV file. */
  shownRows: number;
}

export interface ResultContext {
  database: string;
  /** Said in the summary when the message cannot show every row. */
  whereTheRestIs: string;
  /** An extra line under the summary (e.g. the SQL). */
  heading?: Mrkdwn;
}

/** A cell holding ``` would close the code block early. */
function codeSafe(line: string): string {
  return line.replace(/`/g, "ˋ");
}

export function resultMessage(table: QueryTable, context: ResultContext): ResultMessage {
  const lines = tableLines(table.columns, table.rows.slice(0, MESSAGE_ROW_LIMIT)).map(codeSafe);
  const chunks: Mrkdwn[] = [];
  let current: string[] = [];
  let shownRows = 0;
  const wrap = (body: string[]): Mrkdwn => mrkdwn`\`\`\`\n${body.join("\n")}\n\`\`\``;
  for (const [index, line] of lines.entries()) {
    const isRow = index >= 2;
    if (wrap([...current, line]).text.length > SECTION_TEXT_LIMIT) {
      if (chunks.length + 1 >= MESSAGE_BLOCK_LIMIT - BLOCKS_FOR_TEXT) break;
      if (current.length > 0) chunks.push(wrap(current));
      current = [];
      if (wrap([line]).text.length > SECTION_TEXT_LIMIT) break;
    }
    current.push(line);
    if (isRow) shownRows++;
  }
  if (current.length > 0) chunks.push(wrap(current));
  const rowCount = table.rows.length;
  const facts: Mrkdwn[] = [
    mrkdwn`${rowCount.toLocaleString("en-US")} row${rowCount === 1 ? "" : "s"}`,
    mrkdwn`${Math.round(table.durationMs).toLocaleString("en-US")} ms`,
    table.truncated ? mrkdwn`:scissors: cut at the ${table.rowLimit.toLocaleString("en-US")}-row limit` : mrkdwn`complete`,
  ];
  if (table.cutAtBytes) facts.push(mrkdwn`:scissors: ${byteLimitNote(table.maxResultBytes)}`);
  const masked = table.columns.filter((_, index) => table.masked[index]);
  if (masked.length > 0) facts.push(mrkdwn`:lock: masked: ${joinMrkdwn(masked.map(inlineCode), ", ")}`);
  const blocks: KnownBlock[] = [];
  if (context.heading) blocks.push(section(context.heading));
  blocks.push(contextBlock(mrkdwn`*${context.database}* · ${joinMrkdwn(facts, " · ")}`));
  if (table.columns.length === 0) {
    blocks.push(section(mrkdwn`_The statement returned no columns._`));
  } else {
    for (const chunk of chunks) blocks.push(section(chunk));
  }
  if (shownRows < rowCount) {
    blocks.push(contextBlock(mrkdwn`Showing ${shownRows.toLocaleString("en-US")} of ${rowCount.toLocaleString("en-US")} rows. ${context.whereTheRestIs}`));
  }
  return { blocks, text: mrkdwn`${context.database}: ${joinMrkdwn(facts, ", ")}`, shownRows };
}

/** Said wherever a result cut at query.maxResultBytes is shown: the message and the CSV file. */
export function byteLimitNote(maxResultBytes: number): string {
  return `cut at the ${formatBytes(maxResultBytes)} result limit (query.maxResultBytes); the last row's values may be shortened`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
