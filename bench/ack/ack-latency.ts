// Slack acknowledgement latency: time to HTTP 200 for signed `/db change` commands and button clicks at 1, 10 and
// 50 concurrent requests, against the real Sluice and against a bare Bolt app that only acks the same payloads.
import { fileURLToPath } from "node:url";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import { APPROVER, CHANNEL, DEVELOPER } from "../../test/support/changes.ts";
import { createPostgresDatabase, dropPostgresDatabase, ensurePostgres } from "../../test/support/servers.ts";
import { eventually } from "../../test/support/sluice.ts";
import { runTsChild } from "../support/child.ts";
import { ms, percentile, ratio } from "../support/stats.ts";
import { startBareApp } from "./bare-app.ts";
import { startBenchSluice, type BenchSluice } from "./bench-sluice.ts";
import type { LoadPlan, LoadResult } from "./load-client.ts";

const LOAD_CLIENT = fileURLToPath(new URL("./load-client.ts", import.meta.url));
/** Closed-loop rounds, and one "isolated" round: one request at a time with a pause, so no earlier work competes. */
const ROUNDS = [
  { label: "1, paced", concurrency: 1, requests: 150, gapMs: 30 },
  { label: "1", concurrency: 1, requests: 300, gapMs: 0 },
  { label: "10", concurrency: 10, requests: 600, gapMs: 0 },
  { label: "50", concurrency: 50, requests: 1000, gapMs: 0 },
];
type Round = (typeof ROUNDS)[number];
const SLACK_DEADLINE_MS = 3000;

interface Payload {
  name: string;
  /** The Web API call Sluice makes after the ack, counted to know its work is finished. */
  followUp: string;
  body: () => string;
}

interface Measured {
  payload: string;
  round: string;
  requests: number;
  bare: { p50: number; p99: number; max: number };
  sluice: { p50: number; p99: number; max: number };
  /** How long after its last ack Sluice's work after the acks (the follow-up calls) was all done. */
  followUpsDoneMs: number;
}

const warmupOf = (round: Round): number => Math.max(20, round.concurrency * 2);

async function load(url: string, signingSecret: string, payload: Payload, round: Round): Promise<LoadResult> {
  const plan: LoadPlan = {
    url,
    signingSecret,
    bodies: Array.from({ length: 20 }, () => payload.body()),
    concurrency: round.concurrency,
    requests: round.requests,
    warmup: warmupOf(round),
    gapMs: round.gapMs,
  };
  const { stdout } = await runTsChild(LOAD_CLIENT, [], JSON.stringify(plan));
  const result = JSON.parse(stdout) as LoadResult;
  const refused = Object.entries(result.statuses).filter(([status]) => status !== "200");
  if (refused.length > 0) throw new Error(`${payload.name} at ${round.label}: answers other than 200: ${JSON.stringify(result.statuses)}`);
  return result;
}

const summary = (result: LoadResult) => ({
  p50: percentile(result.latenciesMs, 50),
  p99: percentile(result.latenciesMs, 99),
  max: Math.max(...result.latenciesMs),
});

/** A change that is done, so an Approve click is answered "no longer applies" and View change opens its modal. */
async function doneChange(t: BenchSluice, database: string) {
  const { workflow } = t.sluice.services;
  const { change } = await workflow.submit({
    database,
    type: "schema",
    sql: "CREATE TABLE ack_bench (id INT PRIMARY KEY)",
    description: "acknowledgement bench",
    requesterId: DEVELOPER.id,
  });
  await workflow.idle();
  const stored = await t.sluice.services.changes.get(change.id);
  if (stored.status !== "done") throw new Error(`the bench change is ${stored.status}, not done`);
  return stored;
}

