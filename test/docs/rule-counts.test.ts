// The docs state the review's rule counts and rule table as the code has them, so they cannot fall behind a new rule.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { reviewRuleCatalog } from "../../src/review/index.ts";
import { repoRoot } from "../support/servers.ts";

const rules = reviewRuleCatalog as ReadonlyArray<{ id: string; engines: readonly string[] }>;
const total = rules.length;
const mysql = rules.filter((rule) => rule.engines.includes("mysql")).length;
const postgres = rules.filter((rule) => rule.engines.includes("postgres")).length;
const read = (file: string) => readFileSync(join(repoRoot, file), "utf8").replace(/\s+/g, " ");

test("the README and docs/review.md give the rule counts the registry has", () => {
  assert.match(read("README.md"), new RegExp(`reviews without submitting: ${total} rules \\(${mysql} for MySQL/MariaDB/Aurora MySQL, ${postgres} for PostgreSQL\\)`));
  assert.match(read("docs/review.md"), new RegExp(`runs ${total} rules: ${mysql} apply to MySQL/MariaDB/Aurora MySQL and ${postgres} to PostgreSQL`));
});

test("docs/review.md's rule table lists every rule (regenerate it with scripts/rule-table.mts)", () => {
  const text = readFileSync(join(repoRoot, "docs/review.md"), "utf8");
  const listed = [...text.matchAll(/^\| `([a-z0-9.-]+)` \| [a-z]+ \| /gm)].map((match) => match[1]);
  assert.deepEqual(listed, rules.map((rule) => rule.id));
});
