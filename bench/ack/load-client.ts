// The load generator of the acknowledgement bench, in its own process so it does not share an event loop with the
// app it measures: sends signed Slack payloads at a fixed concurrency and prints each request's time to its answer.
import { signature } from "../../src/sandbox/slack-requests.ts";

export interface LoadPlan {
  url: string;
  signingSecret: string;
  /** Form-encoded bodies, sent in turn. */
  bodies: string[];
  concurrency: number;
  requests: number;
  warmup: number;
  /** Pause after each answer, so the app's work after the ack is done before the next request (0: none). */
  gapMs: number;
}

export interface LoadResult {
  latenciesMs: number[];
  statuses: Record<string, number>;
}

async function send(plan: LoadPlan, body: string): Promise<{ ms: number; status: number }> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(plan.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature(plan.signingSecret, timestamp, body),
    },
    body,
  });
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status };
}

async function drive(plan: LoadPlan, total: number, record: boolean, result: LoadResult): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const body = plan.bodies[next++ % plan.bodies.length]!;
      const { ms, status } = await send(plan, body);
      if (plan.gapMs > 0) await new Promise((resolve) => setTimeout(resolve, plan.gapMs));
      if (!record) continue;
      result.latenciesMs.push(ms);
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const plan = JSON.parse(await readStdin()) as LoadPlan;
const result: LoadResult = { latenciesMs: [], statuses: {} };
await drive(plan, plan.warmup, false, result);
await drive(plan, plan.requests, true, result);
process.stdout.write(JSON.stringify(result));
