// A local stand-in for Slack's Web API: the methods Sluice calls, an in-memory workspace, and a record of every
// call. The sandbox serves it to the browser page; the tests use it to see what Sluice posted.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { messageRejection, webApiRejection, type SlackRejection } from "./block-kit-rules.ts";

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

export interface LocalMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  user: string;
  text: string;
  blocks: unknown[];
  /** Set for ephemeral messages: only this user sees them. */
  visibleTo?: string;
  files: LocalFile[];
  edited: number;
  /** The app's metadata posted with the message (chat.postMessage `metadata`). */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface LocalFile {
  id: string;
  name: string;
  title: string;
  content: Buffer;
  channel?: string;
  threadTs?: string;
}

export interface LocalView {
  id: string;
  userId: string;
  view: Record<string, unknown>;
  /** Views pushed on top of this one form a stack; the last is visible. */
  stackId: string;
  /** Set when the user submitted or closed the view (the sandbox page). */
  closed?: boolean;
}

/** Where a response_url answer shows up: the user, channel and message of the command or click it answers. */
export interface ResponseContext {
  user: string;
  channel: string;
  /** The message a click came from: replace_original and delete_original act on it. */
  messageTs?: string;
  threadTs?: string;
}

export interface LocalSlackOptions {
  botUserId?: string;
  /** Members of user groups, for usergroups.users.list. */
  userGroups?: Record<string, string[]>;
  /** Users and their display names, for users.info. */
  users?: Record<string, string>;
  /** How long each Web API call takes before it is recorded and answered: Slack is a network away (tests hold work in flight with it). */
  latencyMs?: number;
  /**
   * Slack's rate limit on editing one message: a chat.update of a message edited less than this many ms before is
   * answered HTTP 429 `ratelimited` with a Retry-After (whole seconds). Default 1,000, as Slack allows about one edit
   * of a message per second; 0 turns it off.
   */
  chatUpdateIntervalMs?: number;
  /** Methods answered `ok: false` with this error, as Slack answers a token that lacks their scope (`missing_scope`). */
  refusedMethods?: Record<string, string>;
}

/** Slack answers `ratelimited` to a second edit of one message within about a second. */
const DEFAULT_CHAT_UPDATE_INTERVAL_MS = 1_000;

type Handler = (args: Record<string, unknown>) => Record<string, unknown>;

export class LocalSlack {
  readonly calls: SlackCall[] = [];
  readonly messages: LocalMessage[] = [];
  readonly views: LocalView[] = [];
  readonly files = new Map<string, LocalFile>();
  /** Bodies Sluice sent to response_url, by the URL's token. */
  readonly responses: Array<{ token: string; body: Record<string, unknown> }> = [];
  /** Calls answered 429 `ratelimited` (not in `calls`: they changed nothing). */
  readonly rateLimited: SlackCall[] = [];
  /** While set, Slack is down: every Web API call is answered with this HTTP status, and not recorded. */
  outage?: number;
  /** What was refused as Slack refuses it (block-kit-rules.ts): the method (or `response_url`) and why. */
  readonly rejections: Array<SlackRejection & { method: string }> = [];
  readonly botUserId: string;
  private server?: Server;
  private baseUrl = "";
  private clock = 1_700_000_000;
  private sequence = 0;
  private lastTsSecond = 0;
  private readonly listeners = new Set<() => void>();
  private readonly options: LocalSlackOptions;
  private readonly triggers = new Map<string, string>();
  private readonly responseContexts = new Map<string, ResponseContext>();
  /** When each message was last edited (chat.update), by channel and ts: what its rate limit counts from. */
  private readonly lastEdited = new Map<string, number>();
  /** Grows with every change of the workspace (the sandbox page polls on it). */
  version = 0;

  constructor(options: LocalSlackOptions = {}) {
    this.options = options;
    this.botUserId = options.botUserId ?? "USLUICEBOT";
  }

  /** Base URL of the Web API, e.g. http://127.0.0.1:1234/api/ (what SLACK_API_URL takes). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /** A response_url that records what Sluice answers. */
  responseUrl(token = randomUUID()): string {
    return `${this.baseUrl}/respond/${token}`;
  }

