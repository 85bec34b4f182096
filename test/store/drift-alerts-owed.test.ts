// Upgrading a store whose open drifts were found while Slack did not take their alert (before drift alerts went
// through the outbox, the next check re-posted them): the migration owes each such drift its alert, and nothing else.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { applyMigrations } from "../../src/store/migrator.ts";
import { dropPostgresDatabase } from "../support/servers.ts";
import { freshDatabase, poolFor, scratchMigrations } from "./helpers.ts";

const MIGRATION = "20261203160000_drift_alerts_owed";

let database: string | undefined;
after(async () => {
  if (database) await dropPostgresDatabase(database);
});

test("an open drift whose alert never reached Slack is owed its alert; alerted, resolved and unreachable ones are not", async () => {
  const { name, url } = await freshDatabase();
  database = name;
  const before = scratchMigrations();
  rmSync(join(before, MIGRATION), { recursive: true });
  const pool = poolFor(url, 1);
  try {
    await applyMigrations(pool, before);
    const client = await pool.connect();
    try {
      // The anomalies alone: their database rows do not matter to the migration, so their foreign keys are not checked.
      await client.query("SET session_replication_role = replica");
      await client.query(`
        INSERT INTO "DriftAnomaly" ("id", "databaseId", "kind", "status", "diff", "slackChannel", "slackTs", "updatedAt") VALUES
          (1, 1, 'drift', 'open', '+ age integer', NULL, NULL, now()),
          (2, 1, 'drift', 'open', '+ posted integer', 'CDRIFT', '1.000001', now()),
          (3, 1, 'drift', 'resolved', '+ gone integer', NULL, NULL, now()),
          (4, 2, 'unreachable', 'open', '', NULL, NULL, now())`);
      await client.query("SET session_replication_role = DEFAULT");
    } finally {
      client.release();
    }
    assert.deepEqual(await applyMigrations(pool, scratchMigrations()), [MIGRATION]);
    const { rows } = await pool.query<{ subject: string; payload: unknown; attempts: number }>(`SELECT "subject", "payload", "attempts" FROM "SlackOutbox" ORDER BY "id"`);
    assert.deepEqual(rows, [{ subject: "drift:1", payload: { type: "drift_detected", diff: "+ age integer" }, attempts: 0 }]);
  } finally {
    await pool.end();
  }
});
