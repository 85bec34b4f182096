// `npm run bench`: runs every benchmark side by side with its reference and writes bench/RESULTS.md.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { runReviewBench } from "./review/review-throughput.ts";

const sections: Array<{ name: string; run: () => Promise<{ markdown: string }> }> = [{ name: "review", run: runReviewBench }];

const only = process.argv.slice(2);
const started = Date.now();
const parts: string[] = [];
for (const section of sections) {
  if (only.length > 0 && !only.includes(section.name)) continue;
  console.error(`bench: ${section.name}…`);
  parts.push((await section.run()).markdown);
}
const header = [
  "# Benchmark results",
  "",
  `Run on ${new Date().toISOString().slice(0, 10)} with \`npm run bench${only.length ? ` ${only.join(" ")}` : ""}\`, Node ${process.version},`,
  `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; total ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  "Each ratio compares Sluice with its reference measured in the same run.",
  "",
].join("\n");
const report = `${header}\n${parts.join("\n")}`;
writeFileSync(fileURLToPath(new URL("./RESULTS.md", import.meta.url)), report);
console.log(report);
