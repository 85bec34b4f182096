// Each rule fires on SQL that breaks it and stays quiet on close SQL that does not, on every engine it covers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { reviewRules } from "../../src/review/index.ts";
import { ruleCases, type RuleCase } from "./rule-cases.ts";
import { reviewAllOn, ruleHits } from "./support/review-helpers.ts";

const requiredColumnsOption = { requiredColumns: ["id", "created_at"] };

async function hits(engine: "mysql" | "postgres", rule: string, sqls: string[], options?: RuleCase["options"]): Promise<number> {
  if (rule !== "table.required-columns" && !options) return ruleHits(engine, rule, sqls);
  const report = await reviewAllOn(engine, sqls, options ?? requiredColumnsOption);
  return report.findings.filter((finding) => finding.ruleId === rule).length;
}

describe("review rules", () => {
  for (const ruleCase of ruleCases) {
    for (const engine of ruleCase.engines) {
      test(`${ruleCase.rule} (${engine}): fires on ${ruleCase.triggers.at(-1)!.slice(0, 60)}`, async () => {
        assert.ok((await hits(engine, ruleCase.rule, ruleCase.triggers, ruleCase.options)) > 0, "expected a finding");
        assert.equal(await hits(engine, ruleCase.rule, ruleCase.passes, ruleCase.options), 0, `no finding expected for ${ruleCase.passes.join("; ")}`);
      });
    }
  }

  test("every rule has a case on every engine it applies to (catalog rules are in catalog.test.ts)", () => {
    const covered = new Set(ruleCases.flatMap((ruleCase) => ruleCase.engines.map((engine) => `${ruleCase.rule}/${engine}`)));
    const missing = reviewRules
      .filter((rule) => rule.scope !== "catalog")
      .flatMap((rule) => rule.engines.map((engine) => `${rule.id}/${engine}`))
      .filter((key) => !covered.has(key));
    assert.deepEqual(missing, []);
  });

  test("rule ids are unique and there are at least 45 rules", () => {
    const ids = reviewRules.map((rule) => rule.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length >= 45, `${ids.length} rules`);
  });

  test("Prod is at least as strict as Test for every rule", () => {
    const rank = { off: 0, warning: 1, error: 2 } as const;
    for (const rule of reviewRules) assert.ok(rank[rule.defaults.prod] >= rank[rule.defaults.test], rule.id);
  });
});
