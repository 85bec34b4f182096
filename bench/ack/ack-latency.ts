// Slack acknowledgement latency: time to HTTP 200 for signed `/db change` commands and button clicks at 1, 10 and
// 50 concurrent requests, against the real Sluice and against a bare Bolt app that only acks the same payloads.
import { fileURLToPath } from "node:url";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import { APPROVER, CHANNEL, DEVELOPER } from "../../test/support/changes.ts";
import { createPostgresDatabase, dropPostgresDatabase, ensurePostgres } from "../../test/support/servers.ts";
import { eventually } from "../../test/support/sluice.ts";
import { runTsChild } from "../support/child.ts";
import { commandCpuMs, processCpuMs } from "../support/cpu-time.ts";
import { pin, pinningUnavailable, postgresProcesses } from "../support/cpu-pinning.ts";
import { ms, percentile, ratio } from "../support/stats.ts";
import type { ServiceProcess } from "../support/service-process.ts";
import { startBareApp } from "./bare-app.ts";
import { startBenchSluice, type BenchSluice } from "./bench-sluice.ts";
import type { LoadPlan, LoadResult } from "./load-client.ts";

const LOAD_CLIENT = fileURLToPath(new URL("./load-client.ts", import.meta.url));
/**
 * "1, paced": one request at a time with a pause, so no earlier work competes. Bursts ("10 at once"): that many
 * requests sent together, as when several people click at the same moment, then nothing until Sluice's work after
 * them is done. Closed loops: each of `concurrency` clients sends its next request as soon as it has an answer, for
 * as long as the round lasts, which keeps the machine's 2 cores saturated.
 */
const ROUNDS: Round[] = [
  { label: "1, paced", shape: "paced", concurrency: 1, requests: 400, gapMs: 30 },
  { label: "10 at once", shape: "bursts", concurrency: 10, requests: 1000, gapMs: 20 },
  { label: "50 at once", shape: "bursts", concurrency: 50, requests: 2000, gapMs: 20 },
  { label: "1, closed loop", shape: "closed", concurrency: 1, requests: 600, gapMs: 0 },
  { label: "10, closed loop", shape: "closed", concurrency: 10, requests: 1200, gapMs: 0 },
  { label: "50, closed loop", shape: "closed", concurrency: 50, requests: 2000, gapMs: 0 },
  { label: "1, closed loop, work on core 1", shape: "closed", concurrency: 1, requests: 600, gapMs: 0, pinned: true },
  { label: "10, closed loop, work on core 1", shape: "closed", concurrency: 10, requests: 1200, gapMs: 0, pinned: true },
  { label: "50, closed loop, work on core 1", shape: "closed", concurrency: 50, requests: 2000, gapMs: 0, pinned: true },
];
interface Round {
  label: string;
  shape: "paced" | "bursts" | "closed";
  concurrency: number;
  requests: number;
  gapMs: number;
  /**
   * Each side's acknowledging thread and its load generator get core 0, and everything else core 1: the bare app's
   * process, or Sluice's acknowledgement thread, on core 0; Sluice's main thread, V8's and libuv's threads, the
   * local Slack Web API and the store on core 1. As on a machine with a core to spare for the work after the acks.
   */
  pinned?: boolean;
}
const SLACK_DEADLINE_MS = 3000;

interface Payload {
  name: string;
  /** The Web API call Sluice makes after the ack, counted to know its work is finished. */
  followUp: string;
  body: () => string;
}

/** CPU per request (ms) of each process taking part in a round, from its start until the app's work was done. */
interface CpuPerRequest {
  app: number;
  loadGenerator: number;
  /** Sluice's store (every PostgreSQL server process) and the local Slack Web API; 0 for the bare app. */
  store: number;
  slackApi: number;
}

interface Measured {
  payload: string;
  round: Round;
  requests: number;
  bare: { p50: number; p99: number; max: number; cpu: CpuPerRequest };
  sluice: { p50: number; p99: number; max: number; cpu: CpuPerRequest };
  /** How long after its last ack Sluice's work after the acks (the follow-up calls) was all done. */
  followUpsDoneMs: number;
}

/** Parts of a round per side, sent bare and Sluice in turn. */
const TURNS = 4;
const ACK_CORE = "0";
const WORK_CORE = "1";

/** Pins both sides as a pinned round has them (see Round.pinned); `restore()` undoes it. */
function pinSides(t: BenchSluice, barePid: number): { refused: number[]; restore(): void } {
  const ackThread = t.sluice.acknowledgementThreadId();
  if (ackThread === undefined) throw new Error("Sluice did not report its acknowledgement thread's id");
  const process_ = (id: number) => ({ id, allThreads: true });
  return pin([
    { target: process_(barePid), cpus: ACK_CORE },
    { target: process_(process.pid), cpus: WORK_CORE },
    { target: { id: ackThread, allThreads: false }, cpus: ACK_CORE },
    { target: process_(t.slack.pid), cpus: WORK_CORE },
    ...postgresProcesses().map((target) => ({ target, cpus: WORK_CORE })),
  ]);
}

