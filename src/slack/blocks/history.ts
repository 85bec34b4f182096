// Block Kit for `/db history` and the "View change" modal.
import type { KnownBlock, ModalView } from "@slack/types";
import type { ChangeDetail, ShownStatement } from "../../store/changes.ts";
import { CHANGE_ACTIONS, changeTypeName, formatDuration, statusLine } from "./change.ts";
import { codeBlock, codeBlocks, contextBlock, joinMrkdwn, mention, mrkdwn, plural, section, slackDate, SLACK_LIMITS, truncate, truncateMrkdwn } from "./text.ts";

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
    blocks.push(section(mrkdwn`No changes yet.`));
    return blocks;
  }
  for (const entry of entries.slice(0, SLACK_LIMITS.blocksPerMessage - 2)) {
    const description = entry.description ? `\n${truncate(entry.description, 200)}${entry.description.length > 200 ? " (the whole description is in View change)" : ""}` : "";
    blocks.push(
      section(mrkdwn`*${entry.key}* · ${changeTypeName(entry.type)} · ${entry.status.replace(/_/g, " ")} · ${mention(entry.requesterId)} · ${slackDate(entry.createdAt)}${description}`, {
        accessory: { type: "button", text: { type: "plain_text", text: "View change" }, action_id: CHANGE_ACTIONS.view, value: String(entry.id) },
      }),
    );
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
    section(mrkdwn`*${change.key}* · ${changeTypeName(change.type)} on ${change.database.name} (${change.database.environment.name})\n${statusLine(change)}\nRequested by ${mention(change.requesterId)}`),
  ];
  // The whole description: /db history shows its start.
  if (change.description) blocks.push(section(truncateMrkdwn(mrkdwn`${change.description}`, SLACK_LIMITS.sectionText)));
  let cut = false;
  for (const { result, ...statement } of statements.slice(0, STATEMENTS_IN_DETAIL_MODAL)) {
    const outcome = result
      ? result.status === "done"
        ? `done · ${plural(result.rowsAffected ?? 0, "row")} · ${formatDuration(result.durationMs ?? 0)}`
        : `${result.status.replace(/_/g, " ")}${result.error ? `: ${truncate(result.error, 500)}` : ""}`
      : statement.status.replace(/_/g, " ");
    const code = codeBlock(statement.sql, 1500);
    cut ||= code.cut;
    // A one-statement change needs no place: "line 2" of a rollback would only count its header comment.
    const place = change.tally.total > 1 ? mrkdwn`*${statement.ordinal + 1}.* line ${statement.line} · ` : "";
    blocks.push(section(truncateMrkdwn(mrkdwn`${place}${outcome}\n${code.text}`, SLACK_LIMITS.sectionText)));
  }
  if (change.tally.total > STATEMENTS_IN_DETAIL_MODAL) {
    blocks.push(contextBlock(mrkdwn`${change.tally.total - STATEMENTS_IN_DETAIL_MODAL} more statements are not shown here; the whole script is in the change's message and its thread.`));
  } else if (cut) {
    blocks.push(contextBlock(mrkdwn`Long statements are cut here; the whole script is in the change's message and its thread.`));
  }
  if (diff) {
    blocks.push({ type: "divider" }, section(mrkdwn`*Schema diff*`));
    // As many parts of the diff as the view holds, keeping room for the approvals and a note.
    const parts = codeBlocks(diff);
    const room = Math.max(1, SLACK_LIMITS.blocksPerView - blocks.length - 2);
    blocks.push(...parts.slice(0, room).map((part) => section(part)));
    if (parts.length > room) blocks.push(contextBlock(mrkdwn`The diff is longer than this view holds: ${room} of its ${parts.length} parts are shown.`));
  }
  const approvals = change.approvals.map((a) => mrkdwn`${mention(a.userId)} ${decisionWords[a.decision]}${a.reason ? `: ${truncate(a.reason, 200)}` : ""}`);
  if (approvals.length > 0) blocks.push(contextBlock(truncateMrkdwn(joinMrkdwn(approvals, "\n"), SLACK_LIMITS.sectionText)));
  return {
    type: "modal",
    callback_id: "change.view",
    title: { type: "plain_text", text: truncate(change.key, 24) },
    close: { type: "plain_text", text: "Close" },
    blocks,
  };
}
