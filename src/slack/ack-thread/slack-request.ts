// What the acknowledgement thread checks of a request to /slack/events before anything acts on it: its size, its
// signature (Slack's v0 scheme: an HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret), its body, and
// whether Slack reads anything in the answer to it.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { parse as parseQuery } from "node:querystring";

/** A request refused, with the status it is answered and the reason the log is given (never the secret). */
export class RejectedRequest extends Error {
  constructor(
    readonly status: 400 | 401 | 413,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How far a request's timestamp may be from now, either way: Slack's limit on its age, against replays. A timestamp in
 * the future is refused as well, or a request signed ahead of time (a leaked signature) would be replayable until then.
 */
const MAX_SKEW_SECONDS = 5 * 60;
const FORM = "application/x-www-form-urlencoded";

/**
 * Payloads whose acknowledgement Slack reads nothing from, so they are answered before Sluice sees them: buttons,
 * events, shortcuts, a closed modal. A slash command's acknowledgement may carry a message, but one sent to its
 * response_url shows the same (thread-receiver.ts sends it there). Anything else (a modal's submission, whose answer
 * may hold its errors or its next view; a select's options) waits for Sluice's answer.
 */
const ANSWERED_AT_ONCE = new Set(["block_actions", "event_callback", "app_rate_limited", "shortcut", "message_action", "view_closed"]);

export function isAnsweredAtOnce(body: Record<string, unknown>): boolean {
  return typeof body.command === "string" || ANSWERED_AT_ONCE.has(String(body.type));
}

function tooLarge(limit: number): RejectedRequest {
  return new RejectedRequest(413, `Request body exceeded the maximum allowed size (limit: ${limit} bytes)`);
}

/**
 * Reads the body, refusing one over `limit` bytes as soon as it is known to be. The rest of a refused body is read
 * and dropped, not cut off, so the client gets to read its 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"]) > limit) {
      req.resume();
      return reject(tooLarge(limit));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData).off("end", onEnd).resume();
      reject(tooLarge(limit));
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on("data", onData).on("end", onEnd).on("error", reject);
  });
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function mediaType(headers: IncomingHttpHeaders): string {
  return (header(headers, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Slack's check that the endpoint answers over TLS: form field `ssl_check=1`, unsigned, answered 200. */
export function isSslCheck(headers: IncomingHttpHeaders, raw: Buffer): boolean {
  return mediaType(headers) === FORM && parseQuery(raw.toString("utf8")).ssl_check === "1";
}

/** Slack's v0 signature of a request body sent at `timestamp` (seconds). */
export function slackSignature(signingSecret: string, timestamp: number, body: string | Buffer): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:`).update(body).digest("hex")}`;
}

/** Throws a 401 unless the request was signed with `signingSecret` within five minutes of now. */
export function verifySignature(signingSecret: string, headers: IncomingHttpHeaders, raw: Buffer, nowMs = Date.now()): void {
  const signature = header(headers, "x-slack-signature");
  const timestamp = Number(header(headers, "x-slack-request-timestamp"));
  if (!signature || !Number.isInteger(timestamp)) throw new RejectedRequest(401, "Failed to verify authenticity: no x-slack-signature or x-slack-request-timestamp header");
  const ageSeconds = Math.floor(nowMs / 1000) - timestamp;
  if (ageSeconds > MAX_SKEW_SECONDS) {
    throw new RejectedRequest(401, "Failed to verify authenticity: x-slack-request-timestamp is more than 5 minutes old, the request is stale");
  }
  if (ageSeconds < -MAX_SKEW_SECONDS) {
    throw new RejectedRequest(401, "Failed to verify authenticity: x-slack-request-timestamp is more than 5 minutes in the future");
  }
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, raw));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new RejectedRequest(401, "Failed to verify authenticity: signature mismatch");
}

/** The body as Bolt takes it: an interactivity `payload`'s JSON, a slash command's form fields, or an event's JSON. */
export function parseBody(headers: IncomingHttpHeaders, raw: Buffer): Record<string, unknown> {
  const text = raw.toString("utf8");
  let body: unknown;
  try {
    if (mediaType(headers) === FORM) {
      const fields = parseQuery(text);
      body = typeof fields.payload === "string" ? JSON.parse(fields.payload) : { ...fields };
    } else {
      body = JSON.parse(text);
    }
  } catch {
    // The parser's own message quotes the body, which may hold a verification token: it is not logged.
    throw new RejectedRequest(400, "Malformed request body: the JSON does not parse");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new RejectedRequest(400, "Malformed request body: not a JSON object");
  return body as Record<string, unknown>;
}

/** Slack's X-Slack-Retry-Num and X-Slack-Retry-Reason, for Bolt's retry-aware listeners. */
export function retryOf(headers: IncomingHttpHeaders): { retryNum?: number; retryReason?: string } {
  const num = header(headers, "x-slack-retry-num");
  const reason = header(headers, "x-slack-retry-reason");
  return { ...(num !== undefined ? { retryNum: Number.parseInt(num, 10) } : {}), ...(reason !== undefined ? { retryReason: reason } : {}) };
}
