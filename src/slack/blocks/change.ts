// Block Kit for a change: the root message in the project's channel (updated in place) and its review.
import { POLICY_APPROVER } from "../../changes/policy.ts";
import type { ActionsBlock, Button, KnownBlock } from "@slack/types";
import type { ChangeEvent } from "../../changes/notifier.ts";
import type { ChangeDetail } from "../../store/changes.ts";
import { codeBlock, contextBlock, inlineCode, joinMrkdwn, mention, mrkdwn, mrkdwnText, plural, section, sectionFields, slackLink, SLACK_LIMITS, truncate, truncateMrkdwn, type Mrkdwn } from "./text.ts";

export const CHANGE_ACTIONS = {
  approve: "change.approve",
  reject: "change.reject",
  override: "change.override",
  retry: "change.retry",
  markDone: "change.mark_done",
  view: "change.view",
  previewRollback: "change.preview_rollback",
  forceRollback: "change.force_rollback",
} as const;

const typeNames: Record<ChangeDetail["type"], string> = {
  schema: "Schema change",
  data: "Data change",
  create_database: "Create database",
  baseline: "Baseline",
  rollback: "Rollback",
};

export function changeTypeName(type: ChangeDetail["type"]): string {
  return typeNames[type];
}

/** How far a run is; statements in a transaction are only recorded at COMMIT, so the runner reports it. */
export interface RunProgress {
  done: number;
  total: number;
}

function doneSummary(change: ChangeDetail): Mrkdwn {
  return mrkdwn`${plural(change.tally.rowsAffected, "row")} affected in ${formatDuration(change.tally.durationMs)}; ${approvedBy(change)}`;
}

/** Who let the change run: the approver, or the environment's policy (recorded as the user "sluice"). */
function approvedBy(change: ChangeDetail): Mrkdwn {
  const approval = change.approvals.filter((candidate) => candidate.decision === "approve" || candidate.decision === "override").at(-1);
  if (!approval || approval.userId === POLICY_APPROVER) return mrkdwn`approved automatically by ${change.database.environment.name}'s policy`;
  return mrkdwn`approved by ${mention(approval.userId)}`;
}

/** The change's status: its icon and its words. */
function status(change: ChangeDetail, progress?: RunProgress): [icon: string, words: Mrkdwn] {
  const total = progress?.total ?? change.tally.total;
  const done = progress?.done ?? change.tally.done;
  const lastApproval = change.approvals.at(-1);
  switch (change.status) {
    case "review":
      return [":mag:", mrkdwn`In review`];
    case "awaiting_approval":
      return change.driftHeld ? [":double_vertical_bar:", mrkdwn`Held by schema drift`] : [":hourglass_flowing_sand:", mrkdwn`Awaiting approval`];
    case "approved":
      return [":white_check_mark:", mrkdwn`Approved by ${lastApproval ? mention(lastApproval.userId) : "policy"}${change.driftHeld ? "; held by schema drift" : ""}`];
    case "running":
      return [":gear:", mrkdwn`Running (${done}/${total})`];
    case "done": {
      if (lastApproval?.decision === "mark_done") return [":ballot_box_with_check:", mrkdwn`Marked as done by ${mention(lastApproval.userId)} (${done}/${total} statements ran)`];
      return [":large_green_circle:", mrkdwn`Done: ${doneSummary(change)}`];
    }
    case "failed": {
      const failed = change.tally.failed;
      return [":red_circle:", mrkdwn`Failed${failed && total > 1 ? ` at statement ${failed.ordinal + 1} (line ${failed.line})` : ""}; ${done}/${total} done`];
    }
    case "interrupted":
      return [":warning:", mrkdwn`Interrupted: Sluice stopped during the run; ${done}/${total} statements completed`];
    case "rejected":
      return [":no_entry:", mrkdwn`Rejected by ${lastApproval ? mention(lastApproval.userId) : "an approver"}`];
    case "canceled":
      return [":heavy_multiplication_x:", mrkdwn`Canceled`];
  }
}