const warmupOf = (round: Round): number => Math.max(20, round.concurrency * 2);

async function load(url: string, signingSecret: string, payload: Payload, round: Round, followUpsUrl?: string): Promise<LoadResult> {
  const plan: LoadPlan = {
    url,
    signingSecret,
    bodies: Array.from({ length: 20 }, () => payload.body()),
    concurrency: round.concurrency,
    requests: round.requests,
    warmup: warmupOf(round),
    gapMs: round.gapMs,
    ...(round.pinned ? { cpus: ACK_CORE } : {}),
    ...(round.shape === "bursts" ? { bursts: { followUpsUrl } } : {}),
  };
  const { stdout } = await runTsChild(LOAD_CLIENT, [], JSON.stringify(plan));
  const result = JSON.parse(stdout) as LoadResult;
  const refused = Object.entries(result.statuses).filter(([status]) => status !== "200");
  if (refused.length > 0) throw new Error(`${payload.name} at ${round.label}: answers other than 200: ${JSON.stringify(result.statuses)}`);
  return result;
}

/** Counts the CPU of the app's process, the store's and the Slack Web API's from now until `read()`. */
function cpuMeter(appPid: number, slackPid: number): { read(result: LoadResult): CpuPerRequest } {
  const at = () => ({ app: processCpuMs(appPid), store: commandCpuMs("postgres"), slackApi: processCpuMs(slackPid) });
  const start = at();
  return {
    read(result) {
      const end = at();
      const per = (ms: number) => ms / result.latenciesMs.length;
      return { app: per(end.app - start.app), loadGenerator: per(result.cpuMs), store: per(end.store - start.store), slackApi: per(end.slackApi - start.slackApi) };
    },
  };
}

/** Latencies of the parts of a round taken together; CPU per request averaged over them. */
function summary(parts: LoadResult[], cpu: CpuPerRequest[]) {
  const latencies = parts.flatMap((result) => result.latenciesMs);
  const mean = (pick: (c: CpuPerRequest) => number) => cpu.reduce((sum, c) => sum + pick(c), 0) / cpu.length;
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
    cpu: { app: mean((c) => c.app), loadGenerator: mean((c) => c.loadGenerator), store: mean((c) => c.store), slackApi: mean((c) => c.slackApi) },
  };
}

interface RoundParts {
  bareRun: LoadResult[];
  sluiceRun: LoadResult[];
  bareCpu: CpuPerRequest[];
  sluiceCpu: CpuPerRequest[];
  followUpsDoneMs: number;
}

/**
 * One round, sent in TURNS parts per side, bare and Sluice in turn (bare, Sluice, bare, Sluice, …), so a change in the
 * machine's load during the round weighs on both sides alike; each part starts once Sluice's work on the last is done.
 */
