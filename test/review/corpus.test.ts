// Every statement of the shared real-world corpus goes through the full review without a rule crashing.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineName } from "../../src/engines/engine.ts";
import { defaultReviewConfig, reviewStatements } from "../../src/review/index.ts";
import { corpusPresent, readCorpus } from "./support/corpus-statements.ts";

for (const engine of ["mysql", "postgres"] as const satisfies readonly EngineName[]) {
  test(`reviews the whole ${engine} corpus without a rule crashing`, async (t) => {
    if (!corpusPresent()) {
      t.skip("corpus absent");
      return;
    }
    const files = readCorpus(engine);
    let statements = 0;
    let unparsed = 0;
    let findings = 0;
    for (const file of files) {
      for (const tier of ["test", "prod"] as const) {
        const report = await reviewStatements({
          engine,
          statements: file.statements,
          environment: { name: "Prod", tier },
          config: defaultReviewConfig,
        });
        assert.equal(report.statementCount, file.statements.length, file.path);
        if (tier === "prod") statements += report.statementCount;
        if (tier === "prod") unparsed += report.findings.filter((finding) => finding.ruleId === "statement.parse").length;
        findings += report.findings.length;
        for (const finding of report.findings) {
          assert.ok(finding.line >= 1 && finding.column >= 1, `${file.path}: bad position ${JSON.stringify(finding)}`);
        }
      }
    }
    const parseRate = (statements - unparsed) / statements;
    t.diagnostic(
      `${engine}: ${files.length} files, ${statements} statements, parse rate ${(parseRate * 100).toFixed(1)}%, ` +
        `${findings} findings`,
    );
    console.log(`${engine} parse rate: ${(parseRate * 100).toFixed(1)}% of ${statements} statements`);
    assert.ok(statements >= 2000, `only ${statements} statements`);
    assert.ok(parseRate >= 0.99, `parse rate ${parseRate}`);
  });
}
