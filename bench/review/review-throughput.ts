// Review throughput: the full review (no catalog) against the bare parse of the same corpus, by the parser the review
// uses (node-sql-parser for MySQL, PostgreSQL's own parser through libpg-query for PostgreSQL) and by node-sql-parser,
// the reference this bench has always used.
import { fileURLToPath } from "node:url";
import type { EngineName, SqlStatement } from "../../src/engines/engine.ts";
import { applyHeapSettings } from "../../src/heap-settings.ts";
import { defaultReviewConfig, reviewStatements } from "../../src/review/index.ts";
import { astify, bareParse as parseOne } from "../../src/review/parse.ts";
import { loadPostgresParser } from "../../src/review/postgres-ast.ts";
import { corpusPresent, readCorpus } from "../../test/review/support/corpus-statements.ts";
import { runTsChild } from "../support/child.ts";

const THIS_FILE = fileURLToPath(import.meta.url);

const ITERATIONS = 9;
/**
 * Passes of each side before measuring, so the measured passes see the review's JavaScript as it runs for good, not V8
 * compiling it: CPU time counts V8's compiler threads too. Three passes were once thought enough. Traced with
 * `--trace-opt` (2026-12-04), TurboFan was still compiling the PostgreSQL review's code for 107–217 ms in each of the
 * second to fourth passes after them (a pass of the review takes ~350 ms), as rules met statement shapes they had not
 * been compiled for. Traced again over 40 passes (three processes, 2026-12-04 evening): 20–87 ms a pass, with
 * "wrong map" deoptimizations in most passes, up to the eighteenth; from the nineteenth on, 0–42 ms a pass (~10 at the
 * median), a deoptimization in one pass of twenty. Fifteen passes left four of the still-settling ones among the nine
 * measured. On MySQL it is node-sql-parser's code that V8 keeps compiling, ~2 s a pass from the first pass to the tenth,
 * in the parse and the review alike: more passes would not change what is measured there, and each takes 6 s.
 */
const WARM_UPS: Record<EngineName, number> = { mysql: 3, postgres: 20 };
const CHANGE_SIZE = 100;
/**
 * Processes each engine is measured in; the table gives the median of their figures. One process's PostgreSQL ratio is
 * a sample of one set of V8's choices (what it inlines, when it collects): on the same code, on a quiet machine, single
 * processes measured 1.14–1.28× (2026-12-04 evening), more than the nine passes inside one process vary. MySQL's passes
 * take 6 s each and its ratio is not near the goal: one process.
 */
const PROCESSES: Record<EngineName, number> = { mysql: 1, postgres: 3 };

function parseAll(parse: (sql: string) => unknown, statements: readonly SqlStatement[]): void {
  for (const statement of statements) {
    try {
      parse(statement.text);
    } catch {
      // unparsable statements cost their failed parse, as in the review
    }
  }
}

async function review(engine: EngineName, statements: SqlStatement[]): Promise<void> {
  await reviewStatements({ engine, statements, environment: { name: "Prod", tier: "prod" }, config: defaultReviewConfig });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * CPU time of this process (ms), the bench's measure: on a shared machine it moves far less with other people's load than
 * wall time. It counts V8's background threads too (its compiler, parts of its collector); the wall time beside it is
 * about what the main thread spent.
 */
async function timed(run: () => unknown): Promise<{ cpu: number; wall: number }> {
  const start = process.cpuUsage();
  const wallStart = performance.now();
  await run();
  const wall = performance.now() - wallStart;
  const used = process.cpuUsage(start);
  return { cpu: (used.user + used.system) / 1000, wall };
}

interface EngineMeasure {
  statements: number;
  ownMs: number;
  referenceMs: number;
  reviewMs: number;
  /** Median of review/parse over the passes, each review against the parse just before it. */
  pairedRatio: number;
  /** Median review over median parse in wall time. */
  wallRatio: number;
  changeP50Ms: number;
}

/** One engine's passes, in the process it runs in. */
async function measureEngine(engine: EngineName): Promise<EngineMeasure> {
  // The review runs under the heap settings Sluice starts with (without them V8 pretenures the review's ASTs).
  applyHeapSettings();
  await loadPostgresParser();
  const statements = readCorpus(engine).flatMap((file) => file.statements);
  const own = (sql: string) => parseOne(engine, sql);
  const reference = (sql: string) => astify(engine, sql);
  for (let pass = 0; pass < WARM_UPS[engine]; pass++) {
    parseAll(own, statements);
    await review(engine, statements);
  }
  const ownTimes: number[] = [];
  const referenceTimes: number[] = [];
  const reviewTimes: number[] = [];
  const ownWalls: number[] = [];
  const reviewWalls: number[] = [];
  // The parse and the review alternate, each after the other, so neither pays for the garbage a third left behind. The
  // reference parse (node-sql-parser on PostgreSQL) allocates several times as much: it is timed in a loop of its own.
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const parse = await timed(() => parseAll(own, statements));
    const reviewed = await timed(() => review(engine, statements));
    ownTimes.push(parse.cpu);
    ownWalls.push(parse.wall);
    reviewTimes.push(reviewed.cpu);
    reviewWalls.push(reviewed.wall);
  }
  if (engine === "postgres") {
    for (let iteration = 0; iteration < ITERATIONS; iteration++) referenceTimes.push((await timed(() => parseAll(reference, statements))).cpu);
  }
  const changeTimes: number[] = [];
  for (let start = 0; start + CHANGE_SIZE <= statements.length; start += CHANGE_SIZE) {
    const change = statements.slice(start, start + CHANGE_SIZE);
    changeTimes.push((await timed(() => review(engine, change))).wall);
  }
  const ownMs = median(ownTimes);
  return {
    statements: statements.length,
    ownMs,
    referenceMs: engine === "postgres" ? median(referenceTimes) : ownMs,
    reviewMs: median(reviewTimes),
    pairedRatio: median(reviewTimes.map((reviewMs, i) => reviewMs / ownTimes[i]!)),
    wallRatio: median(reviewWalls) / median(ownWalls),
    changeP50Ms: median(changeTimes),
  };
}

