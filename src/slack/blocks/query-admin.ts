// Block Kit for the outcome of `/db admin`: each statement's rows affected, result table or error. What a message
// cannot hold (a long statement, a long error, rows past the message's room, statements past its 50 blocks) is in
// the whole outcome, as text, which the command sends as a file.
import type { KnownBlock } from "@slack/types";
import type { AdminOutcome } from "../../query/run-admin.ts";
import { MESSAGE_BLOCK_LIMIT, resultMessage } from "./query-result.ts";
import { tableLines } from "./query-table.ts";
import { contextBlock, inlineCode, mrkdwn, section, SLACK_LIMITS, truncate, type Mrkdwn } from "./text.ts";

const SQL_PREVIEW = 300;
const ERROR_PREVIEW = 2000;
/** Blocks kept for the summary and the note on where the rest is. */
const ROOM = MESSAGE_BLOCK_LIMIT - 2;

export interface AdminOutcomeMessage {
  blocks: KnownBlock[];
  text: Mrkdwn;
  /** False when the message leaves something out: the whole outcome then goes as a file. */
  complete: boolean;
}

export function adminOutcomeBlocks(outcome: AdminOutcome, whereTheRestIs?: Mrkdwn): AdminOutcomeMessage {
  const failed = outcome.statements.some((statement) => statement.error !== undefined);
  const summary = mrkdwn`${failed ? ":x:" : ":white_check_mark:"} /db admin on *${outcome.database.label}*: ${outcome.statements.length} statement${outcome.statements.length === 1 ? "" : "s"} run${outcome.skipped > 0 ? `, ${outcome.skipped} not run after the failure` : ""}. Audited; not recorded as a change (it will show as drift).`;
  const blocks: KnownBlock[] = [section(summary)];
  let complete = true;
  let shown = 0;
  for (const statement of outcome.statements) {
    if (blocks.length >= ROOM) {
      complete = false;
      break;
    }
    if (statement.sql.length > SQL_PREVIEW) complete = false;
    const heading = inlineCode(truncate(statement.sql, SQL_PREVIEW).replace(/\s+/g, " "));
    if (statement.error !== undefined) {
      if (statement.error.length > ERROR_PREVIEW) complete = false;
      blocks.push(section(mrkdwn`${heading}\n:x: ${truncate(statement.error, ERROR_PREVIEW)}`));
    } else if (statement.table) {
      const message = resultMessage(statement.table, { database: outcome.database.label, heading, whereTheRestIs: "Every row is in the whole outcome." });
      const fits = message.blocks.slice(0, ROOM - blocks.length);
      if (fits.length < message.blocks.length || message.shownRows < statement.table.rows.length) complete = false;
      blocks.push(...fits);
    } else {
      blocks.push(section(mrkdwn`${heading}\n${statement.rowsAffected ?? 0} row${statement.rowsAffected === 1 ? "" : "s"} affected · ${Math.round(statement.durationMs)} ms`));
    }
    shown += 1;
  }
  if (!complete) {
    blocks.push(contextBlock(mrkdwn`Not everything fits in this message (it shows ${shown} of ${outcome.statements.length} statements, some of them shortened). ${whereTheRestIs ?? mrkdwn`The whole outcome is attached as a file.`}`));
  }
  return { blocks, text: summary, complete };
}

/** The whole outcome as text: every statement in full, with its rows affected, its error or every row it returned. */
export function adminOutcomeText(outcome: AdminOutcome): string {
  const lines = [`/db admin on ${outcome.database.label}: ${outcome.statements.length} statement(s) run${outcome.skipped > 0 ? `, ${outcome.skipped} not run after the failure` : ""}.`];
  for (const [index, statement] of outcome.statements.entries()) {
    lines.push("", `Statement ${index + 1}:`, statement.sql);
    if (statement.error !== undefined) lines.push(`Error: ${statement.error}`);
    else if (statement.table) lines.push(`${statement.table.rows.length} row(s)${statement.table.truncated ? ` (cut at the ${statement.table.rowLimit}-row limit)` : ""}:`, ...tableLines(statement.table.columns, statement.table.rows));
    else lines.push(`${statement.rowsAffected ?? 0} row(s) affected, ${Math.round(statement.durationMs)} ms`);
  }
  return `${lines.join("\n")}\n`;
}
