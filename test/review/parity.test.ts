// Bytebase parity: Sluice's review scored on Bytebase's advisor semantics, one rule on at a time, against an empty
// database on the real servers (the live catalog /db review reads).
import assert from "node:assert/strict";
import { test } from "node:test";
import mysql from "mysql2/promise";
import pg from "pg";
import { mysqlReviewCatalog } from "../../src/engines/mysql/review-catalog.ts";
import { postgresReviewCatalog } from "../../src/engines/postgres/review-catalog.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../support/servers.ts";
import { mysqlParity } from "./parity/mysql-cases.ts";
import { postgresParity } from "./parity/postgres-cases.ts";
import { describeScore, scoreEngine } from "./parity/score.ts";

/** Floors the review must not fall below; the goal is recall ≥ 95% and false positives ≤ 2% on each engine. */
const FLOOR = {
  mysql: { recall: 0.65, falsePositives: 0.072 },
  postgres: { recall: 0.6, falsePositives: 0.094 },
};

test("MySQL review matches Bytebase's advisor semantics", async (t) => {
  const database = await createMysqlDatabase("review_parity");
  const connection = await mysql.createConnection({ ...mysqlServer(), database });
  try {
    const score = await scoreEngine("mysql", mysqlParity, mysqlReviewCatalog(connection));
    t.diagnostic(describeScore("mysql", score));
    console.log(describeScore("mysql", score));
    assert.ok(score.recall >= FLOOR.mysql.recall, `recall ${score.recall}`);
    assert.ok(score.falsePositiveRate <= FLOOR.mysql.falsePositives, `false positives ${score.falsePositiveRate}`);
  } finally {
    await connection.end();
    await dropMysqlDatabase(database);
  }
});

test("PostgreSQL review matches Bytebase's advisor semantics", async (t) => {
  const database = await createPostgresDatabase("review_parity");
  const client = new pg.Client({ ...postgresServer(), database });
  await client.connect();
  try {
    const score = await scoreEngine("postgres", postgresParity, postgresReviewCatalog(client));
    t.diagnostic(describeScore("postgres", score));
    console.log(describeScore("postgres", score));
    assert.ok(score.recall >= FLOOR.postgres.recall, `recall ${score.recall}`);
    assert.ok(score.falsePositiveRate <= FLOOR.postgres.falsePositives, `false positives ${score.falsePositiveRate}`);
  } finally {
    await client.end();
    await dropPostgresDatabase(database);
  }
});
