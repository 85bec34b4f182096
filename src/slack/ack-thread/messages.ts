// What the acknowledgement thread (ack-server.ts) and Sluice's main thread (thread-receiver.ts) say to each other.

/** What the acknowledgement thread is started with (its workerData). */
export interface AckServerSettings {
  port: number;
  host: string;
  signingSecret: string;
  /** Largest request body accepted at /slack/events; a larger one is answered 413. */
  bodyLimitBytes: number;
  /** The loopback port where the main thread serves every other route (/healthz, the sandbox's). */
  routesPort: number;
  /** How long a request whose answer may carry content waits for the main thread before it is answered empty. */
  responseTimeoutMs: number;
  /**
   * One Int32 both threads see: how many of Slack's requests the thread has begun to read and not yet answered or
   * passed on. The main thread lets these go first (acknowledgements-first.ts).
   */
  unanswered: SharedArrayBuffer;
}

/** A request from Slack, verified and parsed, for Bolt to handle. */
export interface SlackRequest {
  type: "request";
  id: number;
  body: Record<string, unknown>;
  retryNum?: number;
  retryReason?: string;
  /** The acknowledgement thread waits for the main thread's answer (it may carry content); otherwise it has answered. */
  awaitsResponse: boolean;
}

export type LogLevel = "info" | "warn" | "error";

/** From the acknowledgement thread to the main thread. */
export type FromAckServer =
  /** `threadId`: the thread's id in the operating system (Linux), for pinning or prioritizing it; absent elsewhere. */
  | { type: "listening"; port: number; threadId?: number }
  | SlackRequest
  | { type: "log"; level: LogLevel; message: string }
  /** The port is closed and every request on it answered. */
  | { type: "closed" };

/** The answer to a request that waits for one: what Bolt's ack() was given (nothing, a string or a JSON object). */
export interface SlackResponse {
  type: "response";
  id: number;
  status: number;
  body?: string | Record<string, unknown>;
}

/** From the main thread to the acknowledgement thread. */
export type ToAckServer = SlackResponse | { type: "close" };
