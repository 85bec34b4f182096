// The transport of Sluice's Slack Web API clients (their `fetch` option): node:http(s) with keep-alive connections.
// Node 20's fetch spends two to three times the CPU of http.request on a call the size of views.open (measured here:
// 0.42–0.65 against 0.17–0.31 ms), and the calls handlers make after their ack share the event loop that has to
// acknowledge the next request. Anything but a string body (file uploads) goes through the platform's fetch.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });
/** Statuses whose response has no body (the Response constructor refuses one). */
const NO_BODY = new Set([204, 205, 304]);

function isPlainHeaders(headers: RequestInit["headers"]): headers is Record<string, string> | undefined {
  return headers === undefined || (typeof headers === "object" && !(headers instanceof Headers) && !Array.isArray(headers));
}

function toResponse(res: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 502;
  const bytes = new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
  return new Response(NO_BODY.has(status) ? null : bytes, { status, statusText: res.statusMessage, headers });
}

export const slackFetch: typeof fetch = (input, init) => {
  const headers = init?.headers;
  if ((init?.body != null && typeof init.body !== "string") || !isPlainHeaders(headers) || input instanceof Request) {
    return fetch(input, init);
  }
  const url = new URL(String(input));
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<Response>((resolve, reject) => {
    const req = request(
      url,
      { method: init?.method ?? "GET", headers, agent: url.protocol === "https:" ? httpsAgent : httpAgent, signal: init?.signal ?? undefined },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve(toResponse(res, Buffer.concat(chunks))));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(init?.body ?? undefined);
  });
};

/** Options for every Web API client Sluice makes (Bolt's and the background one): this transport, and the API's URL. */
export function webClientOptions(apiUrl: string | undefined): { fetch: typeof fetch; slackApiUrl?: string } {
  return { fetch: slackFetch, ...(apiUrl ? { slackApiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/` } : {}) };
}
