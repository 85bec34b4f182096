// Splitting throughput: Sluice's splitter on a 2 MB script for each engine, against libpg-query's whole-script parse
// (PostgreSQL's own parser, which also finds every statement's location) on the PostgreSQL one.
import { loadModule, parseSync } from "libpg-query";
import type { EngineName } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";

const ITERATIONS = 5;
const SCRIPT_BYTES = 2_000_000;

const CHUNKS: Record<EngineName, string> = {
  mysql: "INSERT INTO t VALUES (1, 'a;b', \"c\", `d`); -- note\n/* c */ SELECT 'x' # tail\n;\n",
  postgres: "INSERT INTO t VALUES (1, 'a;b', E'c\\'', \"d\"); -- note\r\n/* c /* nested */ */ SELECT $$x$$;\n",
};

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function timed(run: () => unknown): number {
  const times: number[] = [];
  for (let k = 0; k < ITERATIONS; k++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

export async function runSplitBench(): Promise<{ markdown: string }> {
  await loadModule();
  const rows: string[] = [];
  for (const engine of ["mysql", "postgres"] as const) {
    const script = CHUNKS[engine].repeat(Math.ceil(SCRIPT_BYTES / CHUNKS[engine].length));
    const statements = engineFor(engine).splitStatements(script).length;
    const ms = timed(() => engineFor(engine).splitStatements(script));
    const reference = engine === "postgres" ? timed(() => parseSync(script)) : undefined;
    rows.push(
      `| ${engine} | ${(script.length / 1e6).toFixed(1)} MB, ${statements.toLocaleString("en-US")} statements | ${ms.toFixed(0)} ms | ` +
        `${reference === undefined ? "—" : `${reference.toFixed(0)} ms (${(ms / reference).toFixed(2)}×)`} |`,
    );
  }
  return {
    markdown: [
      "### Splitting scripts into statements",
      "",
      `Median of ${ITERATIONS} runs. Reference: libpg-query's parseSync of the same script (PostgreSQL only; no MySQL parser reports statement locations).`,
      "",
      "| engine | script | Sluice's splitter | libpg-query parse |",
      "| --- | --- | --- | --- |",
      ...rows,
      "",
    ].join("\n"),
  };
}
