// Thread replies that a retried outbox delivery does not post twice. Slack's chat.postMessage has no idempotency key,
// so a reply posted for an outbox message carries the message's id in its metadata, and a retry (the message was
// claimed before: Sluice died, or the store or Slack failed, after Slack took the reply) first reads the thread and
// skips a reply Slack already has. Reading a thread needs the channels:history (groups:history) scope; without it a
// retry posts again, as before (at least once).
import type { KnownBlock } from "@slack/types";
import { ErrorCode, type WebClient } from "@slack/web-api";
import type { Logger } from "../logger.ts";
import type { OutboxEntry } from "../store/outbox.ts";

/** The outbox message a reply is part of: its id keys the reply; `attempts` > 1 means an earlier try may have posted it. */
export type Delivery = Pick<OutboxEntry, "id" | "attempts">;

export interface ThreadReply {
  channel: string;
  thread_ts: string;
  text: string;
  blocks?: KnownBlock[];
}

/** The metadata event type of Sluice's keyed replies (Slack shows it to developers, so it says whose it is). */
export const KEYED_REPLY_EVENT = "sluice_outbox_reply";

/** Slack's answers that mean the thread cannot be read (a scope or membership missing), not that Slack is down. */
const UNREADABLE = new Set(["missing_scope", "not_in_channel", "channel_not_found", "thread_not_found", "not_allowed_token_type"]);

export class ThreadReplies {
  private unreadableLogged = false;

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Posts `reply`; with a delivery, keyed by its id and `part` (one outbox message may post several replies), and not
   * again when a retried delivery finds it in the thread.
   */
  async post(reply: ThreadReply, delivery?: Delivery, part = "reply"): Promise<void> {
    if (!delivery) {
      await this.client.chat.postMessage(reply);
      return;
    }
    const key = `${delivery.id}:${part}`;
    if (delivery.attempts > 1 && (await this.inThread(reply.channel, reply.thread_ts, key))) return;
    await this.client.chat.postMessage({ ...reply, metadata: { event_type: KEYED_REPLY_EVENT, event_payload: { key } } });
  }

  /** Whether the thread holds a reply with `key`; false when Slack does not let Sluice read it. */
  private async inThread(channel: string, threadTs: string, key: string): Promise<boolean> {
    try {
      for (let cursor: string | undefined; ; ) {
        const page = await this.client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, cursor });
        if (page.messages?.some((m) => m.metadata?.event_type === KEYED_REPLY_EVENT && (m.metadata.event_payload as { key?: unknown } | undefined)?.key === key)) return true;
        cursor = page.response_metadata?.next_cursor || undefined;
        if (!cursor) return false;
      }
    } catch (error) {
      const code = (error as { code?: string; data?: { error?: string } }).code === ErrorCode.PlatformError ? (error as { data?: { error?: string } }).data?.error : undefined;
      if (code === undefined || !UNREADABLE.has(code)) throw error;
      if (!this.unreadableLogged) {
        this.unreadableLogged = true;
        this.logger.warn({ err: error }, "cannot read a thread to check for a reply already posted (add the channels:history and groups:history scopes); a retried reply may repeat");
      }
      return false;
    }
  }
}
