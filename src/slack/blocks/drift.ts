// Block Kit for schema drift: the alert with its diff and buttons, its resolved forms, the thread reply when the
// drift changes, unreachable notices, the Anomaly Center list and a database's recent changes.
import type { KnownBlock } from "@slack/types";
import type { CheckOutcome } from "../../drift/index.ts";
import { channelLink, codeBlock, contextBlock, inlineCode, joinMrkdwn, mention, mrkdwn, section, sectionFields, slackDate, type Mrkdwn } from "./text.ts";

export const DRIFT_BASELINE_ACTION = "drift_establish_baseline";
export const DRIFT_HISTORY_ACTION = "drift_view_history";

/** Longest diff shown inline, escaped and fenced; a section's text may hold 3000 characters. */
const INLINE_DIFF_LIMIT = 2800;

export interface DriftAlert {
  anomalyId: number;
  database: string;
  environment: string;
  instance: string;
  detectedAt: Date;
  diff: string;
}

export type DriftResolution = { by: "baseline"; userId: string; changeKey: string } | { by: "went_away"; at: Date };

function inlineDiff(diff: string): { text: Mrkdwn; cut: boolean } {
  return codeBlock(diff.trimEnd(), INLINE_DIFF_LIMIT);
}

export function diffFitsInline(diff: string): boolean {
  return !inlineDiff(diff).cut;
}

export function driftAlertText(alert: DriftAlert): Mrkdwn {
  return mrkdwn`Schema drift on ${alert.database} (${alert.environment}): the live schema differs from the latest snapshot.`;
}

function facts(alert: DriftAlert): KnownBlock {
  return sectionFields([
    mrkdwn`*Database*\n${alert.database}`,
    mrkdwn`*Environment*\n${alert.environment}`,
    mrkdwn`*Instance*\n${alert.instance}`,
    mrkdwn`*Detected*\n${slackDate(alert.detectedAt)}`,
  ]);
}

export function diffBlock(diff: string): KnownBlock {
  const inline = inlineDiff(diff);
  return !inline.cut ? section(inline.text) : contextBlock(mrkdwn`The diff has ${diff.split("\n").length} lines: it is attached as a file in this thread.`);
}

export function driftAlertBlocks(alert: DriftAlert): KnownBlock[] {
  return [
    section(mrkdwn`:warning: *Schema drift on ${alert.database}* (${alert.environment})\nThe live schema differs from the latest snapshot: someone changed it outside Sluice.`),
    facts(alert),
    diffBlock(alert.diff),
    {
      type: "actions",
      block_id: "drift_actions",
      elements: [
        { type: "button", action_id: DRIFT_BASELINE_ACTION, style: "primary", text: { type: "plain_text", text: "Establish new baseline" }, value: String(alert.anomalyId) },
        { type: "button", action_id: DRIFT_HISTORY_ACTION, text: { type: "plain_text", text: "View history" }, value: String(alert.anomalyId) },
      ],
    },
  ];
}

export function resolutionText(alert: DriftAlert, resolution: DriftResolution): Mrkdwn {
  return resolution.by === "baseline"
    ? mrkdwn`Drift on ${alert.database} resolved: baseline established by ${mention(resolution.userId)} as ${resolution.changeKey}.`
    : mrkdwn`Drift on ${alert.database} resolved: the live schema matches the snapshot again.`;
}

export function driftResolvedBlocks(alert: DriftAlert, resolution: DriftResolution): KnownBlock[] {
  const how =
    resolution.by === "baseline"
      ? mrkdwn`Baseline established by ${mention(resolution.userId)} as *${resolution.changeKey}*: the live schema is the new reference.`
      : mrkdwn`The drift went away by itself: the live schema matched the snapshot again at ${slackDate(resolution.at)}.`;
  return [section(mrkdwn`:white_check_mark: *Schema drift on ${alert.database} resolved* (${alert.environment})\n${how}`), facts(alert), diffBlock(alert.diff)];
}

export function driftChangedText(database: string): Mrkdwn {
  return mrkdwn`The drift on ${database} changed further; the diff against the snapshot is now:`;
}

