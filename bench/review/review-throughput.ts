// Review throughput: the full review (no catalog) against the bare parse of the same corpus by the parser the review
// uses (node-sql-parser for MySQL, PostgreSQL's own parser through libpg-query for PostgreSQL).
import type { EngineName, SqlStatement } from "../../src/engines/engine.ts";
import { defaultReviewConfig, reviewStatements } from "../../src/review/index.ts";
import { bareParse as parseOne } from "../../src/review/parse.ts";
import { loadPostgresParser } from "../../src/review/postgres-ast.ts";
import { corpusPresent, readCorpus } from "../../test/review/support/corpus-statements.ts";

const ITERATIONS = 3;
const CHANGE_SIZE = 100;

function bareParse(engine: EngineName, statements: readonly SqlStatement[]): void {
  for (const statement of statements) {
    try {
      parseOne(engine, statement.text);
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

async function timed(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

export async function runReviewBench(): Promise<{ markdown: string }> {
  if (!corpusPresent()) return { markdown: "### SQL review throughput\n\nCorpus absent: skipped.\n" };
  await loadPostgresParser();
  const rows: string[] = [];
  for (const engine of ["mysql", "postgres"] as const) {
    const statements = readCorpus(engine).flatMap((file) => file.statements);
    bareParse(engine, statements);
    await review(engine, statements);
    const parseTimes: number[] = [];
    const reviewTimes: number[] = [];
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      parseTimes.push(await timed(() => bareParse(engine, statements)));
      reviewTimes.push(await timed(() => review(engine, statements)));
    }
    const changeTimes: number[] = [];
    for (let start = 0; start + CHANGE_SIZE <= statements.length; start += CHANGE_SIZE) {
      const change = statements.slice(start, start + CHANGE_SIZE);
      changeTimes.push(await timed(() => review(engine, change)));
    }
    const parseMs = median(parseTimes);
    const reviewMs = median(reviewTimes);
    rows.push(
      `| ${engine} | ${statements.length} | ${parseMs.toFixed(0)} | ${reviewMs.toFixed(0)} | ${(reviewMs / parseMs).toFixed(2)}× | ${median(changeTimes).toFixed(1)} |`,
    );
  }
  const markdown = [
    "### SQL review throughput",
    "",
    `Median of ${ITERATIONS} runs over the whole corpus; the review runs every rule (no catalog) at Prod levels. The bare parse is`,
    "the review's own parser alone: node-sql-parser for MySQL, libpg-query (PostgreSQL's parser) for PostgreSQL.",
    "",
    "| engine | statements | bare parse (ms) | full review (ms) | review / parse | p50 per 100-statement change (ms) |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
  return { markdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await runReviewBench()).markdown);
}