export function statusLine(change: ChangeDetail, progress?: RunProgress): Mrkdwn {
  const [icon, words] = status(change, progress);
  return mrkdwn`${icon} ${words}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function button(text: string, actionId: string, value: string, style?: "primary" | "danger", confirm?: { title: string; text: Mrkdwn; confirm: string }): Button {
  return {
    type: "button",
    text: { type: "plain_text", text },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
    ...(confirm
      ? { confirm: { title: { type: "plain_text", text: confirm.title }, text: mrkdwnText(confirm.text), confirm: { type: "plain_text", text: confirm.confirm }, deny: { type: "plain_text", text: "Cancel" } } }
      : {}),
  };
}

function actionsFor(change: ChangeDetail): ActionsBlock | undefined {
  const id = String(change.id);
  const errors = change.reviews[0]?.errorCount ?? 0;
  const where = mrkdwn`${change.database.name} (${change.database.environment.name})`;
  const elements: Button[] = [];
  if (change.status === "awaiting_approval") {
    if (errors === 0) {
      elements.push(button("Approve", CHANGE_ACTIONS.approve, id, "primary", { title: "Approve and run?", text: mrkdwn`${change.key} will run on *${where}* now.`, confirm: "Approve" }));
    } else {
      elements.push(button("Override and approve…", CHANGE_ACTIONS.override, id, "danger"));
    }
    elements.push(button("Reject", CHANGE_ACTIONS.reject, id, undefined, { title: "Reject?", text: mrkdwn`${change.key} will not run.`, confirm: "Reject" }));
  }
  const rollbackReady = change.status === "done" && change.executions.some((e) => e.status === "done" && e.rollbackRows !== null);
  if (rollbackReady) elements.push(button("Preview rollback", CHANGE_ACTIONS.previewRollback, id));
  if (change.type === "rollback" && change.status === "failed" && /changed since/.test(change.executions.at(-1)?.error ?? "")) {
    elements.push(button("Force rollback…", CHANGE_ACTIONS.forceRollback, id, "danger"));
  }
  if (change.status === "failed" || change.status === "interrupted") {
    elements.push(button("Retry from failed statement", CHANGE_ACTIONS.retry, id, "primary", { title: "Retry?", text: mrkdwn`Statements of ${change.key} that are not done run again on *${where}*.`, confirm: "Retry" }));
    elements.push(button("Mark as done", CHANGE_ACTIONS.markDone, id, undefined, { title: "Mark as done?", text: mrkdwn`${change.key} is closed as done without running anything more.`, confirm: "Mark as done" }));
  }
  elements.push(button("View change", CHANGE_ACTIONS.view, id));
  return { type: "actions", block_id: `change-actions-${change.id}`, elements };
}

/**
 * What the change's message says of the drift it was checked against: why it waits, that it is open (data changes
 * and `warn` environments), or that it was resolved. `alertUrl` links the drift alert when Slack gave its permalink.
 */
export function driftNote(change: ChangeDetail, alertUrl?: string): Mrkdwn | undefined {
  const anomaly = change.driftAnomaly;
  if (!anomaly) return undefined;
  const database = change.database.name;
  const alert = alertUrl ? slackLink(alertUrl, "drift alert") : inlineCode(`/db drift ${database}`);
  if (anomaly.status !== "open") {
    const how = anomaly.resolution === "baseline" ? mrkdwn`an approver${anomaly.resolvedBy ? mrkdwn` (${mention(anomaly.resolvedBy)})` : ""} established a new baseline` : mrkdwn`the live schema matches the snapshot again`;
    return mrkdwn`:white_check_mark: The schema drift on ${database} is resolved: ${how}.`;
  }
  const drift = mrkdwn`*Schema drift on ${database}:* its live schema differs from the snapshot Sluice took after its last change (${alert})`;
  if (change.driftHeld) {
    return mrkdwn`:warning: ${drift}. This schema change waits until an approver establishes a new baseline from the alert, or the out-of-band change is reverted.`;
  }
  return mrkdwn`:information_source: ${drift}. ${change.type === "schema" ? "The review ran against the live schema." : "A data change is not held by drift."}`;
}

/** The characters of a change's error its messages show; a longer error is attached whole to the thread. */
const ERROR_SHOWN = 1800;
/** The most of a change's SQL its root message shows (less when the rest of the message leaves less room). */
const SQL_SHOWN = SLACK_LIMITS.sectionText - 100;
const SQL_CUT = mrkdwn`the SQL is cut here; the whole script is in the thread`;
/**
 * The most text a root message holds besides its description and SQL, in any state: header and fields (~900), a
 * drift note, the context's notes (a rollback note up to 1,500), an error (1,800 characters, up to 2,900 once escaped) with its note, the buttons.
 */
const OTHER_TEXT = 6_000;

/** Whether the change's messages show only part of this error (the notifier then attaches it whole). */
export function errorIsCut(error: string): boolean {
  return error.length > ERROR_SHOWN;
}

export interface ChangeMessage {
  text: Mrkdwn;
  blocks: KnownBlock[];
  /** The name of the file that carries the whole SQL when it does not fit the message (posted in the thread). */
  sqlFile?: string;
}

export function changeRootMessage(change: ChangeDetail, progress?: RunProgress, driftAlertUrl?: string): ChangeMessage {
  const review = change.reviews[0];
  const where = `${change.database.name} (${change.database.environment.name})`;
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: truncate(`${change.key}: ${changeTypeName(change.type)} on ${where}`, SLACK_LIMITS.headerText) } },
    sectionFields([
      mrkdwn`*Requested by*\n${mention(change.requesterId)}`,
      mrkdwn`*Database*\n${where}`,
      mrkdwn`*Type*\n${changeTypeName(change.type)}`,
      mrkdwn`*Status*\n${statusLine(change, progress)}`,
    ]),
  ];
  const description = change.description ? truncateMrkdwn(mrkdwn`${change.description}`, SLACK_LIMITS.sectionText) : undefined;
  if (description) blocks.push(section(description));
  // The SQL gets a section at most, and less when a long description leaves less of Slack's text budget, with room kept
  // for what later states add (drift note, rollback note, error, buttons), so the SQL shown never shrinks afterwards: cut,
  // the whole script is posted in the thread with the first message.
  const room = SLACK_LIMITS.messageBlocksText - (description?.text.length ?? 0) - OTHER_TEXT;
  const head = codeBlock(change.sqlHead, Math.max(200, Math.min(SQL_SHOWN, room)));
  const cut = head.cut || change.sqlCut;
  const drift = driftNote(change, driftAlertUrl);
  if (drift) blocks.push(section(drift));
  const context: Mrkdwn[] = [
    review ? mrkdwn`Review: ${plural(review.errorCount, "error")}, ${plural(review.warningCount, "warning")} in ${plural(change.tally.total, "statement")}` : mrkdwn`${plural(change.tally.total, "statement")}`,
  ];
  if (change.rollbackOf) context.push(mrkdwn`rolls back ${change.rollbackOf.key}`);
  const rollbackNote = change.status === "done" ? change.executions.at(-1)?.rollbackNote : undefined;
  if (rollbackNote) context.push(mrkdwn`:information_source: ${truncate(rollbackNote, 1500)}`);
  const after: KnownBlock[] = [];
  const failure = change.status === "failed" ? change.executions.at(-1)?.error : undefined;
  if (failure) {
    const shown = errorIsCut(failure) ? mrkdwn`\n_The error is cut here; the whole error is attached in the thread._` : mrkdwn``;
    after.push(section(mrkdwn`*Error*\n${codeBlock(truncate(failure, ERROR_SHOWN)).text}${shown}`));
  }
  const actions = actionsFor(change);
  if (actions) after.push(actions);
  if (cut) context.splice(1, 0, SQL_CUT);
  blocks.push(section(head.text), contextBlock(joinMrkdwn(context, " · ")), ...after);
  return {
    text: mrkdwn`${change.key}: ${changeTypeName(change.type)} on ${where}: ${status(change, progress)[1]}`,
    blocks,
    sqlFile: cut ? `${change.key}.sql` : undefined,
  };
}

const GENERATED_ROLLBACK = mrkdwn`:white_check_mark: Written by Sluice, one statement per row: each finds its row by key and changes it only if it still holds what the change left. Before it runs, Sluice checks every row and stops if any changed since; the statements are not linted one by one.`;

const levelIcons = { error: ":red_circle:", warning: ":large_yellow_circle:" } as const;

/** The review in the thread: a summary, then findings grouped by statement; the full report as a file when it does not fit. */
export function reviewMessage(change: ChangeDetail): { text: Mrkdwn; blocks: KnownBlock[]; overflow: boolean } {
  const review = change.reviews[0];
  const counts = review ? mrkdwn`${plural(review.errorCount, "error")}, ${plural(review.warningCount, "warning")}, ${plural(change.tally.total, "statement")}` : mrkdwn`not reviewed`;
  const text = mrkdwn`Review of ${change.key}: ${counts}`;
  const blocks: KnownBlock[] = [section(mrkdwn`*Review of ${change.key}:* ${counts}`)];
  const findings = review?.findings ?? [];
  if (findings.length === 0) {
    blocks.push(contextBlock(change.type === "rollback" ? GENERATED_ROLLBACK : mrkdwn`:white_check_mark: No findings.`));
    return { text, blocks, overflow: false };
  }
  const byStatement = new Map<number, typeof findings>();
  for (const finding of findings) {
    const ordinal = finding.statementOrdinal ?? 0;
    byStatement.set(ordinal, [...(byStatement.get(ordinal) ?? []), finding]);
  }
  let overflow = false;
  // Room for the summary and the note on the attached report, in blocks and in characters of text.
  let room = SLACK_LIMITS.messageBlocksText - 400;
  for (const [ordinal, group] of [...byStatement.entries()].sort(([a], [b]) => a - b)) {
    if (blocks.length >= SLACK_LIMITS.blocksPerMessage - 2 || room < 200) {
      overflow = true;
      break;
    }
    const lines = group.map((f) => mrkdwn`${levelIcons[f.level]} \`${f.ruleId}\` line ${f.line}: ${f.message}${f.advice ? mrkdwn`\n      _${f.advice}_` : ""}`);
    const statement = mrkdwn`*Statement ${ordinal + 1}*\n${joinMrkdwn(lines, "\n")}`;
    const shown = truncateMrkdwn(statement, Math.min(SLACK_LIMITS.sectionText, room));
    if (shown.text.length < statement.text.length) overflow = true;
    blocks.push(section(shown));
    room -= shown.text.length;
  }
  if (overflow) blocks.push(contextBlock(mrkdwn`Not every finding fits here: the full report is attached below.`));
  return { text, blocks, overflow };
}

