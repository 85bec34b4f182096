// The review runs a statement rule only on the statement kinds it names (`on`): that dispatch must hide no finding.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineName } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { reviewRules, type ReviewReport } from "../../src/review/index.ts";
import { corpusPresent, readCorpus } from "./support/corpus-statements.ts";
import { reviewAllOn } from "./support/review-helpers.ts";
import { mysqlParity } from "./parity/mysql-cases.ts";
import { postgresParity } from "./parity/postgres-cases.ts";
import { ruleCases } from "./rule-cases.ts";

/** Statements of every kind the case tables hold, and a slice of the shared corpus when it is present. */
function scripts(engine: EngineName): string[][] {
  const cases = ruleCases.filter((ruleCase) => ruleCase.engines.includes(engine)).flatMap((ruleCase) => [ruleCase.triggers, ruleCase.passes]);
  const parity = (engine === "mysql" ? mysqlParity : postgresParity).flatMap((rule) => rule.cases.map((parityCase) => engineFor(engine).splitStatements(parityCase.script).map((statement) => statement.text)));
  const corpus = corpusPresent() ? readCorpus(engine).map((file) => file.statements.slice(0, 40).map((statement) => statement.text)) : [];
  return [...cases, ...parity, ...corpus];
}

const described = (report: ReviewReport): string[] => report.findings.map((finding) => `${finding.statementOrdinal} ${finding.ruleId} ${finding.message}`);

/** Each statement rule as if it named no kinds, so it runs on every statement; restored afterwards. */
async function withoutDispatch<T>(run: () => Promise<T>): Promise<T> {
  const kinds = new Map<object, readonly string[]>();
  for (const rule of reviewRules) {
    if (rule.scope === "statement" && rule.on) {
      kinds.set(rule, rule.on);
      (rule as { on?: readonly string[] }).on = undefined;
    }
  }
  try {
    return await run();
  } finally {
    for (const [rule, on] of kinds) (rule as { on?: readonly string[] }).on = on;
  }
}

for (const engine of ["mysql", "postgres"] as const) {
  test(`${engine}: a rule run only on the statement kinds it names finds what it finds when run on every statement`, async () => {
    for (const sqls of scripts(engine)) {
      const dispatched = described(await reviewAllOn(engine, sqls));
      const everywhere = described(await withoutDispatch(() => reviewAllOn(engine, sqls)));
      assert.deepEqual(dispatched, everywhere, sqls.join("; ").slice(0, 300));
    }
  });
}
