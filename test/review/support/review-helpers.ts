// Builds changes from SQL strings and reviews them with every rule switched on.
import type { EngineName, SqlStatement } from "../../../src/engines/engine.ts";
import { reviewConfigSchema, reviewRules, reviewStatements, type ReviewCatalog, type ReviewConfigInput, type ReviewReport } from "../../../src/review/index.ts";

/** One statement per string, each on its own line of an imagined script. */
export function change(sqls: readonly string[]): SqlStatement[] {
  let offset = 0;
  return sqls.map((text, index) => {
    const statement = { text, line: index + 1, column: 1, offset };
    offset += text.length + 2;
    return statement;
  });
}

/** Reviews with every rule at `error`, so rules that are off by default are exercised too. */
export async function reviewAllOn(
  engine: EngineName,
  sqls: readonly string[],
  options: ReviewConfigInput["options"] = {},
  catalog?: ReviewCatalog,
): Promise<ReviewReport> {
  const rules = Object.fromEntries(reviewRules.map((rule) => [rule.id, "error" as const]));
  const config = reviewConfigSchema.parse({ rules, options });
  return reviewStatements({ engine, statements: change(sqls), environment: { name: "Test", tier: "test" }, config, catalog });
}

export async function ruleHits(engine: EngineName, ruleId: string, sqls: readonly string[], catalog?: ReviewCatalog): Promise<number> {
  const report = await reviewAllOn(engine, sqls, {}, catalog);
  return report.findings.filter((finding) => finding.ruleId === ruleId).length;
}
