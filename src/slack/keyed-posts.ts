// Posts that a retried outbox delivery does not make twice. Slack's chat.postMessage has no idempotency key, so a
// message posted for an outbox row carries the row's id in its metadata, and a retry (the row was claimed before:
// Sluice died, or the store or Slack failed, after Slack took the message) first looks for it, in the thread for a
// reply or in the channel since the row was written for a top-level message, and does not post one Slack already has.
// Looking needs the channels:history (groups:history) scope; without it a retry posts again (at least once).
import type { KnownBlock } from "@slack/types";
import { ErrorCode, type WebClient } from "@slack/web-api";
import type { Logger } from "../logger.ts";
import type { OutboxEntry } from "../store/outbox.ts";

/** The outbox row a message is posted for: its id keys the message; `attempts` > 1 means an earlier try may have posted it. */
export type Delivery = Pick<OutboxEntry, "id" | "attempts" | "createdAt">;

export interface ChannelMessage {
  channel: string;
  text: string;
  blocks?: KnownBlock[];
  unfurl_links?: boolean;
}

export interface ThreadReply extends ChannelMessage {
  thread_ts: string;
}

/** The metadata event type of Sluice's keyed messages (Slack shows it to developers, so it says whose it is). */
export const KEYED_POST_EVENT = "sluice_outbox_post";

/** How far before the row was written a channel is searched: the store's clock and Slack's may differ a little. */
const CLOCK_SKEW_SECONDS = 300;

/** Slack's answers that mean Sluice may not read the conversation (a scope or membership missing), not that Slack is down. */
const UNREADABLE = new Set(["missing_scope", "not_in_channel", "channel_not_found", "thread_not_found", "not_allowed_token_type"]);

interface HistoryPage {
  messages?: Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: unknown } }>;
  response_metadata?: { next_cursor?: string };
}

export class KeyedPosts {
  private unreadableLogged = false;

  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Posts a top-level message and returns where it is; with a delivery, keyed by its id and `part`, and a retry that
   * finds the message in the channel returns that one instead of posting it again.
   */
  async post(message: ChannelMessage, delivery?: Delivery, part = "root"): Promise<{ channel: string; ts: string }> {
    if (delivery && delivery.attempts > 1) {
      const oldest = String(Math.floor(delivery.createdAt.getTime() / 1000) - CLOCK_SKEW_SECONDS);
      const ts = await this.find(keyOf(delivery, part), (cursor) =>
        this.client.conversations.history({ channel: message.channel, oldest, include_all_metadata: true, limit: 200, cursor }),
      );
      if (ts) return { channel: message.channel, ts };
    }
    const posted = await this.client.chat.postMessage(keyed(message, delivery, part));
    return { channel: posted.channel ?? message.channel, ts: posted.ts! };
  }

  /** Posts a reply in a thread; with a delivery, keyed by its id and `part`, and not again when a retry finds it there. */
  async reply(reply: ThreadReply, delivery?: Delivery, part = "reply"): Promise<void> {
    if (delivery && delivery.attempts > 1) {
      const ts = await this.find(keyOf(delivery, part), (cursor) =>
        this.client.conversations.replies({ channel: reply.channel, ts: reply.thread_ts, include_all_metadata: true, limit: 200, cursor }),
      );
      if (ts) return;
    }
    await this.client.chat.postMessage(keyed(reply, delivery, part));
  }

  /** The ts of the message with `key` in the pages `read` returns; undefined when there is none or Slack refuses the read. */
  private async find(key: string, read: (cursor?: string) => Promise<HistoryPage>): Promise<string | undefined> {
    try {
      for (let cursor: string | undefined; ; ) {
        const page = await read(cursor);
        const found = page.messages?.find((m) => m.metadata?.event_type === KEYED_POST_EVENT && (m.metadata.event_payload as { key?: unknown } | undefined)?.key === key);
        if (found?.ts) return found.ts;
        cursor = page.response_metadata?.next_cursor || undefined;
        if (!cursor) return undefined;
      }
    } catch (error) {
      const refusal = error as { code?: string; data?: { error?: string } };
      if (refusal.code !== ErrorCode.PlatformError || !UNREADABLE.has(refusal.data?.error ?? "")) throw error;
      if (!this.unreadableLogged) {
        this.unreadableLogged = true;
        this.logger.warn({ err: error }, "cannot read Slack to check for a message already posted (add the channels:history and groups:history scopes); a retried message may repeat");
      }
      return undefined;
    }
  }
}

/** One outbox row may post several messages (a root message and the review in its thread): `part` tells them apart. */
function keyOf(delivery: Delivery, part: string): string {
  return `${delivery.id}:${part}`;
}

function keyed<T extends ChannelMessage>(message: T, delivery: Delivery | undefined, part: string): T {
  return delivery ? { ...message, metadata: { event_type: KEYED_POST_EVENT, event_payload: { key: keyOf(delivery, part) } } } : message;
}
