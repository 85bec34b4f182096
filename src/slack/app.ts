// Builds the Bolt app: HTTP receiver (or Socket Mode), /healthz, and every listener.
import type { IncomingMessage, ServerResponse } from "node:http";
import bolt from "@slack/bolt";
import type { App as BoltApp, CustomRoute, Logger as BoltLogger } from "@slack/bolt";
import type { HealthCheck } from "../health/health.ts";
import type { Logger } from "../logger.ts";
import { ThreadReceiver } from "./ack-thread/thread-receiver.ts";
import { registerListeners } from "./listeners.ts";
import type { SluiceServices } from "./services.ts";
import { webClientOptions } from "./web-api-fetch.ts";

const { App, LogLevel } = bolt;

export interface SlackAppOptions {
  botToken: string;
  signingSecret: string;
  appToken?: string;
  apiUrl?: string;
  /** Bot user id, when known up front (the sandbox), so Bolt need not ask auth.test. */
  botUserId?: string;
  extraRoutes?: CustomRoute[];
  health: HealthCheck;
  /** HTTP port; in Socket Mode only /healthz and the other custom routes listen on it. */
  port: number;
  /** Largest request body accepted at /slack/events. */
  bodyLimitBytes?: number;
}

export interface SlackApp {
  app: BoltApp;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  start(port: number, host?: string): Promise<number>;
  stop(): Promise<void>;
  /** The Linux thread id of the thread that acknowledges Slack's requests (HTTP mode on Linux only). */
  acknowledgementThreadId(): number | undefined;
}

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: "bolt" });
  let level = LogLevel.INFO;
  // Bolt logs at debug level on every request: build the line only when the level is on.
  const at = (method: "debug" | "info" | "warn" | "error") => (...msg: unknown[]) => {
    if (child.isLevelEnabled(method)) child[method](msg.map(String).join(" "));
  };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function healthRoute(health: HealthCheck, logger: Logger): CustomRoute {
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  return {
    path: "/healthz",
    method: ["GET"],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      health.report().then(
        (report) => answer(res, report.status === "down" ? 503 : 200, report),
        (error: unknown) => {
          logger.error({ err: error }, "the health probe failed");
          answer(res, 503, { status: "down" });
        },
      );
    },
  };
}

export function createSlackApp(services: SluiceServices, options: SlackAppOptions): SlackApp {
  const logger = boltLogger(services.logger);
  const customRoutes = [healthRoute(options.health, services.logger), ...(options.extraRoutes ?? [])];
  const clientOptions = webClientOptions(options.apiUrl);
  const botIdentity = options.botUserId ? { botUserId: options.botUserId, botId: options.botUserId, tokenVerificationEnabled: false } : {};
  // Sluice keeps no per-conversation state; Bolt's default store would look one up (and throw "not found") before every ack.
  const boltOptions = { logger, clientOptions, convoStore: false as const, ...botIdentity };

  if (options.appToken) {
    const app = new App({
      token: options.botToken,
      appToken: options.appToken,
      socketMode: true,
      customRoutes,
      // In Socket Mode, /healthz (and any other route) is served by the receiver's own HTTP server on this port.
      installerOptions: { port: options.port },
      ...boltOptions,
    });
    registerListeners(app, services);
    return {
      app,
      start: async (port) => {
        await app.start();
        return port;
      },
      stop: () => app.stop().then(() => undefined),
      acknowledgementThreadId: () => undefined,
    };
  }

  // Slack's requests are verified and acknowledged on a thread of their own (see ack-thread/), so an acknowledgement
  // never waits behind the work handlers do after theirs.
  const receiver = new ThreadReceiver({
    signingSecret: options.signingSecret,
    bodyLimitBytes: options.bodyLimitBytes ?? 1_048_576,
    customRoutes,
    logger: services.logger,
    boltLogger: logger,
  });
  const app = new App({ token: options.botToken, receiver, ...boltOptions });
  registerListeners(app, services);
  return {
    app,
    start: (port, host) => receiver.start(port, host ?? "0.0.0.0"),
    // It waits for the work of requests already acknowledged.
    stop: () => receiver.stop(),
    acknowledgementThreadId: () => receiver.acknowledgementThreadId(),
  };
}
