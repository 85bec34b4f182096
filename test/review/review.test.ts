// The review as a whole: levels per environment, parse findings with positions, the text report.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  defaultReviewConfig,
  renderReviewText,
  resolveRuleLevels,
  reviewConfigSchema,
  reviewRuleCatalog,
  reviewRules,
  reviewStatements,
  unknownRuleIds,
} from "../../src/review/index.ts";
import { change } from "./support/review-helpers.ts";

test("Prod defaults are stricter than Test, and sluice.yml overrides apply globally then per environment", () => {
  const test_ = resolveRuleLevels(reviewRules, { name: "Test", tier: "test" }, defaultReviewConfig);
  const prod = resolveRuleLevels(reviewRules, { name: "Prod", tier: "prod" }, defaultReviewConfig);
  assert.equal(test_.get("table.drop"), "warning");
  assert.equal(prod.get("table.drop"), "error");
  const config = reviewConfigSchema.parse({
    rules: { "statement.where.require": "off", "column.comment.require": "error" },
    environments: { Prod: { "column.comment.require": "warning" } },
  });
  const prodOverridden = resolveRuleLevels(reviewRules, { name: "Prod", tier: "prod" }, config);
  const stagingOverridden = resolveRuleLevels(reviewRules, { name: "Staging", tier: "prod" }, config);
  assert.equal(prodOverridden.get("statement.where.require"), "off");
  assert.equal(prodOverridden.get("column.comment.require"), "warning");
  assert.equal(stagingOverridden.get("column.comment.require"), "error");
});

test("the config schema fills defaults, rejects bad levels and patterns, and reports unknown rule ids", () => {
  assert.equal(defaultReviewConfig.options.maxInListSize, 1000);
  assert.deepEqual(defaultReviewConfig.options.charsets, ["utf8mb4"]);
  assert.equal(reviewConfigSchema.safeParse({ rules: { "table.drop": "fatal" } }).success, false);
  assert.equal(reviewConfigSchema.safeParse({ options: { namingTable: "([" } }).success, false);
  const config = reviewConfigSchema.parse({ options: { requiredColumns: ["id"] }, rules: { "statment.where.require": "error" } });
  assert.deepEqual(config.options.requiredColumns, ["id"]);
  assert.equal(config.options.maxStatements, 100);
  assert.deepEqual(unknownRuleIds(reviewRules, config), ["statment.where.require"]);
});

test("a statement that cannot be parsed is an error in Prod with its position in the whole script", async () => {
  const statements = [
    { text: "UPDATE t SET a = 1 WHERE id = 1", line: 1, column: 1, offset: 0 },
    { text: "UPDATE t\nSET a = WHERE", line: 3, column: 5, offset: 40 },
    { text: "SELEKT 1", line: 5, column: 3, offset: 70 },
  ];
  const report = await reviewStatements({ engine: "mysql", statements, environment: { name: "Prod", tier: "prod" }, config: defaultReviewConfig });
  const parse = report.findings.filter((finding) => finding.ruleId === "statement.parse");
  assert.deepEqual(
    parse.map((finding) => [finding.level, finding.statementOrdinal, finding.line, finding.column]),
    [
      // line 2, column 14 of the statement is line 4 of the script; line 1, column 8 is shifted by the statement's column
      ["error", 1, 4, 14],
      ["error", 2, 5, 10],
    ],
  );
  const testTier = await reviewStatements({ engine: "mysql", statements, environment: { name: "Test", tier: "test" }, config: defaultReviewConfig });
  assert.ok(testTier.findings.filter((finding) => finding.ruleId === "statement.parse").every((finding) => finding.level === "warning"));
});

