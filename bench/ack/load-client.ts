// The load generator of the acknowledgement bench, in its own process so it does not share an event loop with the
// app it measures: sends signed Slack payloads (node:http, keep-alive) and prints each request's time to its answer.
// Two shapes of load: a closed loop (`concurrency` clients, each sending its next request as soon as it has an
// answer), and bursts (`concurrency` requests sent at once, then nothing until the app's work after them is done).
import http from "node:http";
import { signature } from "../../src/sandbox/slack-requests.ts";
import { jsonFromStdin } from "../support/child.ts";
import { pin } from "../support/cpu-pinning.ts";

export interface LoadPlan {
  url: string;
  signingSecret: string;
  /** Form-encoded bodies, sent in turn. */
  bodies: string[];
  concurrency: number;
  requests: number;
  warmup: number;
  /** Pause after each answer (closed loop) or after each burst, so the app's work after the ack is done (0: none). */
  gapMs: number;
  /** CPUs this load generator runs on (a taskset list), when the round pins its side to a core. */
  cpus?: string;
  /** Bursts instead of a closed loop. */
  bursts?: {
    /**
     * Answers how many follow-up calls the app has made (the local Slack Web API's count); after each burst the
     * next waits until it has grown by one per request sent. Absent for an app that does nothing after its acks.
     */
    followUpsUrl?: string;
  };
}

export interface LoadResult {
  latenciesMs: number[];
  statuses: Record<string, number>;
  /** CPU this load generator used while recording (user + system, ms). */
  cpuMs: number;
}

/**
 * Node's own HTTP client with keep-alive: the load generator shares the machine's 2 cores with the app it measures,
 * and `fetch` cost it about twice the CPU per request.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function send(plan: LoadPlan, body: string): Promise<{ ms: number; status: number }> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      plan.url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": signature(plan.signingSecret, timestamp, body),
        },
      },
      (response) => {
        response.resume();
        response.once("end", () => resolve({ ms: performance.now() - started, status: response.statusCode ?? 0 }));
        response.once("error", reject);
      },
    );
    request.once("error", reject);
    request.end(body);
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function record(result: LoadResult, answer: { ms: number; status: number }): void {
  result.latenciesMs.push(answer.ms);
  result.statuses[answer.status] = (result.statuses[answer.status] ?? 0) + 1;
}

async function closedLoop(plan: LoadPlan, total: number, result?: LoadResult): Promise<void> {
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < total) {
      const answer = await send(plan, plan.bodies[next++ % plan.bodies.length]!);
      if (plan.gapMs > 0) await pause(plan.gapMs);
      if (result) record(result, answer);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, client));
}

async function followUps(url: string): Promise<number> {
  return Number(await (await fetch(url)).text());
}

async function bursts(plan: LoadPlan, total: number, result?: LoadResult): Promise<void> {
  const url = plan.bursts?.followUpsUrl;
  let done = url ? await followUps(url) : 0;
  for (let sent = 0; sent < total; sent += plan.concurrency) {
    const size = Math.min(plan.concurrency, total - sent);
    const answers = await Promise.all(Array.from({ length: size }, (_, i) => send(plan, plan.bodies[(sent + i) % plan.bodies.length]!)));
    if (result) for (const answer of answers) record(result, answer);
    if (url) {
      const deadline = Date.now() + 30_000;
      while ((await followUps(url)) < done + size) {
        if (Date.now() > deadline) throw new Error(`the app's work after a burst of ${size} was not done after 30 s`);
        await pause(5);
      }
      done += size;
    }
    await pause(plan.gapMs);
  }
}

const plan = await jsonFromStdin<LoadPlan>();
if (plan.cpus) pin([{ target: { id: process.pid, allThreads: true }, cpus: plan.cpus }]);
const drive = plan.bursts ? bursts : closedLoop;
await drive(plan, plan.warmup);
const result: LoadResult = { latenciesMs: [], statuses: {}, cpuMs: 0 };
const cpu = process.cpuUsage();
await drive(plan, plan.requests, result);
const used = process.cpuUsage(cpu);
result.cpuMs = (used.user + used.system) / 1000;
process.stdout.write(JSON.stringify(result));
