// The acknowledgement thread: it owns Sluice's HTTP port, so Slack's requests are verified and answered here and
// never wait behind the work of Sluice's main thread (store queries, blocks, Web API calls). A request whose answer
// carries nothing is answered 200 at once, then passed on; one whose answer may carry content (a modal's errors, a
// select's options) waits for the main thread's. Every other route is passed to the main thread's own server.
// Started as a worker thread by thread-receiver.ts; messages.ts is what the two say to each other.
import { readlinkSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import type { AckServerSettings, FromAckServer, LogLevel, SlackResponse, ToAckServer } from "./messages.ts";
import { routeProxy } from "./route-proxy.ts";
import { isAnsweredAtOnce, isSslCheck, parseBody, readBody, RejectedRequest, retryOf, verifySignature } from "./slack-request.ts";

const EVENTS_PATH = "/slack/events";

const settings = workerData as AckServerSettings;
const mainThread = parentPort!;
const unanswered = new Int32Array(settings.unanswered);
/** Requests waiting for the main thread's answer, by id. */
const waiting = new Map<number, { res: ServerResponse; timer: NodeJS.Timeout; type: string }>();
let lastId = 0;

function tell(message: FromAckServer): void {
  mainThread.postMessage(message);
}

function log(level: LogLevel, message: string): void {
  tell({ type: "log", level, message });
}

/** Writes an answer as Bolt would: no body, text, or JSON. */
function answer(res: ServerResponse, status: number, body?: string | Record<string, unknown>): void {
  if (body === undefined || body === "") {
    res.writeHead(status).end();
  } else if (typeof body === "string") {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body);
  } else {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }
}

function awaitResponse(id: number, res: ServerResponse, type: string): void {
  const timer = setTimeout(() => {
    waiting.delete(id);
    log("warn", `Sluice did not answer a ${type} within ${settings.responseTimeoutMs} ms; it was acknowledged with an empty 200`);
    answer(res, 200);
  }, settings.responseTimeoutMs);
  waiting.set(id, { res, timer, type });
  // Answered, or Slack gave up on it: either way nothing is left to wait for.
  res.on("close", () => {
    clearTimeout(timer);
    waiting.delete(id);
  });
}

function respond(response: SlackResponse): void {
  const request = waiting.get(response.id);
  if (!request) return;
  waiting.delete(response.id);
  clearTimeout(request.timer);
  answer(request.res, response.status, response.body);
}

async function handleSlackRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: Record<string, unknown>;
  try {
    const raw = await readBody(req, settings.bodyLimitBytes);
    if (isSslCheck(req.headers, raw)) return answer(res, 200);
    verifySignature(settings.signingSecret, req.headers, raw);
    body = parseBody(req.headers, raw);
  } catch (error) {
    if (!(error instanceof RejectedRequest)) throw error;
    log("warn", `Rejected a request to ${EVENTS_PATH} with ${error.status}: ${error.message}`);
    return answer(res, error.status);
  }
  if (body.type === "url_verification") return answer(res, 200, { challenge: body.challenge as string });
  const id = ++lastId;
  const awaitsResponse = !isAnsweredAtOnce(body);
  if (awaitsResponse) awaitResponse(id, res, String(body.type));
  else answer(res, 200);
  tell({ type: "request", id, body, ...retryOf(req.headers), awaitsResponse });
}

const passToMainThread = routeProxy(settings.routesPort);

const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== EVENTS_PATH || req.method !== "POST") return passToMainThread(req, res);
  Atomics.add(unanswered, 0, 1);
  handleSlackRequest(req, res)
    .catch((error: unknown) => {
      // Mostly a client that went away mid-body: nothing of Sluice's failed.
      log("warn", `A request to ${EVENTS_PATH} failed: ${(error as Error).message}`);
      if (!res.headersSent) answer(res, 500);
      else res.end();
    })
    .finally(() => {
      // Answered, or passed to the main thread to answer: the main thread's work need not wait for it.
      if (Atomics.sub(unanswered, 0, 1) === 1) Atomics.notify(unanswered, 0);
    });
});

/** Stops taking connections; the requests on open ones are answered (those waiting, within their timeout). */
function close(): void {
  server.close(() => tell({ type: "closed" }));
  setTimeout(() => server.closeAllConnections(), settings.responseTimeoutMs + 500).unref();
}

mainThread.on("message", (message: ToAckServer) => {
  if (message.type === "response") respond(message);
  else close();
});

/** This thread's id in the operating system: Linux names it in /proc/thread-self (`<pid>/task/<tid>`). */
function osThreadId(): number | undefined {
  try {
    const id = Number(readlinkSync("/proc/thread-self").split("/").pop());
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

// An error before listening (the port is taken) ends the thread, and the main thread's start() with it.
server.on("error", (error) => {
  throw error;
});
server.listen(settings.port, settings.host, () => tell({ type: "listening", port: (server.address() as AddressInfo).port, threadId: osThreadId() }));
