// Sluice's Bolt receiver over HTTP. The acknowledgement thread (ack-server.ts) owns the port and answers Slack; this
// side hands each request the thread passes on to Bolt, sends back the answers the thread waits for, and serves the
// other routes (/healthz, the sandbox's) on loopback for the thread to pass them to.
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import bolt from "@slack/bolt";
import type { App, CustomRoute, Logger as BoltLogger, Receiver } from "@slack/bolt";
import type { Logger } from "../../logger.ts";
import { slackFetch } from "../web-api-fetch.ts";
import { afterAcknowledgements } from "./acknowledgements-first.ts";
import type { AckServerSettings, FromAckServer, SlackRequest, ToAckServer } from "./messages.ts";

const { HTTPReceiver, ReceiverMultipleAckError } = bolt;

/** The thread's entry beside this file, run as this file is: .ts under tsx, .js once compiled to dist/. */
const ACK_SERVER = new URL(`./ack-server${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * Starts the acknowledgement thread. Under tsx (tests, benchmarks) its entry is TypeScript, and Node 20 does not run
 * the `--import tsx` a worker inherits, so the thread registers tsx itself before loading it.
 */
function startAckThread(settings: AckServerSettings): Worker {
  if (!ACK_SERVER.pathname.endsWith(".ts")) return new Worker(ACK_SERVER, { workerData: settings });
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const loadEntry = `import(${tsx}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(ACK_SERVER.href)}))`;
  return new Worker(loadEntry, { eval: true, workerData: settings });
}
/** Slack gives up after 3 s: a modal Sluice has not answered by then is acknowledged empty rather than left to fail. */
const RESPONSE_TIMEOUT_MS = 2500;
/** How long after the thread died it is started again (a thread that dies at once must not spin). */
const RESPAWN_DELAY_MS = 200;
/** How long stop() lets handlers already acknowledged finish their work before the store and Slack go away. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface ThreadReceiverOptions {
  signingSecret: string;
  bodyLimitBytes: number;
  customRoutes: CustomRoute[];
  logger: Logger;
  /** Bolt's logger, for the server of the other routes. */
  boltLogger: BoltLogger;
}

/** What a handler may give Bolt's ack(). */
type Acknowledgement = string | Record<string, unknown> | undefined;

export class ThreadReceiver implements Receiver {
  private app?: App;
  private thread?: Worker;
  private threadExited?: Promise<void>;
  private threadClosed?: () => void;
  private stopping = false;
  /** What the thread was started with, and the port it bound: a thread that dies is started again with them. */
  private settings?: AckServerSettings;
  private respawn?: NodeJS.Timeout;
  /** The acknowledgement thread's id in the operating system (Linux), once it listens. */
  private osThreadId?: number;
  private readonly routes: InstanceType<typeof HTTPReceiver>;
  private readonly handling = new Set<Promise<void>>();
  /** The acknowledgement thread's count of requests it has not yet answered or passed on (acknowledgements-first.ts). */
  private readonly unanswered = new Int32Array(new SharedArrayBuffer(4));
  private readonly log: Logger;

  constructor(private readonly options: ThreadReceiverOptions) {
    this.log = options.logger.child({ component: "slack-receiver" });
    // Bolt's own receiver serves the other routes, so they match as they always have (path parameters and all).
    // It has no Slack endpoint: Slack's requests are the thread's.
    this.routes = new HTTPReceiver({ signingSecret: "", signatureVerification: false, endpoints: [], customRoutes: options.customRoutes, logger: options.boltLogger });
  }

  init(app: App): void {
    this.app = app;
  }

  /** Listens on `port` (0: any free one); resolves with the port bound. */
  async start(port: number, host: string): Promise<number> {
    const routes = await this.routes.start({ port: 0, host: "127.0.0.1" });
    const settings: AckServerSettings = {
      port,
      host,
      signingSecret: this.options.signingSecret,
      bodyLimitBytes: this.options.bodyLimitBytes,
      routesPort: (routes.address() as AddressInfo).port,
      responseTimeoutMs: RESPONSE_TIMEOUT_MS,
      unanswered: this.unanswered.buffer as SharedArrayBuffer,
    };
    try {
      const bound = await this.spawn(settings);
      // A thread that dies is started again on the port it had: without it, nothing answers Slack.
      this.settings = { ...settings, port: bound };
      return bound;
    } catch (error) {
      await this.routes.stop();
      throw error;
    }
  }

  /** Starts the acknowledgement thread and resolves with the port it listens on. */
  private async spawn(settings: AckServerSettings): Promise<number> {
    // A thread that died mid-request left its count behind.
    Atomics.store(this.unanswered, 0, 0);
    const thread = startAckThread(settings);
    this.thread = thread;
    this.threadExited = new Promise((resolve) => thread.once("exit", () => resolve()));
    const bound = await new Promise<number>((resolve, reject) => {
      thread.on("message", (message: FromAckServer) => {
        if (message.type !== "listening") return this.receive(message);
        this.osThreadId = message.threadId;
        resolve(message.port);
      });
      thread.once("error", reject);
      thread.once("exit", (code) => reject(new Error(`the acknowledgement thread exited (code ${code}) before listening`)));
    });
    thread.on("error", (error) => this.log.error({ err: error }, "the acknowledgement thread failed"));
    thread.on("exit", (code) => {
      if (this.stopping) return;
      this.log.error({ code }, "the acknowledgement thread exited; starting it again");
      this.respawn = setTimeout(() => {
        if (this.stopping || !this.settings) return;
        this.spawn(this.settings).catch((error: unknown) => this.log.error({ err: error }, "the acknowledgement thread could not be started again: Slack's requests go unanswered"));
      }, RESPAWN_DELAY_MS);
    });
    return bound;
  }

  /**
   * The acknowledgement thread's id in the operating system (Linux only), so an operator can give it a core of its
   * own (`taskset -p`) or more priority (`renice`, `chrt`) on a busy host; a thread started again gets a new one.
   */
  acknowledgementThreadId(): number | undefined {
    return this.osThreadId;
  }

  /**
   * Stops taking requests (the thread closes the port first), then waits for the work of those already acknowledged:
   * a user who got a 200 is owed its answer, and work cut off would fail against a closed store and retry its Slack
   * calls for half an hour.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.respawn);
    if (this.thread) {
      const closed = new Promise<void>((resolve) => (this.threadClosed = resolve));
      this.send({ type: "close" });
      await Promise.race([closed, this.threadExited]);
      await this.thread.terminate();
    }
    await this.routes.stop();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)));
    await Promise.race([Promise.allSettled([...this.handling]), timeout]);
    clearTimeout(timer);
  }

  private send(message: ToAckServer): void {
    this.thread?.postMessage(message);
  }

  private receive(message: Exclude<FromAckServer, { type: "listening" }>): void {
    switch (message.type) {
      case "request":
        return this.handle(message);
      case "log":
        return this.log[message.level](message.message);
      case "closed":
        return this.threadClosed?.();
    }
  }

  private handle(request: SlackRequest): void {
    if (!this.app) throw new Error("the receiver was started before Bolt's App was built");
    let acknowledged = false;
    const ack = async (response?: Acknowledgement) => {
      if (acknowledged) throw new ReceiverMultipleAckError();
      acknowledged = true;
      if (request.awaitsResponse) this.send({ type: "response", id: request.id, status: 200, body: response || undefined });
      else if (response) await this.sendAfterTheFact(request.body, response);
    };
    const { body, retryNum, retryReason } = request;
    const app = this.app;
    // Answered already: its work lets the acknowledgements still under way go first. A request waiting for Sluice's
    // answer is an acknowledgement itself, and goes on at once.
    const ready = request.awaitsResponse ? Promise.resolve() : afterAcknowledgements(this.unanswered);
    const handled = ready.then(() => app.processEvent({ body, ack, retryNum, retryReason, customProperties: {} })).catch(() => {
      // Bolt has logged the error. A request still waiting is answered as Bolt's HTTP receiver answers it.
      if (!request.awaitsResponse || acknowledged) return;
      acknowledged = true;
      this.send({ type: "response", id: request.id, status: 500 });
    });
    this.handling.add(handled);
    void handled.finally(() => this.handling.delete(handled));
  }

  /**
   * A slash command's acknowledgement with content (`/db help` answers in it) comes after the thread has answered
   * the command, so it goes to the command's response_url, which Slack shows the same way. Slack reads nothing in
   * the acknowledgement of the other payloads answered at once.
   */
  private async sendAfterTheFact(body: Record<string, unknown>, response: string | Record<string, unknown>): Promise<void> {
    const command = body.command;
    if (typeof command !== "string" || typeof body.response_url !== "string") return;
    const message = typeof response === "string" ? { text: response } : response;
    try {
      const answer = await slackFetch(body.response_url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(message) });
      if (!answer.ok) throw new Error(`Slack answered HTTP ${answer.status}`);
    } catch (error) {
      this.log.error({ err: error, command }, "could not send the command's acknowledgement to its response_url");
    }
  }
}
