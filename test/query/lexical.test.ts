// The query guard's lexical reading sees the code words the server sees, with each engine's comment rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mysqlDialect } from "../../src/engines/mysql/split.ts";
import { postgresDialect } from "../../src/engines/postgres/split.ts";
import { scanCode } from "../../src/query/lexical.ts";

const words = (sql: string, dialect: typeof mysqlDialect): string[] => scanCode(sql, dialect, false).tokens.filter((t) => t.kind === "word").map((t) => t.text);

test("a -- comment ends at a lone \\r on PostgreSQL, so the words after it are code; on MySQL only \\n ends it", () => {
  assert.deepEqual(words("SELECT 1 --\r, pg_terminate_backend(1)", postgresDialect), ["SELECT", "1", "PG_TERMINATE_BACKEND", "1"]);
  assert.deepEqual(words("SELECT 1 -- \r, SLEEP(5)\n, 2", mysqlDialect), ["SELECT", "1", "2"]);
  assert.deepEqual(words("SELECT 1 --\x7f, SLEEP(5)\n, 2", mysqlDialect), ["SELECT", "1", "2"]);
});
