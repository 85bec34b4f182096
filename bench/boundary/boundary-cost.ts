// What the environment boundary costs: Engine.outsideDatabase on every statement of the corpus, against the parse the
// review runs on the same statements (the review runs on every change already, so the boundary is measured beside it).
// Also how many corpus statements it refuses: the corpus is other people's SQL, so a refusal is not always a false one.
import type { EngineName, SqlStatement } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { bareParse } from "../../src/review/parse.ts";
import { loadPostgresParser } from "../../src/review/postgres-ast.ts";
import { corpusPresent, readCorpus } from "../../test/review/support/corpus-statements.ts";

const ITERATIONS = 3;
const DATABASE = "db_test";

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** CPU time of this process (ms): on a shared machine it moves far less with other people's load than wall time. */
async function cpuTimed(run: () => Promise<unknown> | unknown): Promise<number> {
  const start = process.cpuUsage();
  await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function checkAll(engine: EngineName, statements: SqlStatement[]): Promise<number> {
  const outsideDatabase = engineFor(engine).outsideDatabase;
  let refused = 0;
  for (const statement of statements) if (await outsideDatabase(statement.text, DATABASE)) refused++;
  return refused;
}

function parseAll(engine: EngineName, statements: SqlStatement[]): void {
  for (const statement of statements) {
    try {
      bareParse(engine, statement.text);
    } catch {
      // counted like a parsed one: the review meets both
    }
  }
}

export async function runBoundaryBench(): Promise<{ markdown: string }> {
  const title = "### Environment boundary cost\n\n";
  if (!corpusPresent()) return { markdown: `${title}Corpus absent: skipped.\n` };
  await loadPostgresParser();
  const rows: string[] = [];
  for (const engine of ["mysql", "postgres"] as const) {
    const statements = readCorpus(engine).flatMap((file) => file.statements);
    const refused = await checkAll(engine, statements);
    parseAll(engine, statements);
    const boundaryTimes: number[] = [];
    const parseTimes: number[] = [];
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      boundaryTimes.push(await cpuTimed(() => checkAll(engine, statements)));
      parseTimes.push(await cpuTimed(() => parseAll(engine, statements)));
    }
    const boundaryMs = median(boundaryTimes);
    const parseMs = median(parseTimes);
    rows.push(
      `| ${engine} | ${statements.length.toLocaleString("en-US")} | ${boundaryMs.toFixed(0)} | ${((boundaryMs * 1000) / statements.length).toFixed(0)} | ${parseMs.toFixed(0)} | ${(boundaryMs / parseMs).toFixed(2)}× | ${refused.toLocaleString("en-US")} |`,
    );
  }
  return {
    markdown: [
      title.trimEnd(),
      "",
      `Median of ${ITERATIONS} runs over the whole corpus, in CPU time of the bench's process, each statement checked as SQL for a`,
      `database named \`${DATABASE}\`. Reference: the review's own parse of the same statements (node-sql-parser for MySQL,`,
      "libpg-query for PostgreSQL). MySQL parses only statements holding a `table.column` name; PostgreSQL parses each.",
      "",
      "| engine | statements | boundary (ms) | per statement (µs) | review's parse (ms) | boundary / parse | refused |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...rows,
      "",
    ].join("\n"),
  };
}
