// The sandbox's HTTP routes, mounted on Sluice's own port: the local Web API under /sandbox, and the page.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import type { LocalSlack } from "./local-slack.ts";
import { sandboxPage } from "./page.ts";
import { SlackRequestSender } from "./slack-requests.ts";

export interface SandboxRouteOptions {
  eventsUrl: string;
  signingSecret: string;
}

export function sandboxRoutes(local: LocalSlack, options: SandboxRouteOptions): CustomRoute[] {
  const sender = new SlackRequestSender(options.eventsUrl, options.signingSecret, () => local.responseUrl());
  const passToLocalSlack = (req: IncomingMessage, res: ServerResponse) => void local.handle(req, res, "/sandbox");
  const json = (res: ServerResponse, value: unknown, status = 200) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  return [
    { path: "/sandbox", method: ["GET"], handler: (_req, res) => { res.writeHead(200, { "content-type": "text/html; charset=utf-8" }); res.end(sandboxPage()); } },
    { path: "/sandbox/api/:method", method: ["POST"], handler: passToLocalSlack },
    { path: "/sandbox/upload/:id", method: ["POST"], handler: passToLocalSlack },
    { path: "/sandbox/files/:id", method: ["GET"], handler: passToLocalSlack },
    { path: "/sandbox/respond/:token", method: ["POST"], handler: passToLocalSlack },
    {
      path: "/sandbox/state",
      method: ["GET"],
      handler: (_req, res) => json(res, { messages: local.messages, views: local.views, responses: local.responses }),
    },
    {
      path: "/sandbox/command",
      method: ["POST"],
      handler: (req, res) => {
        void readJson(req).then(async (body) => {
          const reply = await sender.command(String(body.text ?? ""), { id: String(body.user ?? "UDEVELOPER") }, String(body.channel ?? "CSANDBOX"));
          json(res, { status: reply.status, body: reply.body });
        }).catch((error: Error) => json(res, { error: error.message }, 400));
      },
    },
  ];
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
}
