// Sends what Slack sends: slash commands, button clicks and modal submissions, signed with the app's signing
// secret, to Sluice's real /slack/events endpoint. Used by the sandbox page and by the tests.
import { randomUUID } from "node:crypto";
import { slackSignature } from "../slack/ack-thread/slack-request.ts";
import { answerRejection } from "./block-kit-rules.ts";

export interface SlackUser {
  id: string;
  name?: string;
}

export interface SignedResponse {
  status: number;
  body: string;
  json(): Record<string, unknown>;
}

export interface ButtonClick {
  user: SlackUser;
  channel: string;
  messageTs: string;
  actionId: string;
  value?: string;
  blockId?: string;
  threadTs?: string;
  /** The clicked message was ephemeral (Slack then sends no `message`). */
  ephemeral?: boolean;
  /** The clicked message as Slack includes it in the payload. */
  message?: { text?: string; blocks?: unknown[]; user?: string };
  /** The element's own action object (a select's selected_option …) instead of a plain button. */
  action?: Record<string, unknown>;
}

/** A click on a button (or a choice in a select) inside a modal: Slack sends the view with its current state. */
export interface ViewAction {
  user: SlackUser;
  view: Record<string, unknown> & { id: string };
  values: Record<string, Record<string, unknown>>;
  action: Record<string, unknown> & { type: string; action_id: string; block_id: string };
}

/** What an external_select asks for as the user types. */
export interface BlockSuggestion {
  user: SlackUser;
  actionId: string;
  blockId: string;
  value: string;
  view?: Record<string, unknown> & { id: string };
  values?: Record<string, Record<string, unknown>>;
}

export interface ViewSubmission {
  user: SlackUser;
  view: Record<string, unknown> & { id: string; callback_id?: string; private_metadata?: string };
  /** state.values as Slack sends it: block_id → action_id → value object. */
  values: Record<string, Record<string, unknown>>;
}

/** The app answered a request with a message, view or options Slack would refuse (block-kit-rules.ts). */
export class SlackRefusedAnswerError extends Error {}

function refuseWhatSlackRefuses(body: string): void {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return;
  }
  if (!answer || typeof answer !== "object") return;
  const rejection = answerRejection(answer as Record<string, unknown>);
  if (rejection) throw new SlackRefusedAnswerError(`Slack would refuse this answer (${rejection.error}): ${rejection.messages.join("; ")}`);
}

/** Signs as Slack signs: the same function the acknowledgement thread checks with. */
export const signature: (signingSecret: string, timestamp: number, body: string) => string = slackSignature;

export class SlackRequestSender {
  constructor(
    private readonly eventsUrl: string,
    private readonly signingSecret: string,
    private readonly responseUrl: () => string,
    private readonly teamId = "TSANDBOX",
    /** Issues trigger_ids; the sandbox maps them to the user so views.open knows whose modal it is. */
    private readonly triggerFor: (user: SlackUser) => string = () => `trigger-${randomUUID()}`,
  ) {}

  /** Sends a raw body with a signature; `headers` can override or add any header (e.g. a stale timestamp). */
  async send(body: string, contentType: string, headers: Record<string, string> = {}): Promise<SignedResponse> {
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(this.eventsUrl, {
      method: "POST",
      headers: {
        "content-type": contentType,
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": signature(this.signingSecret, timestamp, body),
        ...headers,
      },
      body,
    });
    const text = await response.text();
    refuseWhatSlackRefuses(text);
    return { status: response.status, body: text, json: () => (text ? (JSON.parse(text) as Record<string, unknown>) : {}) };
  }

  /** The signed form body of `/db <text>`, where `text` is exactly what Slack sends (escaped: see slackEscapedCommandText). */
  commandBody(text: string, user: SlackUser, channel: string): string {
    return new URLSearchParams({
      token: "deprecated",
      team_id: this.teamId,
      team_domain: "sandbox",
      channel_id: channel,
      channel_name: channel.toLowerCase(),
      user_id: user.id,
      user_name: user.name ?? user.id,
      command: "/db",
      text,
      api_app_id: "ASLUICE",
      response_url: this.responseUrl(),
      trigger_id: this.triggerFor(user),
    }).toString();
  }

  /** `/db <typed>` as a person types it: Slack escapes the text before sending it, and so does this. */
  command(typed: string, user: SlackUser, channel: string, headers?: Record<string, string>): Promise<SignedResponse> {
    return this.commandAsSent(slackEscapedCommandText(typed), user, channel, headers);
  }

  /** `/db <text>` with `text` sent exactly as given (already in Slack's escaped form). */
  commandAsSent(text: string, user: SlackUser, channel: string, headers?: Record<string, string>): Promise<SignedResponse> {
    return this.send(this.commandBody(text, user, channel), "application/x-www-form-urlencoded", headers);
  }

