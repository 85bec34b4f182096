// Writes every finding the review makes on the shared corpus to one file, so two versions of the review can be compared
// with `cmp`: a change meant only to make the review faster must leave the file byte for byte the same.
// Each corpus file is reviewed as a change, then the whole corpus as one change; once with every rule on (at warning),
// once at the default Prod levels. Usage: node --import tsx scripts/review-findings.mts <out-file> [mysql,postgres]
import { writeFileSync } from "node:fs";
import { defaultReviewConfig, reviewRules, reviewStatements, type ReviewConfig, type ReviewReport } from "../src/review/index.ts";
import { corpusPresent, corpusRoot, readCorpus } from "../test/review/support/corpus-statements.ts";

const [out, engineList = "mysql,postgres"] = process.argv.slice(2);
if (!out) throw new Error("usage: review-findings.mts <out-file> [mysql,postgres]");
if (!corpusPresent()) throw new Error(`no corpus at ${corpusRoot} (set SLUICE_TEST_CORPUS)`);

const everyRuleOn: ReviewConfig = { ...defaultReviewConfig, rules: Object.fromEntries(reviewRules.map((rule) => [rule.id, "warning"])) };
const lines: string[] = [];
const write = (prefix: string, report: ReviewReport): void => {
  for (const f of report.findings) lines.push(`${prefix} ${f.statementOrdinal} ${f.line}:${f.column} ${f.level} ${f.ruleId} ${f.message} | ${f.advice}`);
};

for (const engine of engineList.split(",") as Array<"mysql" | "postgres">) {
  const files = readCorpus(engine);
  for (const [levels, config] of [["every", everyRuleOn], ["prod", defaultReviewConfig]] as const) {
    const review = (statements: (typeof files)[number]["statements"]) =>
      reviewStatements({ engine, statements, environment: { name: "Prod", tier: "prod" }, config });
    for (const file of files) write(`${engine} ${levels} ${file.path.slice(corpusRoot.length)}`, await review(file.statements));
    write(`${engine} ${levels} ALL`, await review(files.flatMap((file) => file.statements)));
  }
}
writeFileSync(out, `${lines.join("\n")}\n`);
console.log(`${lines.length} findings written to ${out}`);
