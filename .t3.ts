import { reviewStatements, defaultReviewConfig } from "./src/review/index.ts";
import { splitStatements } from "./src/engines/postgres/split.ts";
import { splitStatements as splitMy } from "./src/engines/mysql/split.ts";
const cases: Array<[string, string]> = [
  ["mysql", "CREATE TABLE t (id INT PRIMARY KEY, doc VARCHAR(10), INDEX idx_doc (doc));\nALTER TABLE t MODIFY doc TEXT;\nALTER TABLE t MODIFY id VARCHAR(5);\nALTER TABLE t CHANGE doc body LONGTEXT;\nALTER TABLE t MODIFY doc VARCHAR(10) NOT NULL;"],
  ["postgres", "CREATE TABLE t (id INT PRIMARY KEY, a INT);\nCREATE INDEX idx_a ON t (a);\nCREATE INDEX idx_a2 ON t (a);\nALTER TABLE t ALTER COLUMN id TYPE VARCHAR(5);\nALTER TABLE t ALTER COLUMN a TYPE BIGINT;"],
];
for (const [engine, sql] of cases) {
  const split = engine === "mysql" ? splitMy : splitStatements;
  const r = await reviewStatements({ engine: engine as any, statements: split(sql), environment: { name: "Prod", tier: "prod" }, config: defaultReviewConfig });
  console.log(engine, "\n  " + r.findings.filter((f) => f.ruleId.startsWith("index.")).map((f) => `${f.statementOrdinal + 1} ${f.ruleId}: ${f.message}`).join("\n  "));
}