  buttonClickBody(click: ButtonClick): string {
    const payload = {
      type: "block_actions",
      team: { id: this.teamId, domain: "sandbox" },
      user: { id: click.user.id, username: click.user.name ?? click.user.id, team_id: this.teamId },
      api_app_id: "ASLUICE",
      trigger_id: this.triggerFor(click.user),
      response_url: this.responseUrl(),
      container: { type: "message", message_ts: click.messageTs, channel_id: click.channel, is_ephemeral: click.ephemeral ?? false, thread_ts: click.threadTs },
      channel: { id: click.channel, name: click.channel.toLowerCase() },
      ...(click.ephemeral
        ? {}
        : { message: { type: "message", ts: click.messageTs, thread_ts: click.threadTs, text: "", ...click.message } }),
      actions: [
        {
          type: "button",
          action_id: click.actionId,
          block_id: click.blockId ?? "actions",
          value: click.value,
          ...click.action,
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  click(click: ButtonClick, headers?: Record<string, string>): Promise<SignedResponse> {
    return this.send(this.buttonClickBody(click), "application/x-www-form-urlencoded", headers);
  }

  viewSubmissionBody(submission: ViewSubmission): string {
    const payload = {
      type: "view_submission",
      team: { id: this.teamId, domain: "sandbox" },
      user: { id: submission.user.id, username: submission.user.name ?? submission.user.id, team_id: this.teamId },
      api_app_id: "ASLUICE",
      trigger_id: this.triggerFor(submission.user),
      view: { ...submission.view, type: "modal", team_id: this.teamId, state: { values: submission.values }, hash: `${submission.view.id}-h` },
      response_urls: [],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  submitView(submission: ViewSubmission, headers?: Record<string, string>): Promise<SignedResponse> {
    return this.send(this.viewSubmissionBody(submission), "application/x-www-form-urlencoded", headers);
  }

  /** The view as Slack puts it in a payload: its definition, id, state and hash. */
  private viewPayload(view: Record<string, unknown> & { id: string }, values: Record<string, Record<string, unknown>>): Record<string, unknown> {
    return {
      type: "modal",
      private_metadata: "",
      callback_id: "",
      ...view,
      team_id: this.teamId,
      app_id: "ASLUICE",
      bot_id: "BSLUICE",
      state: { values },
      hash: `${view.id}-h`,
      root_view_id: view.root_view_id ?? view.id,
      previous_view_id: view.previous_view_id ?? null,
    };
  }

  viewActionBody(click: ViewAction): string {
    const payload = {
      type: "block_actions",
      team: { id: this.teamId, domain: "sandbox" },
      user: { id: click.user.id, username: click.user.name ?? click.user.id, team_id: this.teamId },
      api_app_id: "ASLUICE",
      token: "deprecated",
      trigger_id: this.triggerFor(click.user),
      container: { type: "view", view_id: click.view.id },
      view: this.viewPayload(click.view, click.values),
      actions: [{ ...click.action, action_ts: `${Date.now() / 1000}` }],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  viewAction(click: ViewAction, headers?: Record<string, string>): Promise<SignedResponse> {
    return this.send(this.viewActionBody(click), "application/x-www-form-urlencoded", headers);
  }

  blockSuggestionBody(suggestion: BlockSuggestion): string {
    const payload = {
      type: "block_suggestion",
      team: { id: this.teamId, domain: "sandbox" },
      user: { id: suggestion.user.id, username: suggestion.user.name ?? suggestion.user.id, team_id: this.teamId },
      api_app_id: "ASLUICE",
      token: "deprecated",
      action_id: suggestion.actionId,
      block_id: suggestion.blockId,
      value: suggestion.value,
      ...(suggestion.view
        ? { container: { type: "view", view_id: suggestion.view.id }, view: this.viewPayload(suggestion.view, suggestion.values ?? {}) }
        : {}),
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  /** Bolt answers a block_suggestion with `{ options }` or `{ option_groups }` in the response body. */
  suggest(suggestion: BlockSuggestion, headers?: Record<string, string>): Promise<SignedResponse> {
    return this.send(this.blockSuggestionBody(suggestion), "application/x-www-form-urlencoded", headers);
  }
}

/** Top-level domains Slack turns into links when typed bare (`x.io`); the common ones, enough to send what Slack sends. */
const LINKED_DOMAINS = "com|org|net|io|dev|app|co";
const TYPED_LINK = new RegExp(
  [
    String.raw`(?<url>\bhttps?://[^\s<>"'|]+[^\s<>"'|.,;:!?)\]])`,
    String.raw`(?<email>\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b)`,
    String.raw`(?<domain>\b[\w-]+(?:\.[\w-]+)*\.(?:${LINKED_DOMAINS})\b(?![.\w]))`,
  ].join("|"),
  "gi",
);

/**
 * A slash command's text as Slack sends it: `&`, `<` and `>` escaped, and links, e-mail addresses and bare domains
 * wrapped in link markup (`<http://x.io>`, `<mailto:a@b.com|a@b.com>`, `<http://x.io|x.io>`).
 */
export function slackEscapedCommandText(typed: string): string {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  let sent = "";
  let last = 0;
  for (const match of typed.matchAll(TYPED_LINK)) {
    const { url, email, domain } = match.groups!;
    sent += escape(typed.slice(last, match.index));
    if (url) sent += `<${escape(url)}>`;
    else if (email) sent += `<mailto:${escape(email)}|${escape(email)}>`;
    else sent += `<http://${escape(domain!)}|${escape(domain!)}>`;
    last = match.index + match[0].length;
  }
  return sent + escape(typed.slice(last));
}
