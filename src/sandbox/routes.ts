// The sandbox's HTTP routes, mounted on Sluice's own port: the local Web API under /sandbox, the page and its
// assets, the page's view of the workspace (/sandbox/state), and what the page asks to send to Sluice as Slack.
// They act as any sandbox user, approvers included, so they answer only the sandbox's own page and Sluice itself:
// another site's page in the same browser, or a DNS name rebound to loopback, is refused (sandboxOnly below).
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import type { LocalFile, LocalMessage, LocalSlack, ResponseContext } from "./local-slack.ts";
import { sandboxPage } from "./page.ts";
import { SlackRequestSender, type SignedResponse, type SlackUser } from "./slack-requests.ts";

export interface SandboxRouteOptions {
  /** The sandbox's own address (`http://127.0.0.1:3000`): the only Host and Origin its routes answer. */
  origin: string;
  eventsUrl: string;
  signingSecret: string;
  /** The people the page can act as, by user id, with their names. */
  users?: Record<string, string>;
  /** The channel the page shows. */
  channel?: string;
}

const assets: Record<string, string> = {
  "sandbox.js": "text/javascript; charset=utf-8",
  "sandbox.css": "text/css; charset=utf-8",
  "blocks.js": "text/javascript; charset=utf-8",
};

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#3f0e40"/><path d="M6 20c4-6 8 6 12 0s6-6 8-2" stroke="#36c5f0" stroke-width="3" fill="none" stroke-linecap="round"/><path d="M6 13c4-6 8 6 12 0s6-6 8-2" stroke="#2eb67d" stroke-width="3" fill="none" stroke-linecap="round"/></svg>`;

/** How much of a file the page shows inline. */
const FILE_PREVIEW_BYTES = 4000;
/** Largest file the page may upload for a file_input. */
const MAX_UPLOAD_BYTES = 5_000_000;