async function measureRound(t: BenchSluice, bare: ServiceProcess, payload: Payload, round: Round): Promise<RoundParts> {
  const part: Round = { ...round, requests: round.requests / TURNS };
  const parts: RoundParts = { bareRun: [], sluiceRun: [], bareCpu: [], sluiceCpu: [], followUpsDoneMs: 0 };
  for (let turn = 0; turn < TURNS; turn++) {
    const bareMeter = cpuMeter(bare.pid, t.slack.pid);
    parts.bareRun.push(await load(bare.url, t.signingSecret, payload, part));
    parts.bareCpu.push(bareMeter.read(parts.bareRun.at(-1)!));
    const before = await t.slack.callCount(payload.followUp);
    const sluiceMeter = cpuMeter(process.pid, t.slack.pid);
    const result = await load(t.eventsUrl, t.signingSecret, payload, part, t.slack.callsUrl(payload.followUp));
    // The work after the ack must really happen (and finish before the next part starts).
    const expected = before + result.latenciesMs.length + warmupOf(round);
    const lastAck = performance.now();
    await eventually(async () => (await t.slack.callCount(payload.followUp)) >= expected, 60_000, `${payload.followUp} after ${payload.name}`);
    parts.followUpsDoneMs = Math.max(parts.followUpsDoneMs, performance.now() - lastAck);
    parts.sluiceRun.push(result);
    parts.sluiceCpu.push(sluiceMeter.read(result));
  }
  return parts;
}

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
  const cannotPin = pinningUnavailable();
  /** Processes a pinned round could not pin (taskset refused). */
  const notPinned = new Set<number>();
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
        if (round.pinned && cannotPin) continue;
        const pinning = round.pinned ? pinSides(t, bare.pid) : undefined;
        for (const id of pinning?.refused ?? []) notPinned.add(id);
        let parts: RoundParts;
        try {
          parts = await measureRound(t, bare, payload, round);
        } finally {
          pinning?.restore();
        }
        const { bareRun, sluiceRun, bareCpu, sluiceCpu, followUpsDoneMs } = parts;
        const bareSummary = summary(bareRun, bareCpu);
        const sluiceSummary = summary(sluiceRun, sluiceCpu);
        measured.push({ payload: payload.name, round, requests: sluiceRun.reduce((n, r) => n + r.latenciesMs.length, 0), bare: bareSummary, sluice: sluiceSummary, followUpsDoneMs });
        console.error(`bench: ack ${payload.name} ×${round.label}: bare p99 ${ms(bareSummary.p99)} ms, Sluice p99 ${ms(sluiceSummary.p99)} ms`);
      }
    }
  } finally {
    await bare.stop();
    await t.stop();
    await dropPostgresDatabase(database);
  }
  const worst = Math.max(...measured.map((m) => m.sluice.max));
  const cpu = (value: number) => value.toFixed(2);
  const markdown = [
    "### Slack acknowledgement latency",
    "",
    "Time from sending a signed request to its HTTP 200, measured by a load generator in its own process (`node:http`, keep-alive).",
    "Sluice is the real one (`startSluice`, its HTTP receiver, store on the local PostgreSQL), in the bench's process. The reference",
    "is a bare Bolt `HTTPReceiver` app whose handlers only `ack()`, in a process of its own, fed the very same payloads in the same",
    `run: each round is sent in ${TURNS} parts per side, bare and Sluice in turn, each part after a warm-up and after Sluice's work on the last`,
    "one is done. The local Slack Web API Sluice calls runs in its own process, as the real Slack is remote. Sluice's work",
    "after the ack (opening the modal, the ephemeral answer) is checked to have happened. Sluice verifies and acknowledges requests",
    "on a thread of its own (`src/slack/ack-thread/`), so its work after an ack holds up no acknowledgement on an event loop, and",
    "that work lets acknowledgements still under way go first, until none has been under way for 2 ms and for 20 ms at most",
    "(`acknowledgements-first.ts`).",
    "",
    "- **1, paced**: one request at a time, 30 ms after the last answer: what happens before `ack()`.",
    "- **10 / 50 at once**: bursts of that many requests sent together, as when several people click at the same moment; the",
    "  next burst leaves 20 ms after Sluice's work on the last one is done (the bare app's, 20 ms after its answers). Sluice's work",
    "  on a burst runs while the rest of the burst is being acknowledged.",
    "- **closed loop**: each of 1, 10 or 50 clients sends its next request as soon as it has an answer, for the whole round. This",
    "  keeps the machine's 2 cores busy, so it measures throughput: every request's work after the ack (Sluice's main thread,",
    "  the store, the Web API process) takes CPU the acknowledgements then wait for, and the bare app does none. The CPU table below",
    "  gives what each side spends per request. Where the work cannot keep up, part of it is left for after the round: the last",
    "  column is how long after the load generator's last answer every follow-up call had been made (polled every 25 ms).",
    "- **closed loop, work on core 1**: the same closed loops with each side's acknowledging thread and its load generator",
    "  on core 0 and everything else on core 1 (`taskset`): the bare app's process on core 0; Sluice's acknowledgement thread",
    "  on core 0, and its main thread, V8's and libuv's threads, the local Slack Web API and the store on core 1. Both sides'",
    "  acknowledgements get the same one core; Sluice's work after them gets the other, as on a machine with a core to spare",
    "  for it. This separates what Sluice's acknowledgement path costs from the CPU its work takes from it on 2 shared cores.",
    ...(cannotPin ? [`  Not run here: ${cannotPin}.`] : []),
    ...(notPinned.size > 0 ? [`  taskset could not pin process(es) ${[...notPinned].join(", ")}: those ran on every core.`] : []),
    "",
    "| payload | concurrent | requests | bare p50 (ms) | Sluice p50 (ms) | bare p99 (ms) | Sluice p99 (ms) | p99 ratio (goal ≤ 1.2×) | follow-ups done after the last ack (ms) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...measured.map(
      (m) =>
        `| ${m.payload} | ${m.round.label} | ${m.requests} | ${ms(m.bare.p50)} | ${ms(m.sluice.p50)} | ${ms(m.bare.p99)} | ${ms(m.sluice.p99)} | ${ratio(m.sluice.p99, m.bare.p99)} | ${m.followUpsDoneMs.toFixed(0)} |`,
    ),
    "",
    `Slowest single Sluice acknowledgement: ${ms(worst)} ms (Slack's limit: ${SLACK_DEADLINE_MS} ms).`,
    "",
    "CPU per request (ms, user + system as Linux counts it in 10 ms ticks) in the closed loops, from the round's start until Sluice's",
    "work after the acks was done: the app's process (Sluice: both its threads and V8's), the store (every PostgreSQL server process),",
    "the local Slack Web API, and the load generator.",
    "",
    "| payload | round | bare app | load generator, bare | Sluice | store | Slack Web API | load generator, Sluice |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...measured
      .filter((m) => m.round.shape === "closed")
      .map(
        (m) =>
          `| ${m.payload} | ${m.round.label} | ${cpu(m.bare.cpu.app)} | ${cpu(m.bare.cpu.loadGenerator)} | ${cpu(m.sluice.cpu.app)} | ${cpu(m.sluice.cpu.store)} | ${cpu(m.sluice.cpu.slackApi)} | ${cpu(m.sluice.cpu.loadGenerator)} |`,
      ),
    "",
  ].join("\n");
  return { markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await runAckBench()).markdown);
}
