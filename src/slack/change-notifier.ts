// Tells Slack about a change: the root message in the project's channel (updated in place as the status
// moves), the review and a note for each step in its thread, long SQL and long reports as files.
import type { WebClient } from "@slack/web-api";
import type { ChangeEvent, ChangeNotifier } from "../changes/notifier.ts";
import type { Logger } from "../logger.ts";
import type { ChangeDetail, ChangeRepository } from "../store/changes.ts";
import { changeRootMessage, errorIsCut, reviewMessage, reviewReportText, threadNote } from "./blocks/change.ts";
import { mrkdwn, slackMessage, type Mrkdwn } from "./blocks/text.ts";
import { MessageEditPacer } from "./edit-pacing.ts";
import { uploadInPieces } from "./file-upload.ts";
import { KeyedPosts, type Delivery } from "./keyed-posts.ts";

const RECORD_ATTEMPTS = 5;

export class SlackChangeNotifier implements ChangeNotifier {
  constructor(
    private readonly client: WebClient,
    private readonly changes: ChangeRepository,
    private readonly logger: Logger,
  ) {
    this.posts = new KeyedPosts(client, logger);
  }

  /** A run's progress and the change's status moves edit one root message: at Slack's pace, one at a time. */
  private readonly edits = new MessageEditPacer();
  private readonly posts: KeyedPosts;

  /** `delivery`: the outbox message this event comes from, so that a retried delivery does not post twice what Slack already has. */
  async notify(change: ChangeDetail, event: ChangeEvent, delivery?: Delivery): Promise<void> {
    if (event.kind === "submitted") {
      await this.postRoot(change, delivery);
      return;
    }
    if (!change.slackChannel || !change.slackTs) {
      this.logger.warn({ change: change.key, event: event.kind }, "change has no Slack message to update");
      return;
    }
    const root = changeRootMessage(change, event.kind === "progress" ? event : undefined, await this.driftAlertUrl(change));
    const [channel, ts] = [change.slackChannel, change.slackTs];
    await this.edits.edit(`${channel}/${ts}`, () => this.client.chat.update({ channel, ts, ...slackMessage(root.text, root.blocks) }));
    const note = threadNote(change, event);
    if (note) await this.posts.reply({ channel: change.slackChannel, thread_ts: change.slackTs, ...slackMessage(note) }, delivery, "note");
    if (event.kind === "failed" && errorIsCut(event.error)) await this.upload(change, `${change.key}-error.txt`, event.error, mrkdwn`The whole error of ${change.key}.`);
  }

  /**
   * The root message, then the whole script and the review in its thread. Delivered again after a failure (the
   * outbox), it posts no second root message once the first is recorded: it goes on from the thread.
   */
  private async postRoot(change: ChangeDetail, delivery?: Delivery): Promise<void> {
    const channel = change.database.project.slackChannel;
    const root = changeRootMessage(change, undefined, await this.driftAlertUrl(change));
    if (!change.slackChannel || !change.slackTs) {
      const posted = await this.posts.post({ channel, ...slackMessage(root.text, root.blocks), unfurl_links: false }, delivery);
      await this.recordRoot(change, posted.channel, posted.ts);
    }
    const [channelId, ts] = [change.slackChannel!, change.slackTs!];
    if (root.sqlFile) {
      const { bytes, pieces } = await this.changes.sqlInPieces(change.id);
      await uploadInPieces(this.client, { channelId, threadTs: ts, filename: root.sqlFile, comment: mrkdwn`The whole script of ${change.key}.`, bytes, pieces });
    }
    const review = reviewMessage(change);
    await this.posts.reply({ channel: channelId, thread_ts: ts, ...slackMessage(review.text, review.blocks) }, delivery, "review");
    if (review.overflow) await this.upload(change, `${change.key}-review.txt`, reviewReportText(change), mrkdwn`Full review of ${change.key}.`);
  }

  /**
   * Keeps the root message's address with the change. Slack has the message now: a store that hiccups is asked again
   * (a few times, for some seconds) rather than leaving the change to be posted twice.
   */
  private async recordRoot(change: ChangeDetail, channel: string, ts: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.changes.recordSlackMessage(change.id, channel, ts);
        break;
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS) throw error;
        this.logger.warn({ change: change.key, err: error, attempt }, "could not record the root message; trying again");
        await new Promise((resolve) => setTimeout(resolve, attempt * 1_000));
      }
    }
    change.slackChannel = channel;
    change.slackTs = ts;
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