export function sandboxRoutes(local: LocalSlack, options: SandboxRouteOptions): CustomRoute[] {
  const users = options.users ?? { UDEVELOPER: "developer" };
  const channel = options.channel ?? "CSANDBOX";
  const passToLocalSlack = (req: IncomingMessage, res: ServerResponse) => void local.handle(req, res, "/sandbox");
  /** A sender whose response_url shows Sluice's answers to this user, in this channel, on this message. */
  const senderFor = (context: ResponseContext) =>
    new SlackRequestSender(options.eventsUrl, options.signingSecret, () => local.responseUrlFor(context), "TSANDBOX", (user) => local.triggerFor(user.id));
  const actor = (body: Record<string, unknown>): SlackUser => {
    const id = String(body.user ?? "");
    if (!(id in users)) throw new SandboxRequestError(`unknown sandbox user "${id}"`);
    return { id, name: users[id] };
  };

  const routes: CustomRoute[] = [
    { path: "/sandbox", method: ["GET"], handler: (_req, res) => send(res, 200, "text/html; charset=utf-8", sandboxPage()) },
    // Browsers ask for it on every page load; without it Bolt answers 404 and logs an unhandled request each time.
    { path: "/favicon.ico", method: ["GET"], handler: (_req, res) => send(res, 200, "image/svg+xml", FAVICON) },
    {
      path: "/sandbox/assets/:name",
      method: ["GET"],
      handler: (req, res) => {
        const name = (req.url ?? "").split("?")[0]!.split("/").pop() ?? "";
        const type = assets[name];
        if (!type) return send(res, 404, "text/plain", "not found");
        send(res, 200, type, readFileSync(new URL(`./assets/${name}`, import.meta.url)));
      },
    },
    { path: "/sandbox/api/:method", method: ["POST"], handler: passToLocalSlack },
    { path: "/sandbox/upload/:id", method: ["POST"], handler: passToLocalSlack },
    { path: "/sandbox/files/:id", method: ["GET"], handler: passToLocalSlack },
    { path: "/sandbox/respond/:token", method: ["POST"], handler: passToLocalSlack },
    {
      path: "/sandbox/state",
      method: ["GET"],
      handler: (req, res) => {
        const query = new URL(req.url ?? "/", "http://sandbox").searchParams;
        const user = query.get("user") ?? "UDEVELOPER";
        const since = Number(query.get("since") ?? -1);
        if (since === local.version) return json(res, { version: local.version, unchanged: true });
        const open = local.openViewOf(user);
        json(res, {
          version: local.version,
          channel,
          botUserId: local.botUserId,
          users,
          messages: local.messages.filter((m) => m.channel === channel && (!m.visibleTo || m.visibleTo === user)).map((m) => messageForPage(m, local)),
          // chat.postMessage to a user's id is Slack's direct message from the app to that user.
          dms: local.messages.filter((m) => m.channel === user && (!m.visibleTo || m.visibleTo === user)).map((m) => messageForPage(m, local)),
          view: open ? { id: open.id, view: open.view, depth: local.views.filter((v) => v.stackId === open.stackId && !v.closed).length } : null,
        });
      },
    },
    route("/sandbox/command", async (body) => {
      const user = actor(body);
      const text = String(body.text ?? "").replace(/^\s*\/db\b\s*/, "");
      const context: ResponseContext = { user: user.id, channel };
      local.postAsUser(user.id, channel, `/db ${text}`.trim(), user.id);
      const reply = await senderFor(context).command(text, user, channel);
      showAcknowledgement(local, context, reply);
      return { status: reply.status };
    }),
    route("/sandbox/action", async (body) => {
      const user = actor(body);
      const action = body.action as Record<string, unknown> & { type: string; action_id: string; block_id: string };
      if (!action || typeof action.action_id !== "string") throw new SandboxRequestError("action.action_id is required");
      if (typeof body.viewId === "string") {
        const view = local.views.find((v) => v.id === body.viewId);
        if (!view) throw new SandboxRequestError(`no view ${body.viewId}`);
        const reply = await senderFor({ user: user.id, channel }).viewAction({ user, view: { ...view.view, id: view.id }, values: values(body), action });
        return { status: reply.status };
      }
      const where = body.dm === true ? user.id : channel;
      const message = local.messages.find((m) => m.channel === where && m.ts === body.messageTs);
      if (!message) throw new SandboxRequestError(`no message ${String(body.messageTs)}`);
      const context: ResponseContext = { user: user.id, channel: where, messageTs: message.ts, threadTs: message.threadTs };
      const reply = await senderFor(context).click({
        user,
        channel: where,
        messageTs: message.ts,
        threadTs: message.threadTs,
        actionId: action.action_id,
        blockId: action.block_id,
        ephemeral: Boolean(message.visibleTo),
        message: { text: message.text, blocks: message.blocks, user: message.user },
        action,
      });
      showAcknowledgement(local, context, reply);
      return { status: reply.status };
    }),
    route("/sandbox/suggest", async (body) => {
      const user = actor(body);
      const view = typeof body.viewId === "string" ? local.views.find((v) => v.id === body.viewId) : undefined;
      const reply = await senderFor({ user: user.id, channel }).suggest({
        user,
        actionId: String(body.actionId),
        blockId: String(body.blockId),
        value: String(body.value ?? ""),
        view: view ? { ...view.view, id: view.id } : undefined,
        values: values(body),
      });
      return { status: reply.status, ...parseJson(reply.body) };
    }),
    route("/sandbox/submit", async (body) => {
      const user = actor(body);
      const view = local.views.find((v) => v.id === body.viewId && !v.closed);
      if (!view) throw new SandboxRequestError(`no open view ${String(body.viewId)}`);
      const reply = await senderFor({ user: user.id, channel }).submitView({
        user,
        view: { ...(view.view as Record<string, unknown>), id: view.id } as Parameters<SlackRequestSender["submitView"]>[0]["view"],
        values: values(body),
      });
      if (reply.status !== 200) return { status: reply.status, failed: true };
      const answer = parseJson(reply.body);
      switch (answer.response_action) {
        case "errors":
          return { status: reply.status, errors: answer.errors ?? {} };
        case "update":
          local.replaceView(view.id, answer.view as Record<string, unknown>);
          break;
        case "push":
          local.pushView(view.id, answer.view as Record<string, unknown>);
          break;
        case "clear":
          local.closeView(view.id, true);
          break;
        default:
          local.closeView(view.id);
      }
      return { status: reply.status, responseAction: answer.response_action ?? null };
    }),
    route("/sandbox/close", async (body) => {
      actor(body);
      // ✕ or Cancel closes the whole stack; the back arrow only the top view.
      if (!local.closeView(String(body.viewId), body.back !== true)) throw new SandboxRequestError(`no view ${String(body.viewId)}`);
      return { ok: true };
    }),
    {
      path: "/sandbox/user-file",
      method: ["POST"],
      handler: (req, res) => {
        // Raw bytes, but never under a type a form on another site could send without asking (text/plain and the like).
        if (mediaType(req) !== "application/octet-stream") return json(res, { ok: false, error: "send the file as application/octet-stream" }, 415);
        const name = new URL(req.url ?? "/", "http://sandbox").searchParams.get("name") || "upload.txt";
        void readBody(req, MAX_UPLOAD_BYTES)
          .then((content) => json(res, { ok: true, file: local.fileInfo(local.addUserFile(name, content)) }))
          .catch((error: Error) => json(res, { ok: false, error: error.message }, 400));
      },
    },
  ];
  return routes.map(sandboxOnly(new URL(options.origin)));
}