test("statements the grammar misses but whose meaning is plain are recognized, not reported as unparsable", async () => {
  const review = (engine: "mysql" | "postgres", sqls: string[]) =>
    reviewStatements({ engine, statements: change(sqls), environment: { name: "Prod", tier: "prod" }, config: defaultReviewConfig });
  const pg = await review("postgres", ["ALTER TABLE ONLY t ADD CONSTRAINT fk_u FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID", "DROP SCHEMA s CASCADE"]);
  assert.deepEqual(pg.findings.filter((finding) => finding.ruleId === "statement.parse"), []);
  assert.ok(pg.findings.some((finding) => finding.ruleId === "schema.drop"));
  const my = await review("mysql", ["/*!40101 SET NAMES utf8mb4 */", "DROP PROCEDURE IF EXISTS p", "PREPARE stmt FROM @sql", "FLUSH /*!50503 BINARY */ LOGS"]);
  assert.deepEqual(my.findings.filter((finding) => finding.ruleId === "statement.parse").map((finding) => finding.statementOrdinal), [3]);
  // PREPARE is read, but the SQL it runs is not: it is an error in Prod, like an unparsed statement.
  assert.deepEqual(my.findings.filter((finding) => finding.ruleId === "statement.dynamic-sql").map((finding) => [finding.statementOrdinal, finding.level]), [[2, "error"]]);
});

test("the text report lists every finding under its statement, with counts", async () => {
  const statements = change(["CREATE TABLE t (a INT)", "DELETE FROM t"]);
  const report = await reviewStatements({ engine: "postgres", statements, environment: { name: "Prod", tier: "prod" }, config: defaultReviewConfig });
  assert.equal(report.statementCount, 2);
  assert.equal(report.errorCount, report.findings.filter((finding) => finding.level === "error").length);
  const text = renderReviewText(report, statements);
  assert.match(text, /^SQL review: 2 statement\(s\), \d+ error\(s\), \d+ warning\(s\)\./);
  assert.match(text, /Statement 1: CREATE TABLE t \(a INT\)\n {2}ERROR \[table\.primary-key\.require\] line 1, column 1/);
  assert.match(text, /Statement 2: DELETE FROM t\n {2}ERROR \[statement\.where\.require\]/);
  assert.equal(renderReviewText({ statementCount: 0, errorCount: 0, warningCount: 0, findings: [] }, []), "SQL review: 0 statement(s), 0 error(s), 0 warning(s).\nNo findings.");
});

test("the rule catalog lists every rule with category, engines and both tiers' defaults", () => {
  assert.equal(reviewRuleCatalog.length, reviewRules.length);
  for (const rule of reviewRuleCatalog) {
    assert.match(rule.id, /^(engine|naming|statement|table|column|index|schema|system)\./);
    assert.ok(rule.id.startsWith(`${rule.category}.`), rule.id);
    assert.ok(rule.description.length > 10 && rule.engines.length > 0, rule.id);
  }
});

test("one config reviewed in several environments gets each environment's levels, however often and in whatever order", async () => {
  const statements = change(["DROP TABLE t"]);
  const levelOf = async (name: string, tier: "test" | "prod"): Promise<string | undefined> => {
    const report = await reviewStatements({ engine: "postgres", statements, environment: { name, tier }, config: defaultReviewConfig });
    return report.findings.find((finding) => finding.ruleId === "table.drop")?.level;
  };
  // The active rules are worked out once per config, engine and environment: a review must not get another one's.
  for (let round = 0; round < 2; round++) {
    assert.equal(await levelOf("Test", "test"), "warning");
    assert.equal(await levelOf("Prod", "prod"), "error");
  }
  const config = reviewConfigSchema.parse({ environments: { Staging: { "table.drop": "off" } } });
  const staging = await reviewStatements({ engine: "postgres", statements, environment: { name: "Staging", tier: "prod" }, config });
  const prod = await reviewStatements({ engine: "postgres", statements, environment: { name: "Prod", tier: "prod" }, config });
  assert.equal(staging.findings.some((finding) => finding.ruleId === "table.drop"), false);
  assert.equal(prod.findings.find((finding) => finding.ruleId === "table.drop")?.level, "error");
});

test("PostgreSQL: a type or object named like a JavaScript object property (constructor, __proto__) is reviewed, not a crash", async () => {
  for (const type of ['"constructor"', "__proto__", '"toString"', '"hasOwnProperty"']) {
    const report = await reviewStatements({
      engine: "postgres",
      statements: change([`CREATE TABLE t (id bigint PRIMARY KEY, a ${type} NOT NULL DEFAULT 1)`, `DROP TABLE ${type}`]),
      environment: { name: "Prod", tier: "prod" },
      config: defaultReviewConfig,
    });
    assert.equal(report.findings.some((finding) => finding.ruleId === "statement.parse"), false, type);
    assert.ok(report.findings.some((finding) => finding.ruleId === "table.drop"), type);
  }
});