  /** A response_url whose answers are shown to the user like Slack shows them (ephemeral, in channel, replacing). */
  responseUrlFor(context: ResponseContext): string {
    const token = randomUUID();
    this.responseContexts.set(token, context);
    return this.responseUrl(token);
  }

  /** A trigger_id for a request from `user`, so views.open knows whose modal it opens. */
  triggerFor(user: string): string {
    const trigger = `${++this.sequence}.${this.clock}.${randomUUID().replaceAll("-", "")}`;
    this.triggers.set(trigger, user);
    return trigger;
  }

  /** The modal `user` sees: the top of their latest open stack. */
  openViewOf(user: string): LocalView | undefined {
    return this.views.filter((v) => v.userId === user && !v.closed).at(-1);
  }

  /** Closes one view (an empty submission answer) or its whole stack (response_action: clear, or the user's ✕); false for an unknown view. */
  closeView(id: string, wholeStack = false): boolean {
    const local = this.views.find((v) => v.id === id);
    if (!local) return false;
    for (const view of this.views) if (view === local || (wholeStack && view.stackId === local.stackId)) view.closed = true;
    this.changed();
    return true;
  }

  /** Replaces a view's content in place (response_action: update). */
  replaceView(id: string, view: Record<string, unknown>): void {
    const local = this.views.find((v) => v.id === id);
    if (!local) return;
    local.view = view;
    this.changed();
  }

  /** Pushes a view on top of another's stack (response_action: push). */
  pushView(onto: string, view: Record<string, unknown>): LocalView | undefined {
    const below = this.views.find((v) => v.id === onto);
    if (!below) return undefined;
    const local: LocalView = { id: this.nextId("V"), userId: below.userId, view, stackId: below.stackId };
    this.views.push(local);
    this.changed();
    return local;
  }

  /** Posts a message as a person (the sandbox echoes the slash commands a user typed, visible only to them). */
  postAsUser(user: string, channel: string, text: string, visibleTo?: string): LocalMessage {
    const message = this.post({ channel, text }, visibleTo);
    message.user = user;
    this.changed();
    return message;
  }

  /**
   * Shows an answer to a command or a click as Slack does: a slash command's acknowledgement body or a response_url
   * body. Ephemeral by default; `in_channel` posts to the channel; replace_original/delete_original act on the
   * message the click came from.
   */
  showResponse(context: ResponseContext, body: Record<string, unknown>): void {
    const original = context.messageTs ? this.messages.find((m) => m.channel === context.channel && m.ts === context.messageTs) : undefined;
    if (body.delete_original === true || body.delete_original === "true") {
      if (original) this.messages.splice(this.messages.indexOf(original), 1);
    } else if ((body.replace_original === true || body.replace_original === "true") && original) {
      original.text = typeof body.text === "string" ? body.text : original.text;
      original.blocks = Array.isArray(body.blocks) ? body.blocks : [];
      original.edited += 1;
    } else if (typeof body.text === "string" || Array.isArray(body.blocks)) {
      const inChannel = body.response_type === "in_channel";
      const threadTs = body.thread_ts ?? context.threadTs;
      this.post({ channel: context.channel, thread_ts: threadTs, text: body.text, blocks: body.blocks }, inChannel ? undefined : context.user);
    }
    this.changed();
  }

  /** Runs whenever the workspace changes (the sandbox page polls on it). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address();
    const bound = typeof address === "object" && address ? address.port : port;
    this.baseUrl = `http://${host}:${bound}`;
    return this.baseUrl;
  }

  /** Serves on an existing URL prefix (the sandbox mounts it under Sluice's own port). */
  mountAt(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Calls of one Web API method, in order. */
  callsTo(method: string): Array<Record<string, unknown>> {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  channelMessages(channel: string): LocalMessage[] {
    return this.messages.filter((m) => m.channel === channel && !m.threadTs && !m.visibleTo);
  }

  thread(channel: string, ts: string): LocalMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === ts);
  }

  /** Adds a file as if a user had uploaded it (for file_input in modals). */
  addUserFile(name: string, content: string | Buffer): LocalFile {
    const file: LocalFile = { id: this.nextId("F"), name, title: name, content: Buffer.from(content) };
    this.files.set(file.id, file);
    return file;
  }