class SandboxRequestError extends Error {}

/**
 * Lets a route answer only requests to the sandbox's own address: the Host must be it (a DNS name rebound to
 * 127.0.0.1 arrives with its own name), and an Origin, when there is one, must be it too (a browser sends one with
 * every request another site's page makes that could change anything). Sluice's own calls to the local Slack carry
 * no Origin. `localhost` is the same address, for a person who types it.
 */
function sandboxOnly(own: URL): (route: CustomRoute) => CustomRoute {
  const hosts = new Set([own.host, `localhost:${own.port}`]);
  const origins = new Set([...hosts].map((host) => `${own.protocol}//${host}`));
  return (route) => ({
    ...route,
    handler: (req, res) => {
      const host = (req.headers.host ?? "").toLowerCase();
      const origin = req.headers.origin?.toLowerCase();
      if (!hosts.has(host)) return json(res, { error: `the sandbox answers only at ${own.host}` }, 403);
      if (origin !== undefined && !origins.has(origin)) return json(res, { error: "the sandbox answers only its own page" }, 403);
      route.handler(req, res);
    },
  });
}

function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * A JSON POST route of the page: the handler's result is the answer; a bad request answers 400 with the reason. Only
 * JSON is taken: a browser sends it from another site's page only after asking (CORS), which the sandbox never allows.
 */
function route(path: string, handler: (body: Record<string, unknown>) => Promise<Record<string, unknown>>): CustomRoute {
  return {
    path,
    method: ["POST"],
    handler: (req, res) => {
      if (mediaType(req) !== "application/json") return json(res, { error: "send JSON (content-type: application/json)" }, 415);
      void readBody(req, MAX_UPLOAD_BYTES)
        .then((raw) => handler(JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>))
        .then((answer) => json(res, answer))
        .catch((error: Error) => json(res, { error: error.message }, error instanceof SandboxRequestError || error instanceof SyntaxError ? 400 : 500));
    },
  };
}

/** Slack shows a slash command's (or a click's) acknowledgement body; a failed request shows Slack's own error. */
function showAcknowledgement(local: LocalSlack, context: ResponseContext, reply: SignedResponse): void {
  if (reply.status !== 200) {
    local.showResponse(context, { text: `/db failed with the error "dispatch_failed" (Sluice answered HTTP ${reply.status})` });
    return;
  }
  const body = parseJson(reply.body);
  if (Object.keys(body).length > 0) local.showResponse(context, body);
}

function values(body: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return (body.values ?? {}) as Record<string, Record<string, unknown>>;
}

function parseJson(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    // Bolt acknowledges with an empty body or plain text: nothing to show.
    return {};
  }
}

function messageForPage(message: LocalMessage, local: LocalSlack): Record<string, unknown> {
  return {
    ts: message.ts,
    threadTs: message.threadTs ?? null,
    user: message.user,
    text: message.text,
    blocks: message.blocks,
    ephemeral: Boolean(message.visibleTo),
    edited: message.edited,
    replies: message.threadTs ? 0 : local.thread(message.channel, message.ts).filter((m) => !m.visibleTo).length,
    files: message.files.map(fileForPage),
  };
}

function fileForPage(file: LocalFile): Record<string, unknown> {
  const preview = file.content.subarray(0, FILE_PREVIEW_BYTES);
  const binary = preview.includes(0);
  return {
    id: file.id,
    name: file.name,
    title: file.title,
    size: file.content.length,
    preview: binary ? null : preview.toString("utf8"),
    truncated: file.content.length > FILE_PREVIEW_BYTES,
    url: `/sandbox/files/${file.id}`,
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

function json(res: ServerResponse, value: unknown, status = 200): void {
  send(res, status, "application/json", JSON.stringify(value));
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new SandboxRequestError(`request larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