export function driftChangedBlocks(database: string, diff: string): KnownBlock[] {
  return [section(mrkdwn`:arrows_counterclockwise: ${driftChangedText(database)}`), diffBlock(diff)];
}

export function unreachableText(database: string, environment: string): Mrkdwn {
  return mrkdwn`Sluice cannot reach ${database} (${environment}), so its schema was not compared.`;
}

export function unreachableBlocks(database: string, environment: string, reason: string, at: Date): KnownBlock[] {
  return [
    section(
      mrkdwn`:electric_plug: *${unreachableText(database, environment)}*\nSince ${slackDate(at)}: ${inlineCode(reason)}\nThis is reported once; the drift check keeps trying and updates this message when the database answers.`,
    ),
  ];
}

export function reachableAgainText(database: string): Mrkdwn {
  return mrkdwn`${database} answers again; its schema is compared on every drift check.`;
}

export function reachableAgainBlocks(database: string, environment: string, unreachableSince: Date, at: Date): KnownBlock[] {
  return [section(mrkdwn`:white_check_mark: *${reachableAgainText(database)}* (${environment})\nUnreachable from ${slackDate(unreachableSince)} to ${slackDate(at)}.`)];
}

export interface AnomalyEntry {
  database: string;
  environment: string;
  kind: "drift" | "unreachable";
  detectedAt: Date;
  /** Where the alert is, when it was posted. */
  alert?: { channel: string; ts: string };
}

export function anomalyCenterText(entries: AnomalyEntry[]): Mrkdwn {
  return entries.length === 0 ? mrkdwn`No open drift anomalies: every checked database matches its latest snapshot.` : mrkdwn`${entries.length} open drift anomalies.`;
}

export function anomalyCenterBlocks(entries: AnomalyEntry[]): KnownBlock[] {
  if (entries.length === 0) return [section(mrkdwn`:white_check_mark: ${anomalyCenterText(entries)}`)];
  return [
    { type: "header", text: { type: "plain_text", text: "Anomaly Center: open drift anomalies" } },
    ...entries.map((entry): KnownBlock => {
      const what = entry.kind === "drift" ? mrkdwn`:warning: schema drift` : mrkdwn`:electric_plug: unreachable`;
      const where = entry.alert ? mrkdwn` — alert in ${channelLink(entry.alert.channel)}` : mrkdwn``;
      return section(mrkdwn`*${entry.database}* (${entry.environment}): ${what} since ${slackDate(entry.detectedAt)}${where}`);
    }),
    contextBlock(mrkdwn`${inlineCode("/db drift <database>")} checks one database now.`),
  ];
}

export interface HistoryEntry {
  key: string;
  type: string;
  status: string;
  requesterId: string;
  createdAt: Date;
}

export function historyText(database: string, entries: HistoryEntry[]): Mrkdwn {
  return entries.length === 0 ? mrkdwn`No changes of ${database} are recorded yet.` : mrkdwn`Recent changes of ${database}`;
}

export function historyBlocks(database: string, entries: HistoryEntry[]): KnownBlock[] {
  if (entries.length === 0) return [section(historyText(database, entries))];
  const lines = entries.map((e) => mrkdwn`*${e.key}* · ${e.type.replace("_", " ")} · ${e.status.replace("_", " ")} · ${mention(e.requesterId)} · ${slackDate(e.createdAt)}`);
  return [section(mrkdwn`*Recent changes of ${database}*`), section(joinMrkdwn(lines, "\n"))];
}

export function checkResultText(database: string, outcome: CheckOutcome, channel: string): Mrkdwn {
  switch (outcome) {
    case "in_sync":
      return mrkdwn`:white_check_mark: ${database} matches its latest snapshot: no drift.`;
    case "baselined":
      return mrkdwn`:camera_with_flash: ${database} had no snapshot yet; its live schema is now the baseline.`;
    case "drifted":
      return mrkdwn`:warning: ${database} has drifted from its latest snapshot; the alert is in ${channelLink(channel)}.`;
    case "unreachable":
      return mrkdwn`:electric_plug: Sluice cannot reach ${database}; it is listed in ${inlineCode("/db drift")} until it answers again.`;
    case "busy":
      return mrkdwn`:gear: A change of Sluice's is running on ${database} right now; its schema is compared once the change ends.`;
  }
}