  fileInfo(file: LocalFile): Record<string, unknown> {
    return {
      id: file.id,
      name: file.name,
      title: file.title,
      size: file.content.length,
      url_private: `${this.baseUrl}/files/${file.id}`,
      url_private_download: `${this.baseUrl}/files/${file.id}`,
    };
  }

  /** Handles one HTTP request; exported for mounting the fake inside another server. */
  async handle(req: IncomingMessage, res: ServerResponse, prefix = ""): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!.slice(prefix.length);
    const body = await readBody(req);
    if (path.startsWith("/api/")) {
      const method = path.slice("/api/".length);
      const args = parseArgs(body, String(req.headers["content-type"] ?? ""));
      if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
      if (this.outage) return sendJson(res, { ok: false, error: "service_unavailable" }, this.outage);
      const retryAfter = this.rateLimitOf(method, args);
      if (retryAfter !== undefined) {
        this.rateLimited.push({ method, args });
        res.writeHead(429, { "content-type": "application/json", "retry-after": String(retryAfter) });
        res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
        return;
      }
      this.calls.push({ method, args });
      const refused = this.options.refusedMethods?.[method];
      if (refused) return sendJson(res, { ok: false, error: refused });
      const handler = this.methods[method];
      const rejection = webApiRejection(method, args);
      const result = rejection ? this.reject(method, rejection) : handler ? this.safely(handler, args) : { ok: false, error: "unknown_method" };
      this.changed();
      sendJson(res, result);
      return;
    }
    if (path.startsWith("/upload/")) {
      const file = this.files.get(path.slice("/upload/".length));
      if (!file) return sendJson(res, { ok: false }, 404);
      file.content = extractUpload(body, String(req.headers["content-type"] ?? ""));
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("OK");
      return;
    }
    if (path.startsWith("/files/")) {
      const file = this.files.get(path.slice("/files/".length));
      if (!file) return sendJson(res, { ok: false }, 404);
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(file.content);
      return;
    }
    if (path.startsWith("/respond/")) {
      const token = path.slice("/respond/".length);
      const payload = parseArgs(body, String(req.headers["content-type"] ?? "application/json"));
      const rejection = messageRejection(payload);
      if (rejection) return sendJson(res, this.reject("response_url", rejection), 400);
      this.responses.push({ token, body: payload });
      const context = this.responseContexts.get(token);
      if (context) this.showResponse(context, payload);
      this.changed();
      sendJson(res, { ok: true });
      return;
    }
    sendJson(res, { ok: false, error: "not_found" }, 404);
  }

  /** Seconds to wait when this call is over a rate limit (Slack's Retry-After), else undefined; counts the call when not. */
  private rateLimitOf(method: string, args: Record<string, unknown>): number | undefined {
    const interval = this.options.chatUpdateIntervalMs ?? DEFAULT_CHAT_UPDATE_INTERVAL_MS;
    if (method !== "chat.update" || !interval) return undefined;
    const key = `${String(args.channel)}/${String(args.ts)}`;
    const now = Date.now();
    const last = this.lastEdited.get(key);
    if (last !== undefined && now - last < interval) return Math.max(1, Math.ceil((interval - (now - last)) / 1000));
    this.lastEdited.set(key, now);
    return undefined;
  }

  private reject(method: string, rejection: SlackRejection): Record<string, unknown> {
    this.rejections.push({ method, ...rejection });
    return { ok: false, error: rejection.error, response_metadata: { messages: rejection.messages } };
  }

  private safely(handler: Handler, args: Record<string, unknown>): Record<string, unknown> {
    try {
      return handler(args);
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }

  private changed(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }

  /** Epoch seconds, as Slack's are (conversations.history's `oldest` compares with them), and unique by the sequence. */
  private nextTs(): string {
    this.sequence += 1;
    this.lastTsSecond = Math.max(this.lastTsSecond, Math.floor(Date.now() / 1000));
    return `${this.lastTsSecond}.${String(this.sequence).padStart(6, "0")}`;
  }

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}${this.sequence.toString(36).toUpperCase().padStart(8, "0")}`;
  }

  private post(args: Record<string, unknown>, visibleTo?: string): LocalMessage {
    const channel = requireString(args, "channel");
    const message: LocalMessage = {
      channel,
      ts: this.nextTs(),
      threadTs: typeof args.thread_ts === "string" ? args.thread_ts : undefined,
      user: this.botUserId,
      text: typeof args.text === "string" ? args.text : "",
      blocks: Array.isArray(args.blocks) ? args.blocks : [],
      visibleTo,
      files: [],
      edited: 0,
      metadata: messageMetadata(args.metadata),
    };
    this.messages.push(message);
    return message;
  }

  private openView(args: Record<string, unknown>, stackId?: string): Record<string, unknown> {
    const view = args.view as Record<string, unknown> | undefined;
    if (!view || typeof view !== "object") throw new Error("invalid_arguments");
    const userId = String(args.user_id ?? this.triggers.get(String(args.trigger_id)) ?? "");
    const local: LocalView = { id: this.nextId("V"), userId, view, stackId: stackId ?? this.nextId("S") };
    this.views.push(local);
    return { ok: true, view: { ...view, id: local.id, hash: `${local.id}-0` } };
  }

  private readonly methods: Record<string, Handler> = {
    "auth.test": () => ({ ok: true, user_id: this.botUserId, bot_id: "BSLUICE", team_id: "TSANDBOX", user: "sluice", team: "Sandbox" }),
    "chat.postMessage": (args) => {
      const message = this.post(args);
      return { ok: true, channel: message.channel, ts: message.ts, message: { ts: message.ts, text: message.text, blocks: message.blocks } };
    },
    "chat.postEphemeral": (args) => {
      const message = this.post(args, requireString(args, "user"));
      return { ok: true, message_ts: message.ts };
    },
    "chat.update": (args) => {
      const channel = requireString(args, "channel");
      const ts = requireString(args, "ts");
      const message = this.messages.find((m) => m.channel === channel && m.ts === ts);
      if (!message) throw new Error("message_not_found");
      if (typeof args.text === "string") message.text = args.text;
      if (Array.isArray(args.blocks)) message.blocks = args.blocks;
      message.edited += 1;
      return { ok: true, channel, ts, text: message.text };
    },
    "chat.getPermalink": (args) => {
      const channel = requireString(args, "channel");
      const ts = requireString(args, "message_ts");
      if (!this.messages.some((m) => m.channel === channel && m.ts === ts)) throw new Error("message_not_found");
      return { ok: true, channel, permalink: `https://slack.com/archives/${channel}/p${ts.replace(".", "")}` };
    },
    "views.open": (args) => this.openView(args),
    "views.push": (args) => {
      const user = this.triggers.get(String(args.trigger_id));
      const top = (user ? this.openViewOf(user) : undefined) ?? this.views.at(-1);
      return this.openView({ user_id: top?.userId, ...args }, top?.stackId);
    },
    "views.update": (args) => {
      const id = requireString(args, "view_id");
      const local = this.views.find((v) => v.id === id);
      if (!local) throw new Error("not_found");
      local.view = args.view as Record<string, unknown>;
      return { ok: true, view: { ...local.view, id } };
    },
    "files.getUploadURLExternal": (args) => {
      const name = requireString(args, "filename");
      const file: LocalFile = { id: this.nextId("F"), name, title: name, content: Buffer.alloc(0) };
      this.files.set(file.id, file);
      return { ok: true, upload_url: `${this.baseUrl}/upload/${file.id}`, file_id: file.id };
    },
    "files.completeUploadExternal": (args) => {
      const entries = (Array.isArray(args.files) ? args.files : []) as Array<{ id: string; title?: string }>;
      const channel = typeof args.channel_id === "string" ? args.channel_id : undefined;
      const threadTs = typeof args.thread_ts === "string" ? args.thread_ts : undefined;
      const files = entries.map((entry) => {
        const file = this.files.get(entry.id);
        if (!file) throw new Error("file_not_found");
        file.title = entry.title ?? file.name;
        file.channel = channel;
        file.threadTs = threadTs;
        return file;
      });
      if (channel) {
        const message = this.post({ channel, thread_ts: threadTs, text: typeof args.initial_comment === "string" ? args.initial_comment : "" });
        message.files = files;
      }
      return { ok: true, files: files.map((file) => this.fileInfo(file)) };
    },
    "files.info": (args) => {
      const file = this.files.get(requireString(args, "file"));
      if (!file) throw new Error("file_not_found");
      return { ok: true, file: this.fileInfo(file) };
    },
    "usergroups.users.list": (args) => {
      const group = requireString(args, "usergroup");
      const users = this.options.userGroups?.[group];
      if (!users) throw new Error("no_such_subteam");
      return { ok: true, users };
    },
    "users.info": (args) => {
      const user = requireString(args, "user");
      const name = this.options.users?.[user] ?? user;
      return { ok: true, user: { id: user, name, real_name: name, profile: { display_name: name } } };
    },
    // The parent first, then its replies, oldest first.
    "conversations.replies": (args) => {
      const channel = requireString(args, "channel");
      const ts = requireString(args, "ts");
      const parent = this.messages.find((m) => m.channel === channel && m.ts === ts && !m.visibleTo);
      if (!parent) throw new Error("thread_not_found");
      return conversationPage([parent, ...this.messages.filter((m) => m.channel === channel && m.threadTs === ts && m.ts !== ts && !m.visibleTo)], args);
    },
    // The channel's top-level messages after `oldest`, newest first.
    "conversations.history": (args) => {
      const channel = requireString(args, "channel");
      const oldest = Number(args.oldest ?? 0);
      const messages = this.messages.filter((m) => m.channel === channel && (!m.threadTs || m.threadTs === m.ts) && !m.visibleTo && Number(m.ts) > oldest);
      return conversationPage(messages.reverse(), args);
    },
    "conversations.open": (args) => ({ ok: true, channel: { id: `D${requireString(args, "users").split(",")[0]}` } }),
    "conversations.info": (args) => ({ ok: true, channel: { id: requireString(args, "channel"), name: requireString(args, "channel").toLowerCase() } }),
  };
}

