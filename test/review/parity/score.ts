// Scores Sluice against Bytebase's advisor semantics: each Bytebase rule's cases, with only its Sluice rule(s) on.
import type { EngineName } from "../../../src/engines/engine.ts";
import { engineFor } from "../../../src/engines/index.ts";
import { reviewConfigSchema, reviewRules, reviewStatements, type ReviewCatalog } from "../../../src/review/index.ts";
import type { ParityRule } from "./parity-rule.ts";

export interface RuleScore {
  bytebase: string;
  /** Statements Bytebase flags, and how many of them Sluice flags too. */
  expected: number;
  caught: number;
  /** Statements Bytebase leaves clean, and how many of them Sluice flags. */
  clean: number;
  falsePositives: number;
  /** `script → statement` for each miss and false alarm, to read when a number moves. */
  misses: string[];
  falseAlarms: string[];
}

const allOff = Object.fromEntries(reviewRules.map((rule) => [rule.id, "off" as const]));

export async function scoreRule(engine: EngineName, parity: ParityRule, catalog: ReviewCatalog): Promise<RuleScore> {
  const score: RuleScore = { bytebase: parity.bytebase, expected: 0, caught: 0, clean: 0, falsePositives: 0, misses: [], falseAlarms: [] };
  const config = reviewConfigSchema.parse({
    rules: { ...allOff, ...Object.fromEntries(parity.rules.map((id) => [id, "error"])) },
    options: parity.options ?? {},
  });
  const ruleIds = new Set(parity.rules);
  for (const { script, flagged } of parity.cases) {
    const statements = engineFor(engine).splitStatements(script);
    const report = await reviewStatements({ engine, statements, environment: { name: "Parity", tier: "prod" }, config, catalog });
    const found = new Set(report.findings.filter((finding) => ruleIds.has(finding.ruleId)).map((finding) => finding.statementOrdinal + 1));
    const expected = new Set(flagged);
    score.expected += expected.size;
    score.clean += statements.length - expected.size;
    for (const number of expected) {
      if (found.has(number)) score.caught++;
      else score.misses.push(`${script.replace(/\s+/g, " ")} → ${number}`);
    }
    for (const number of found) {
      if (expected.has(number)) continue;
      score.falsePositives++;
      score.falseAlarms.push(`${script.replace(/\s+/g, " ")} → ${number}`);
    }
  }
  return score;
}

export interface EngineScore {
  recall: number;
  falsePositiveRate: number;
  rules: RuleScore[];
}

export async function scoreEngine(engine: EngineName, parity: readonly ParityRule[], catalog: ReviewCatalog): Promise<EngineScore> {
  const rules: RuleScore[] = [];
  for (const rule of parity) rules.push(await scoreRule(engine, rule, catalog));
  const sum = (key: "expected" | "caught" | "clean" | "falsePositives") => rules.reduce((total, rule) => total + rule[key], 0);
  return { recall: sum("caught") / sum("expected"), falsePositiveRate: sum("falsePositives") / sum("clean"), rules };
}

/** One line per rule that is not perfect, then the totals. */
export function describeScore(engine: EngineName, score: EngineScore): string {
  const lines = score.rules
    .filter((rule) => rule.caught < rule.expected || rule.falsePositives > 0)
    .map((rule) => `  ${rule.bytebase}: ${rule.caught}/${rule.expected} caught, ${rule.falsePositives} false\n${[...rule.misses.map((m) => `    miss ${m}`), ...rule.falseAlarms.map((f) => `    false ${f}`)].join("\n")}`);
  const totals = `${engine}: recall ${(score.recall * 100).toFixed(1)}%, false positives ${(score.falsePositiveRate * 100).toFixed(1)}% over ${score.rules.length} Bytebase rules`;
  return [totals, ...lines].join("\n");
}
