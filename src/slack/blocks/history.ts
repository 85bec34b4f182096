// Block Kit for `/db history` and the "View change" modal.
import type { KnownBlock, ModalView } from "@slack/types";
import type { ChangeDetail, ShownStatement } from "../../store/changes.ts";
import { CHANGE_ACTIONS, changeTypeName, formatDuration, statusLine } from "./change.ts";
import { codeBlock, escapeMrkdwn, mention, SLACK_LIMITS, truncate } from "./text.ts";

export interface HistoryEntry {
  id: number;
  key: string;
  type: ChangeDetail["type"];
  status: ChangeDetail["status"];
  requesterId: string;
  createdAt: Date;
  description: string;
}

export function historyBlocks(databaseLabel: string, entries: HistoryEntry[]): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: "header", text: { type: "plain_text", text: truncate(`History of ${databaseLabel}`, SLACK_LIMITS.headerText) } }];
  if (entries.length === 0) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: "No changes yet." } });
    return blocks;
  }
  for (const entry of entries.slice(0, SLACK_LIMITS.blocksPerMessage - 2)) {
    const when = `<!date^${Math.floor(entry.createdAt.getTime() / 1000)}^{date_short_pretty} {time}|${entry.createdAt.toISOString()}>`;
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `*${entry.key}* · ${changeTypeName(entry.type)} · ${entry.status.replace(/_/g, " ")} · ${mention(entry.requesterId)} · ${when}${entry.description ? `\n${escapeMrkdwn(truncate(entry.description, 200))}` : ""}` },
      accessory: { type: "button", text: { type: "plain_text", text: "View change" }, action_id: CHANGE_ACTIONS.view, value: String(entry.id) },
    });
  }
  return blocks;
}

const decisionWords: Record<ChangeDetail["approvals"][number]["decision"], string> = {
  approve: "approved",
  reject: "rejected",
  override: "overrode the review's errors and approved",
  mark_done: "marked it as done",
};

/** Statements the "View change" modal shows, at most this many (its blocks hold the rest of the change too). */
export const STATEMENTS_IN_DETAIL_MODAL = SLACK_LIMITS.blocksPerView - 10;

/** `statements`: the change's first statements (STATEMENTS_IN_DETAIL_MODAL at most), each with its last execution's result. */
export function changeDetailModal(change: ChangeDetail, statements: ShownStatement[], diff: string | undefined): ModalView {
  const blocks: KnownBlock[] = [
    { type: "section", text: { type: "mrkdwn", text: `*${change.key}* · ${changeTypeName(change.type)} on ${escapeMrkdwn(change.database.name)} (${change.database.environment.name})\n${statusLine(change)}\nRequested by ${mention(change.requesterId)}` } },
  ];
  for (const { result, ...statement } of statements.slice(0, STATEMENTS_IN_DETAIL_MODAL)) {
    const outcome = result
      ? result.status === "done"
        ? `done · ${result.rowsAffected ?? 0} rows · ${formatDuration(result.durationMs ?? 0)}`
        : `${result.status.replace(/_/g, " ")}${result.error ? `: ${escapeMrkdwn(truncate(result.error, 500))}` : ""}`
      : statement.status.replace(/_/g, " ");
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(`*${statement.ordinal + 1}.* line ${statement.line} · ${outcome}\n${codeBlock(statement.sql, 1500).text}`, SLACK_LIMITS.sectionText) } });
  }
  if (change.tally.total > STATEMENTS_IN_DETAIL_MODAL) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `${change.tally.total - STATEMENTS_IN_DETAIL_MODAL} more statements are not shown.` }] });
  }
  if (diff) {
    blocks.push({ type: "divider" });
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `*Schema diff*\n${codeBlock(diff).text}` } });
  }
  const approvals = change.approvals.map((a) => `${mention(a.userId)} ${decisionWords[a.decision]}${a.reason ? `: ${escapeMrkdwn(truncate(a.reason, 200))}` : ""}`);
  if (approvals.length > 0) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: truncate(approvals.join("\n"), SLACK_LIMITS.sectionText) }] });
  return {
    type: "modal",
    callback_id: "change.view",
    title: { type: "plain_text", text: truncate(change.key, 24) },
    close: { type: "plain_text", text: "Close" },
    blocks,
  };
}