/** One page of a conversation as Slack answers it (`limit`, `cursor`); metadata only when asked for. */
function conversationPage(messages: LocalMessage[], args: Record<string, unknown>): Record<string, unknown> {
  const from = Number(args.cursor || 0);
  const limit = Number(args.limit ?? 100);
  const more = from + limit < messages.length;
  const withMetadata = args.include_all_metadata === true || args.include_all_metadata === "true";
  return {
    ok: true,
    messages: messages.slice(from, from + limit).map((m) => ({
      type: "message",
      user: m.user,
      ts: m.ts,
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      text: m.text,
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    })),
    has_more: more,
    response_metadata: { next_cursor: more ? String(from + limit) : "" },
  };
}

/** Slack's message metadata: an event_type and an object payload; anything else is refused as Slack refuses it. */
function messageMetadata(value: unknown): LocalMessage["metadata"] {
  if (value === undefined) return undefined;
  const metadata = value as { event_type?: unknown; event_payload?: unknown };
  if (typeof metadata !== "object" || metadata === null || typeof metadata.event_type !== "string" || typeof metadata.event_payload !== "object" || metadata.event_payload === null) {
    throw new Error("invalid_metadata_format");
  }
  return { event_type: metadata.event_type, event_payload: metadata.event_payload as Record<string, unknown> };
}

function requireString(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== "string" || value === "") throw new Error(`invalid_arguments: ${name}`);
  return value;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

/** The Web API client sends form-encoded fields with JSON inside for arrays and objects. */
function parseArgs(body: Buffer, contentType: string): Record<string, unknown> {
  const text = body.toString("utf8");
  if (text === "") return {};
  if (contentType.includes("application/json")) return JSON.parse(text) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return args;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function extractUpload(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return body;
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(marker);
  const headerEnd = body.indexOf("\r\n\r\n", start);
  const end = body.indexOf(marker, headerEnd);
  if (start < 0 || headerEnd < 0 || end < 0) return body;
  return body.subarray(headerEnd + 4, end - 2);
}
