// Tells Slack about a change: the root message in the project's channel (updated in place as the status
// moves), the review and a note for each step in its thread, long SQL and long reports as files.
import type { WebClient } from "@slack/web-api";
import type { ChangeEvent, ChangeNotifier } from "../changes/notifier.ts";
import type { Logger } from "../logger.ts";
import type { ChangeDetail, ChangeRepository } from "../store/changes.ts";
import { changeRootMessage, reviewMessage, reviewReportText, threadNote } from "./blocks/change.ts";
import { mrkdwn, slackMessage, type Mrkdwn } from "./blocks/text.ts";
import { uploadInPieces } from "./file-upload.ts";

export class SlackChangeNotifier implements ChangeNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly changes: ChangeRepository,
    private readonly logger: Logger,
  ) {}

  async notify(change: ChangeDetail, event: ChangeEvent): Promise<void> {
    if (event.kind === "submitted") {
      await this.postRoot(change);
      return;
    }
    if (!change.slackChannel || !change.slackTs) {
      this.logger.warn({ change: change.key, event: event.kind }, "change has no Slack message to update");
      return;
    }
    const root = changeRootMessage(change, event.kind === "progress" ? event : undefined, await this.driftAlertUrl(change));
    await this.client.chat.update({ channel: change.slackChannel, ts: change.slackTs, ...slackMessage(root.text, root.blocks) });
    const note = threadNote(change, event);
    if (note) await this.client.chat.postMessage({ channel: change.slackChannel, thread_ts: change.slackTs, ...slackMessage(note) });
  }

  private async postRoot(change: ChangeDetail): Promise<void> {
    const channel = change.database.project.slackChannel;
    const root = changeRootMessage(change, undefined, await this.driftAlertUrl(change));
    const posted = await this.client.chat.postMessage({ channel, ...slackMessage(root.text, root.blocks), unfurl_links: false });
    const ts = posted.ts!;
    await this.changes.recordSlackMessage(change.id, posted.channel ?? channel, ts);
    change.slackChannel = posted.channel ?? channel;
    change.slackTs = ts;
    if (root.sqlFile) {
      const { bytes, pieces } = await this.changes.sqlInPieces(change.id);
      await uploadInPieces(this.client, { channelId: change.slackChannel, threadTs: ts, filename: root.sqlFile, comment: mrkdwn`The whole script of ${change.key}.`, bytes, pieces });
    }
    const review = reviewMessage(change);
    await this.client.chat.postMessage({ channel: change.slackChannel, thread_ts: ts, ...slackMessage(review.text, review.blocks) });
    if (review.overflow) await this.upload(change, `${change.key}-review.txt`, reviewReportText(change), mrkdwn`Full review of ${change.key}.`);
  }

  /** The permalink of the drift alert the change was checked against, when it was posted and Slack gives one. */
  private async driftAlertUrl(change: ChangeDetail): Promise<string | undefined> {
    const alert = change.driftAnomaly;
    if (!alert?.slackChannel || !alert.slackTs || alert.status !== "open") return undefined;
    try {
      const { permalink } = await this.client.chat.getPermalink({ channel: alert.slackChannel, message_ts: alert.slackTs });
      return permalink;
    } catch (error) {
      this.logger.warn({ change: change.key, err: error }, "no permalink for the drift alert");
      return undefined;
    }
  }

  private async upload(change: ChangeDetail, filename: string, content: string, comment: Mrkdwn): Promise<void> {
    await this.client.filesUploadV2({
      channel_id: change.slackChannel!,
      thread_ts: change.slackTs!,
      filename,
      title: filename,
      content,
      initial_comment: comment.text,
    });
  }
}