/** The plain-text review report, for the file attached when the findings do not fit. */
export function reviewReportText(change: ChangeDetail): string {
  const review = change.reviews[0];
  const lines = [`Review of ${change.key} (${change.database.name}, ${change.database.environment.name})`];
  lines.push(`${plural(review?.errorCount ?? 0, "error")}, ${plural(review?.warningCount ?? 0, "warning")}, ${plural(change.tally.total, "statement")}`, "");
  for (const finding of review?.findings ?? []) {
    lines.push(`[${finding.level}] statement ${(finding.statementOrdinal ?? 0) + 1}, line ${finding.line}:${finding.column} ${finding.ruleId}: ${finding.message}`);
    if (finding.advice) lines.push(`    ${finding.advice}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A short line in the thread for each step of the change's life. */
export function threadNote(change: ChangeDetail, event: ChangeEvent): Mrkdwn | undefined {
  switch (event.kind) {
    case "approved":
      if (event.automatic) return mrkdwn`:robot_face: ${change.database.environment.name} approves automatically when the review has no error; running ${change.key}.`;
      return event.override
        ? mrkdwn`:warning: ${mention(event.by)} overrode the review's errors and approved ${change.key}: “${event.override}”`
        : mrkdwn`:white_check_mark: ${mention(event.by)} approved ${change.key}; running it now.`;
    case "rejected":
      return mrkdwn`:no_entry: ${mention(event.by)} rejected ${change.key}${event.reason ? mrkdwn`: “${event.reason}”` : "."}`;
    case "done":
      return mrkdwn`:large_green_circle: ${change.key} is done. ${doneSummary(change)}`;
    case "failed":
      return mrkdwn`:red_circle: ${change.key} failed: ${truncate(event.error, ERROR_SHOWN)}${errorIsCut(event.error) ? " (the whole error is attached below)" : ""}`;
    case "interrupted":
      return mrkdwn`:warning: ${change.key} was interrupted: ${change.executions.at(-1)?.error ?? "Sluice stopped while it ran."} Completed statements are recorded; nothing will be re-run by itself.`;
    case "retried":
      return mrkdwn`:repeat: ${mention(event.by)} retried ${change.key} from its first statement that is not done.`;
    case "marked_done":
      return mrkdwn`:ballot_box_with_check: ${mention(event.by)} marked ${change.key} as done.`;
    case "held_by_drift":
      return mrkdwn`:double_vertical_bar: ${change.key} waits: the live schema of ${change.database.name} drifted from Sluice's last snapshot, so it does not ${change.status === "approved" ? "run" : "get approved"} until the drift is resolved (a new baseline from the drift alert, or the out-of-band change reverted).`;
    case "drift_released":
      return mrkdwn`:arrow_forward: The drift on ${change.database.name} is resolved; ${change.key} ${change.status === "approved" ? "runs now" : "may go on"}.`;
    default:
      return undefined;
  }
}
