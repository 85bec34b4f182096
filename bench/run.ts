// `npm run bench`: runs every benchmark side by side with its reference and writes bench/RESULTS.md.
// `npm run bench -- ack memory` runs only the named sections.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { runAckBench } from "./ack/ack-latency.ts";
import { runBoundaryBench } from "./boundary/boundary-cost.ts";
import { runExecutionBench } from "./execution/execution-overhead.ts";
import { runMemoryBench, runRollbackBenchInChild } from "./memory/memory-bench.ts";
import { runReviewBench } from "./review/review-throughput.ts";
import { runQueryBench } from "./query/query-bench.ts";
import { runPriorBackupBench } from "./rollback/prior-backup-bench.ts";
import { runSplitBench } from "./split/split-throughput.ts";

type Section = { name: string; run: () => Promise<{ markdown: string }> };

/** The drift bench is loaded when it runs, so a drift bench that does not load costs its section only, with a note. */
async function runDriftSection(): Promise<{ markdown: string }> {
  const title = "### Drift check cost\n\n";
  let module: Record<string, unknown>;
  try {
    module = (await import("./drift/drift-bench.ts")) as Record<string, unknown>;
  } catch (error) {
    return { markdown: `${title}Not run: \`bench/drift/drift-bench.ts\` did not load (${(error as Error).message}).\n` };
  }
  if (typeof module.runDriftBench !== "function") return { markdown: `${title}Not run: \`bench/drift/drift-bench.ts\` exports no \`runDriftBench()\`.\n` };
  return (module.runDriftBench as () => Promise<{ markdown: string }>)();
}

let rollbackMaxRssMb: number | undefined;
const sections: Section[] = [
  { name: "review", run: runReviewBench },
  { name: "split", run: runSplitBench },
  { name: "boundary", run: runBoundaryBench },
  {
    name: "rollback",
    run: async () => {
      const { markdown, maxRssMb } = await runRollbackBenchInChild();
      rollbackMaxRssMb = maxRssMb;
      return { markdown };
    },
  },
  { name: "backup", run: runPriorBackupBench },
  { name: "drift", run: runDriftSection },
  { name: "ack", run: runAckBench },
  { name: "execution", run: runExecutionBench },
  { name: "query", run: runQueryBench },
  { name: "memory", run: () => runMemoryBench(rollbackMaxRssMb) },
];

const only = process.argv.slice(2);
const started = Date.now();
const load = loadavg()[0]!;
const parts: string[] = [];
const timings: string[] = [];
for (const section of sections) {
  if (only.length > 0 && !only.includes(section.name)) continue;
  console.error(`bench: ${section.name}…`);
  const sectionStarted = Date.now();
  try {
    parts.push((await section.run()).markdown);
  } catch (error) {
    parts.push(`### ${section.name}\n\nFailed: ${(error as Error).message.split("\n")[0]}\n`);
    console.error(error);
  }
  timings.push(`${section.name} ${((Date.now() - sectionStarted) / 1000).toFixed(0)} s`);
}
const header = [
  `Run on ${new Date().toISOString().slice(0, 10)} with \`npm run bench${only.length ? ` -- ${only.join(" ")}` : ""}\`, Node ${process.version},`,
  `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; total ${((Date.now() - started) / 1000).toFixed(0)} s (${timings.join(", ")}).`,
  `The machine is shared: its 1-minute load average was ${load.toFixed(1)} when the run started and ${loadavg()[0]!.toFixed(1)} when it ended.`,
  "Each ratio compares Sluice with its reference measured in the same run. Servers: the tests' private MariaDB (binlog on)",
  "on 127.0.0.1:3399, the one without binlog (prior backup) on 127.0.0.1:3499, and the local PostgreSQL on 127.0.0.1:5432.",
  "Each section runs alone with `npm run bench -- <section>`",
  `(${sections.map((s) => s.name).join(", ")}).`,
  "",
].join("\n");
// BENCH_RESULTS writes the report elsewhere (e.g. while trying one section, so bench/RESULTS.md keeps the full run).
const resultsPath = process.env.BENCH_RESULTS ?? fileURLToPath(new URL("./RESULTS.md", import.meta.url));
const report = `${keptSummary(resultsPath)}${header}\n${parts.join("\n")}`;
writeFileSync(resultsPath, report);
console.log(report);

/** The hand-kept summary against goals: everything above the `<!-- generated -->` line survives a new run. */
function keptSummary(path: string): string {
  const marker = "<!-- generated -->";
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  const at = existing.indexOf(marker);
  return at >= 0 ? existing.slice(0, at + marker.length) + "\n\n" : `# Benchmark results\n\n${marker}\n\n`;
}