export async function runReviewBench(): Promise<{ markdown: string }> {
  if (!corpusPresent()) return { markdown: "### SQL review throughput\n\nCorpus absent: skipped.\n" };
  const rows: string[] = [];
  const spreads: string[] = [];
  for (const engine of ["mysql", "postgres"] as const) {
    // Each engine in processes of its own, so neither engine's passes collect garbage the other's left: run after MySQL's
    // passes in one process, PostgreSQL's bare parse measured anywhere from 283 to 460 ms.
    const measures: EngineMeasure[] = [];
    for (let run = 0; run < PROCESSES[engine]; run++) measures.push(JSON.parse((await runTsChild(THIS_FILE, [engine])).stdout) as EngineMeasure);
    const of = (figure: (m: EngineMeasure) => number): number => median(measures.map(figure));
    const ratio = (m: EngineMeasure): number => m.reviewMs / m.ownMs;
    rows.push(
      `| ${engine} | ${measures[0]!.statements} | ${of((m) => m.ownMs).toFixed(0)} | ${of((m) => m.referenceMs).toFixed(0)} | ${of((m) => m.reviewMs).toFixed(0)} | ${of(ratio).toFixed(2)}× | ${of((m) => m.pairedRatio).toFixed(2)}× | ${of((m) => m.wallRatio).toFixed(2)}× | ${of((m) => m.reviewMs / m.referenceMs).toFixed(2)}× | ${of((m) => m.changeP50Ms).toFixed(1)} |`,
    );
    if (measures.length > 1) {
      const each = (figure: (m: EngineMeasure) => number): string => measures.map((m) => `${figure(m).toFixed(2)}×`).join(", ");
      spreads.push(`${engine}, each process: review / own parser ${each(ratio)}; paired ${each((m) => m.pairedRatio)}; wall ${each((m) => m.wallRatio)}.`);
    }
  }
  const markdown = [
    "### SQL review throughput",
    "",
    `Median of ${ITERATIONS} runs over the whole corpus after ${WARM_UPS.mysql} (MySQL) and ${WARM_UPS.postgres} (PostgreSQL) passes of each side, in CPU time,`,
    `each engine in processes of its own under Sluice's heap settings (${PROCESSES.mysql} for MySQL; ${PROCESSES.postgres} for PostgreSQL, each figure the median of the processes'),`,
    "the review running every rule (no catalog) at Prod levels. \"Own parser\" is",
    "the parser the review uses: node-sql-parser for MySQL, libpg-query (PostgreSQL's parser) for PostgreSQL; node-sql-parser's parse is the",
    "reference this bench has always compared with. \"Paired\" is the median of each review pass against the parse pass just before it: this",
    "machine's speed moves by a third between minutes, and a pair shares its minute. \"Wall\" is the ratio in wall time, which leaves out V8's",
    "background threads. The last column is wall time.",
    "",
    "| engine | statements | own parser (ms) | node-sql-parser (ms) | full review (ms) | review / own parser | paired | wall | review / node-sql-parser | p50 per 100-statement change (ms) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    ...spreads,
    ...(spreads.length > 0 ? [""] : []),
  ].join("\n");
  return { markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const engine = process.argv[2] as EngineName | undefined;
  if (engine) process.stdout.write(JSON.stringify(await measureEngine(engine)));
  else console.log((await runReviewBench()).markdown);
}
