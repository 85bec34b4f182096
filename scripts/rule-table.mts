// Prints the review rules as a markdown table for docs/review.md.
import { reviewRuleCatalog } from "../src/review/index.ts";
console.log("| rule | category | engines | Test | Prod | what it checks |\n| --- | --- | --- | --- | --- | --- |");
for (const rule of reviewRuleCatalog) {
  const r = rule as unknown as { id: string; category: string; engines: string[]; defaults: { test: string; prod: string }; description: string };
  console.log(`| \`${r.id}\` | ${r.category} | ${r.engines.join(", ")} | ${r.defaults.test} | ${r.defaults.prod} | ${r.description.replace(/\|/g, "\\|")} |`);
}