export async function runAckBench(): Promise<{ markdown: string }> {
  await ensurePostgres();
  const database = await createPostgresDatabase("ack_bench");
  const t = await startBenchSluice(database);
  const bare = await startBareApp({ signingSecret: t.signingSecret, botToken: "xoxb-test-token", apiUrl: t.slack.apiUrl });
  const measured: Measured[] = [];
  try {
    const change = await doneChange(t, database);
    const click = (actionId: string) => () =>
      t.send.buttonClickBody({ user: APPROVER, channel: CHANNEL, messageTs: change.slackTs ?? "0", actionId, value: String(change.id) });
    const payloads: Payload[] = [
      { name: "`/db change` (opens the modal)", followUp: "views.open", body: () => t.send.commandBody("change", DEVELOPER, CHANNEL) },
      { name: "Approve click on a done change", followUp: "chat.postEphemeral", body: click(CHANGE_ACTIONS.approve) },
      { name: "View change click (opens the detail modal)", followUp: "views.open", body: click(CHANGE_ACTIONS.view) },
    ];
    for (const payload of payloads) {
      for (const round of ROUNDS) {
        const before = await t.slack.callCount(payload.followUp);
        const bareResult = await load(bare.url, t.signingSecret, payload, round);
        const sluiceResult = await load(t.eventsUrl, t.signingSecret, payload, round);
        // The work after the ack must really happen (and finish before the next round starts).
        const expected = before + sluiceResult.latenciesMs.length + warmupOf(round);
        const lastAck = performance.now();
        await eventually(async () => (await t.slack.callCount(payload.followUp)) >= expected, 60_000, `${payload.followUp} after ${payload.name}`);
        const followUpsDoneMs = performance.now() - lastAck;
        measured.push({ payload: payload.name, round: round.label, requests: sluiceResult.latenciesMs.length, bare: summary(bareResult), sluice: summary(sluiceResult), followUpsDoneMs });
        console.error(`bench: ack ${payload.name} ×${round.label}: bare p99 ${ms(summary(bareResult).p99)} ms, Sluice p99 ${ms(summary(sluiceResult).p99)} ms`);
      }
    }
  } finally {
    await bare.stop();
    await t.stop();
    await dropPostgresDatabase(database);
  }
  const worst = Math.max(...measured.map((m) => m.sluice.max));
  const markdown = [
    "### Slack acknowledgement latency",
    "",
    "Time from sending a signed request to its HTTP 200, measured by a load generator in its own process (Node `fetch`, keep-alive).",
    "Sluice is the real one (`startSluice`, its HTTP receiver, store on the local PostgreSQL). The local Slack Web API it calls runs in",
    "its own process, as the real Slack is remote: its CPU and the memory of every call it records are not billed to Sluice's event loop;",
    "the reference is a bare Bolt `HTTPReceiver` app whose handlers only `ack()`, fed the very same payloads in the same run,",
    "just before Sluice. Sluice's work after the ack (opening the modal, the ephemeral answer) is checked to have happened.",
    "\"1, paced\" sends one request at a time with a 30 ms pause after each answer, so nothing Sluice does after an ack competes",
    "with the next request: it shows what happens before `ack()`. The other rounds are closed loops (the next request leaves as",
    "soon as an answer arrives), so Sluice's work after earlier acks runs while new requests come in. Sluice verifies and",
    "acknowledges requests on a thread of its own (`src/slack/ack-thread/`), so that work holds up no acknowledgement on an event",
    "loop, but it still takes CPU (Sluice's main thread, the store, the Web API process) beside the acknowledgement thread and the",
    "load generator. Where the main thread cannot keep up, part of that work is left for after the burst: the last column is how",
    "long after the load generator's last answer every follow-up call had been made (polled every 25 ms).",
    "",
    "| payload | concurrent | requests | bare p50 (ms) | Sluice p50 (ms) | bare p99 (ms) | Sluice p99 (ms) | p99 ratio (goal ≤ 1.2×) | follow-ups done after the last ack (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...measured.map(
      (m) =>
        `| ${m.payload} | ${m.round} | ${m.requests} | ${ms(m.bare.p50)} | ${ms(m.sluice.p50)} | ${ms(m.bare.p99)} | ${ms(m.sluice.p99)} | ${ratio(m.sluice.p99, m.bare.p99)} | ${m.followUpsDoneMs.toFixed(0)} |`,
    ),
    "",
    `Slowest single Sluice acknowledgement: ${ms(worst)} ms (Slack's limit: ${SLACK_DEADLINE_MS} ms).`,
    "",
  ].join("\n");
  return { markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await runAckBench()).markdown);
}
