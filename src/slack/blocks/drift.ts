// Block Kit for schema drift: the alert with its diff and buttons, its resolved forms, the thread reply when the
// drift changes, unreachable notices, the Anomaly Center list and a database's recent changes.
import type { KnownBlock } from "@slack/types";
import type { CheckOutcome } from "../../drift/index.ts";

export const DRIFT_BASELINE_ACTION = "drift_establish_baseline";
export const DRIFT_HISTORY_ACTION = "drift_view_history";

/** Longest diff shown inline; a section's text may hold 3000 characters, and the fence needs a few. */
export const INLINE_DIFF_LIMIT = 2800;

export interface DriftAlert {
  anomalyId: number;
  database: string;
  environment: string;
  instance: string;
  detectedAt: Date;
  diff: string;
}

export type DriftResolution = { by: "baseline"; userId: string; changeKey: string } | { by: "went_away"; at: Date };

export function diffFitsInline(diff: string): boolean {
  return diff.length <= INLINE_DIFF_LIMIT;
}

export function slackDate(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;
}

export function driftAlertText(alert: DriftAlert): string {
  return `Schema drift on ${alert.database} (${alert.environment}): the live schema differs from the latest snapshot.`;
}

function facts(alert: DriftAlert): KnownBlock {
  return {
    type: "section",
    fields: [
      { type: "mrkdwn", text: `*Database*\n${alert.database}` },
      { type: "mrkdwn", text: `*Environment*\n${alert.environment}` },
      { type: "mrkdwn", text: `*Instance*\n${alert.instance}` },
      { type: "mrkdwn", text: `*Detected*\n${slackDate(alert.detectedAt)}` },
    ],
  };
}

export function diffBlock(diff: string): KnownBlock {
  return diffFitsInline(diff)
    ? { type: "section", text: { type: "mrkdwn", text: "```" + diff.trimEnd() + "```" } }
    : { type: "context", elements: [{ type: "mrkdwn", text: `The diff has ${diff.split("\n").length} lines: it is attached as a file in this thread.` }] };
}

export function driftAlertBlocks(alert: DriftAlert): KnownBlock[] {
  return [
    { type: "section", text: { type: "mrkdwn", text: `:warning: *Schema drift on ${alert.database}* (${alert.environment})\nThe live schema differs from the latest snapshot: someone changed it outside Sluice.` } },
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

export function resolutionText(alert: DriftAlert, resolution: DriftResolution): string {
  return resolution.by === "baseline"
    ? `Drift on ${alert.database} resolved: baseline established by <@${resolution.userId}> as ${resolution.changeKey}.`
    : `Drift on ${alert.database} resolved: the live schema matches the snapshot again.`;
}

export function driftResolvedBlocks(alert: DriftAlert, resolution: DriftResolution): KnownBlock[] {
  const how =
    resolution.by === "baseline"
      ? `Baseline established by <@${resolution.userId}> as *${resolution.changeKey}*: the live schema is the new reference.`
      : `The drift went away by itself: the live schema matched the snapshot again at ${slackDate(resolution.at)}.`;
  return [
    { type: "section", text: { type: "mrkdwn", text: `:white_check_mark: *Schema drift on ${alert.database} resolved* (${alert.environment})\n${how}` } },
    facts(alert),
    diffBlock(alert.diff),
  ];
}

export function driftChangedText(database: string): string {
  return `The drift on ${database} changed further; the diff against the snapshot is now:`;
}

export function driftChangedBlocks(database: string, diff: string): KnownBlock[] {
  return [{ type: "section", text: { type: "mrkdwn", text: `:arrows_counterclockwise: ${driftChangedText(database)}` } }, diffBlock(diff)];
}

export function unreachableText(database: string, environment: string): string {
  return `Sluice cannot reach ${database} (${environment}), so its schema was not compared.`;
}

export function unreachableBlocks(database: string, environment: string, reason: string, at: Date): KnownBlock[] {
  return [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `:electric_plug: *${unreachableText(database, environment)}*\nSince ${slackDate(at)}: \`${reason}\`\nThis is reported once; the drift check keeps trying and updates this message when the database answers.`,
      },
    },
  ];
}

export function reachableAgainText(database: string): string {
  return `${database} answers again; its schema is compared on every drift check.`;
}

export function reachableAgainBlocks(database: string, environment: string, unreachableSince: Date, at: Date): KnownBlock[] {
  return [
    {
      type: "section",
      text: { type: "mrkdwn", text: `:white_check_mark: *${reachableAgainText(database)}* (${environment})\nUnreachable from ${slackDate(unreachableSince)} to ${slackDate(at)}.` },
    },
  ];
}

export interface AnomalyEntry {
  database: string;
  environment: string;
  kind: "drift" | "unreachable";
  detectedAt: Date;
  /** Where the alert is, when it was posted. */
  alert?: { channel: string; ts: string };
}

export function anomalyCenterText(entries: AnomalyEntry[]): string {
  return entries.length === 0 ? "No open drift anomalies: every checked database matches its latest snapshot." : `${entries.length} open drift anomalies.`;
}

export function anomalyCenterBlocks(entries: AnomalyEntry[]): KnownBlock[] {
  if (entries.length === 0) return [{ type: "section", text: { type: "mrkdwn", text: `:white_check_mark: ${anomalyCenterText(entries)}` } }];
  return [
    { type: "header", text: { type: "plain_text", text: "Anomaly Center: open drift anomalies" } },
    ...entries.map((entry): KnownBlock => {
      const what = entry.kind === "drift" ? ":warning: schema drift" : ":electric_plug: unreachable";
      const where = entry.alert ? ` — alert in <#${entry.alert.channel}>` : "";
      return { type: "section", text: { type: "mrkdwn", text: `*${entry.database}* (${entry.environment}): ${what} since ${slackDate(entry.detectedAt)}${where}` } };
    }),
    { type: "context", elements: [{ type: "mrkdwn", text: "`/db drift <database>` checks one database now." }] },
  ];
}

export interface HistoryEntry {
  key: string;
  type: string;
  status: string;
  requesterId: string;
  createdAt: Date;
}

export function historyText(database: string, entries: HistoryEntry[]): string {
  return entries.length === 0 ? `No changes of ${database} are recorded yet.` : `Recent changes of ${database}`;
}

export function historyBlocks(database: string, entries: HistoryEntry[]): KnownBlock[] {
  if (entries.length === 0) return [{ type: "section", text: { type: "mrkdwn", text: historyText(database, entries) } }];
  const lines = entries.map((e) => `*${e.key}* · ${e.type.replace("_", " ")} · ${e.status.replace("_", " ")} · <@${e.requesterId}> · ${slackDate(e.createdAt)}`);
  return [
    { type: "section", text: { type: "mrkdwn", text: `*Recent changes of ${database}*` } },
    { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
  ];
}

export function checkResultText(database: string, outcome: CheckOutcome, channel: string): string {
  switch (outcome) {
    case "in_sync":
      return `:white_check_mark: ${database} matches its latest snapshot: no drift.`;
    case "baselined":
      return `:camera_with_flash: ${database} had no snapshot yet; its live schema is now the baseline.`;
    case "drifted":
      return `:warning: ${database} has drifted from its latest snapshot; the alert is in <#${channel}>.`;
    case "unreachable":
      return `:electric_plug: Sluice cannot reach ${database}; it is listed in \`/db drift\` until it answers again.`;
    case "busy":
      return `:gear: A change of Sluice's is running on ${database} right now; its schema is compared once the change ends.`;
  }
}
