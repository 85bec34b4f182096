// Turns drift events into Slack messages: one alert per drift (a long diff goes in its thread as a file), thread
// replies when it changes, updates in place when it resolves; and starts the scheduled check with this notifier.
import type { KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { attachAlert, type DriftEvent } from "../drift/index.ts";
import type { RegisteredDatabase } from "../projects/registry.ts";
import type { DriftAnomaly } from "../store/generated/client.ts";
import {
  diffFitsInline,
  driftAlertBlocks,
  driftAlertText,
  driftChangedBlocks,
  driftChangedText,
  driftResolvedBlocks,
  reachableAgainBlocks,
  reachableAgainText,
  resolutionText,
  unreachableBlocks,
  unreachableText,
  type DriftAlert,
  type DriftResolution,
} from "./blocks/drift.ts";
import { slackMessage, type Mrkdwn } from "./blocks/text.ts";
import type { SluiceServices } from "./services.ts";

export class DriftNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly services: Pick<SluiceServices, "config" | "store">,
  ) {}

  readonly notify = async (events: DriftEvent[]): Promise<void> => {
    for (const event of events) await this.deliver(event);
  };

  /** The drift channel, or the database's project channel when none is configured. */
  channelFor(database: RegisteredDatabase): string {
    return this.services.config.file.drift.channel ?? database.project.channel;
  }

  /** Updates a drift alert as resolved; posts a fresh message when the alert was never posted. */
  async resolved(database: RegisteredDatabase, anomaly: DriftAnomaly, resolution: DriftResolution): Promise<void> {
    const alert = driftAlertOf(database, anomaly);
    await this.updateOrPost(database, anomaly, resolutionText(alert, resolution), driftResolvedBlocks(alert, resolution));
  }

  private async deliver(event: DriftEvent): Promise<void> {
    const { database, anomaly } = event;
    switch (event.type) {
      case "drift_detected": {
        const alert = driftAlertOf(database, anomaly);
        const ts = await this.post(database, anomaly, driftAlertText(alert), driftAlertBlocks(alert));
        if (!diffFitsInline(anomaly.diff)) await this.uploadDiff(database, anomaly, ts);
        return;
      }
      case "drift_changed": {
        if (!anomaly.slackChannel || !anomaly.slackTs) return this.deliver({ ...event, type: "drift_detected" });
        await this.client.chat.postMessage({
          channel: anomaly.slackChannel,
          thread_ts: anomaly.slackTs,
          ...slackMessage(driftChangedText(database.label), driftChangedBlocks(database.label, anomaly.diff)),
        });
        if (!diffFitsInline(anomaly.diff)) await this.uploadDiff(database, anomaly, anomaly.slackTs);
        return;
      }
      case "drift_resolved":
        return this.resolved(database, anomaly, { by: "went_away", at: anomaly.resolvedAt ?? new Date() });
      case "unreachable":
        await this.post(
          database,
          anomaly,
          unreachableText(database.label, database.environment.name),
          unreachableBlocks(database.label, database.environment.name, event.reason, anomaly.detectedAt),
        );
        return;
      case "reachable_again":
        return this.updateOrPost(
          database,
          anomaly,
          reachableAgainText(database.label),
          reachableAgainBlocks(database.label, database.environment.name, anomaly.detectedAt, anomaly.resolvedAt ?? new Date()),
        );
    }
  }

  private async post(database: RegisteredDatabase, anomaly: DriftAnomaly, text: Mrkdwn, blocks: KnownBlock[]): Promise<string> {
    const channel = this.channelFor(database);
    const posted = await this.client.chat.postMessage({ channel, ...slackMessage(text, blocks) });
    await attachAlert(this.services.store.prisma, anomaly.id, channel, posted.ts!);
    return posted.ts!;
  }

  private async updateOrPost(database: RegisteredDatabase, anomaly: DriftAnomaly, text: Mrkdwn, blocks: KnownBlock[]): Promise<void> {
    if (anomaly.slackChannel && anomaly.slackTs) {
      await this.client.chat.update({ channel: anomaly.slackChannel, ts: anomaly.slackTs, ...slackMessage(text, blocks) });
    } else {
      await this.post(database, anomaly, text, blocks);
    }
  }

  private async uploadDiff(database: RegisteredDatabase, anomaly: DriftAnomaly, threadTs: string): Promise<void> {
    await this.client.filesUploadV2({
      channel_id: anomaly.slackChannel ?? this.channelFor(database),
      thread_ts: threadTs,
      content: anomaly.diff,
      filename: `${database.label.replace(/[^\w.-]+/g, "_")}-drift.diff`,
      title: `Schema drift on ${database.label}: snapshot vs live`,
    });
  }
}

export function driftAlertOf(database: RegisteredDatabase, anomaly: DriftAnomaly): DriftAlert {
  return {
    anomalyId: anomaly.id,
    database: database.label,
    environment: database.environment.name,
    instance: database.instance.name,
    detectedAt: anomaly.detectedAt,
    diff: anomaly.diff,
  };
}

/** Takes the first baselines in the background and, when enabled, starts the scheduled drift check. */
export function startDriftAlerts(services: SluiceServices, client: WebClient): void {
  const { notify } = new DriftNotifier(client, services);
  if (services.config.file.drift.enabled) services.drift.startSchedule(services.config.file.drift.schedule, notify);
  services.drift.baselineInBackground(notify);
}
