// Block Kit for the outcome of `/db admin`: each statement's rows affected, result table or error.
import type { KnownBlock } from "@slack/types";
import type { AdminOutcome } from "../../query/run-admin.ts";
import { MESSAGE_BLOCK_LIMIT, resultMessage } from "./query-result.ts";
import { inlineCode, mrkdwn, section, type Mrkdwn } from "./text.ts";

const SQL_PREVIEW = 300;

export function adminOutcomeBlocks(outcome: AdminOutcome): { blocks: KnownBlock[]; text: Mrkdwn } {
  const failed = outcome.statements.some((statement) => statement.error !== undefined);
  const summary = mrkdwn`${failed ? ":x:" : ":white_check_mark:"} /db admin on *${outcome.database.label}*: ${outcome.statements.length} statement${outcome.statements.length === 1 ? "" : "s"} run${outcome.skipped > 0 ? `, ${outcome.skipped} not run after the failure` : ""}. Audited; not recorded as a change (it will show as drift).`;
  const blocks: KnownBlock[] = [section(summary)];
  for (const statement of outcome.statements) {
    const sql = statement.sql.length > SQL_PREVIEW ? `${statement.sql.slice(0, SQL_PREVIEW)}…` : statement.sql;
    const heading = inlineCode(sql.replace(/\s+/g, " "));
    if (statement.error !== undefined) {
      blocks.push(section(mrkdwn`${heading}\n:x: ${statement.error}`));
    } else if (statement.table) {
      const room = MESSAGE_BLOCK_LIMIT - blocks.length - 1;
      const message = resultMessage(statement.table, { database: outcome.database.label, heading, whereTheRestIs: "Use /db query with the answer in a thread for a CSV of every row." });
      blocks.push(...message.blocks.slice(0, Math.max(0, room)));
    } else {
      blocks.push(section(mrkdwn`${heading}\n${statement.rowsAffected ?? 0} row${statement.rowsAffected === 1 ? "" : "s"} affected · ${Math.round(statement.durationMs)} ms`));
    }
  }
  return { blocks: blocks.slice(0, MESSAGE_BLOCK_LIMIT), text: summary };
}
