// Bytebase parity: Sluice's review scored on Bytebase's advisor semantics, one rule on at a time, against an empty
// database on the real servers (the live catalog /db review reads).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineName } from "../../src/engines/engine.ts";
import { engineFor } from "../../src/engines/index.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer, type ServerAddress } from "../support/servers.ts";
import { mysqlParity } from "./parity/mysql-cases.ts";
import type { ParityRule } from "./parity/parity-rule.ts";
import { postgresParity } from "./parity/postgres-cases.ts";
import { describeScore, scoreEngine } from "./parity/score.ts";

/** Recall ≥ 95% and false positives ≤ 2% on each engine. */
const GOAL = { recall: 0.95, falsePositives: 0.02 };
const LIMITS = { statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 };

const engines: Record<EngineName, { title: string; cases: ParityRule[]; create(prefix: string): Promise<string>; drop(name: string): Promise<void>; server(): ServerAddress }> = {
  mysql: { title: "MySQL", cases: mysqlParity, create: createMysqlDatabase, drop: dropMysqlDatabase, server: mysqlServer },
  postgres: { title: "PostgreSQL", cases: postgresParity, create: createPostgresDatabase, drop: dropPostgresDatabase, server: postgresServer },
};

for (const [engine, { title, cases, create, drop, server }] of Object.entries(engines) as Array<[EngineName, (typeof engines)[EngineName]]>) {
  test(`${title} review matches Bytebase's advisor semantics`, async (t) => {
    const database = await create("review_parity");
    const catalog = await engineFor(engine).openReviewCatalog({ ...server(), database, connectTimeoutMs: 5_000 }, LIMITS);
    try {
      const score = await scoreEngine(engine, cases, catalog);
      t.diagnostic(describeScore(engine, score));
      console.log(describeScore(engine, score));
      assert.ok(score.recall >= GOAL.recall, `recall ${score.recall}`);
      assert.ok(score.falsePositiveRate <= GOAL.falsePositives, `false positives ${score.falsePositiveRate}`);
    } finally {
      await catalog.close();
      await drop(database);
    }
  });
}
