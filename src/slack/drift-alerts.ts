// Tells Slack about drift. A check writes what Slack is owed into the outbox with the anomaly it records; the
// announcer delivers it right after the check (the reconciler tries again whatever Slack did not take), and the sender
// turns each owed message into Slack calls: one alert per drift (a long diff goes in its thread as a file), thread
// replies when it changes, updates in place when it resolves or the database answers again.
import type { KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { Announcements } from "../changes/notifier.ts";
import type { Config } from "../config/load.ts";
import { attachAlert, findAnomaly, type DriftMessage, type DriftNotify } from "../drift/index.ts";
import type { RegisteredDatabase } from "../projects/registry.ts";
import type { DriftAnomaly } from "../store/generated/client.ts";
import { driftSubject } from "../store/outbox.ts";
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
import { KeyedPosts, type Delivery } from "./keyed-posts.ts";
import type { SluiceServices } from "./services.ts";

/** The drift channel, or the database's project channel when none is configured. */
export function driftChannel(config: Config, database: RegisteredDatabase): string {
  return config.file.drift.channel ?? database.project.channel;
}

/** The monitor's notify for Slack: delivers what the checked anomalies owe Slack now, in order; never throws. */
export function driftAnnouncer(announcements: Announcements): DriftNotify {
  return async (events) => {
    for (const anomalyId of new Set(events.map((event) => event.anomaly.id))) await announcements.deliver(driftSubject(anomalyId));
  };
}

export class DriftAlertSender {
  private readonly posts: KeyedPosts;

  constructor(
    private readonly client: WebClient,
    private readonly services: Pick<SluiceServices, "config" | "store" | "registry" | "logger">,
  ) {
    this.posts = new KeyedPosts(client, services.logger);
  }

  /**
   * Tells Slack one owed message about an anomaly; throws when Slack did not take it (the outbox tries again).
   * `delivery`: the outbox message, so that a retry does not post twice what Slack already has.
   */
  async send(anomalyId: number, message: DriftMessage, delivery?: Delivery): Promise<void> {
    const anomaly = await findAnomaly(this.services.store.prisma, anomalyId);
    const database = anomaly ? this.services.registry.byId(anomaly.databaseId) : undefined;
    if (!anomaly || !database) {
      this.services.logger.warn({ anomalyId, message: message.type }, "a drift message about a database Sluice no longer knows is dropped");
      return;
    }
    switch (message.type) {
      case "drift_detected":
        return this.alert(database, anomaly, message.diff, delivery);
      case "drift_changed": {
        if (!anomaly.slackChannel || !anomaly.slackTs) return this.alert(database, anomaly, message.diff, delivery);
        await this.posts.reply(
          { channel: anomaly.slackChannel, thread_ts: anomaly.slackTs, ...slackMessage(driftChangedText(database.label), driftChangedBlocks(database.label, message.diff)) },
          delivery,
          "changed",
        );
        if (!diffFitsInline(message.diff)) await this.uploadDiff(database, anomaly.slackChannel, anomaly.slackTs, message.diff);
        return;
      }
      case "drift_resolved": {
        const alert = driftAlertOf(database, anomaly);
        const resolution: DriftResolution = message.resolution.by === "baseline" ? message.resolution : { by: "went_away", at: anomaly.resolvedAt ?? new Date() };
        return this.updateOrPost(database, anomaly, resolutionText(alert, resolution), driftResolvedBlocks(alert, resolution), delivery);
      }
      case "unreachable":
        if (anomaly.slackTs) return;
        await this.post(
          database,
          anomaly,
          unreachableText(database.label, database.environment.name),
          unreachableBlocks(database.label, database.environment.name, message.reason, anomaly.detectedAt),
          delivery,
        );
        return;
      case "reachable_again":
        return this.updateOrPost(
          database,
          anomaly,
          reachableAgainText(database.label),
          reachableAgainBlocks(database.label, database.environment.name, anomaly.detectedAt, anomaly.resolvedAt ?? new Date()),
          delivery,
        );
    }
  }

  /** The alert of a drift with the diff its check found; tried again, it posts no second alert once one is recorded. */
  private async alert(database: RegisteredDatabase, anomaly: DriftAnomaly, diff: string, delivery?: Delivery): Promise<void> {
    const alert = { ...driftAlertOf(database, anomaly), diff };
    const ts = anomaly.slackTs ?? (await this.post(database, anomaly, driftAlertText(alert), driftAlertBlocks(alert), delivery));
    if (!diffFitsInline(diff)) await this.uploadDiff(database, anomaly.slackChannel ?? driftChannel(this.services.config, database), ts, diff);
  }

  /** Posts the anomaly's alert (once, though its delivery is retried) and records it on the anomaly. */
  private async post(database: RegisteredDatabase, anomaly: DriftAnomaly, text: Mrkdwn, blocks: KnownBlock[], delivery?: Delivery): Promise<string> {
    const posted = await this.posts.post({ channel: driftChannel(this.services.config, database), ...slackMessage(text, blocks) }, delivery, "alert");
    await attachAlert(this.services.store.prisma, anomaly.id, posted.channel, posted.ts);
    return posted.ts;
  }

  /** Updates the alert in place; posts a fresh message when no alert was ever posted. */
  private async updateOrPost(database: RegisteredDatabase, anomaly: DriftAnomaly, text: Mrkdwn, blocks: KnownBlock[], delivery?: Delivery): Promise<void> {
    if (anomaly.slackChannel && anomaly.slackTs) {
      await this.client.chat.update({ channel: anomaly.slackChannel, ts: anomaly.slackTs, ...slackMessage(text, blocks) });
    } else {
      await this.post(database, anomaly, text, blocks, delivery);
    }
  }

  private async uploadDiff(database: RegisteredDatabase, channel: string, threadTs: string, diff: string): Promise<void> {
    await this.client.filesUploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      content: diff,
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
export function startDriftAlerts(services: SluiceServices): void {
  const notify = driftAnnouncer(services.announcements);
  if (services.config.file.drift.enabled) services.drift.startSchedule(services.config.file.drift.schedule, notify);
  services.drift.baselineInBackground(notify);
}
