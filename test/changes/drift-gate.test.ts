// The drift gate through Slack: a schema change does not run over a database someone altered out of band until an
// approver establishes a new baseline, or the drift goes away; data changes only say so.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DRIFT_BASELINE_ACTION } from "../../src/slack/blocks/drift.ts";
import { CHANGE_ACTIONS } from "../../src/slack/blocks/change.ts";
import { loadConfig, ConfigError } from "../../src/config/load.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import {
  APPROVER,
  CHANNEL,
  clickOnChange,
  DEVELOPER,
  ephemeralTo,
  onMysql,
  onPostgres,
  slackDirectory,
  submitChangeThroughModal,
  waitForPosted,
  waitForStatus,
  workflowYaml,
} from "../support/changes.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const DRIFT_CHANNEL = "CDRIFT";
type Engine = "mysql" | "postgres";

interface GateWorld {
  t: TestSluice;
  testDb: string;
  prodDb: string;
  run(database: string, sql: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** The same yaml with `drift: { gate }` in the Test environment. */
function withTestGate(yaml: string, gate: string): string {
  return yaml.replace("    tier: test\n", `    tier: test\n    drift: { gate: ${gate} }\n`);
}

async function openWorld(engine: Engine, gate?: string): Promise<GateWorld> {
  const create = engine === "mysql" ? createMysqlDatabase : createPostgresDatabase;
  const [testDb, prodDb] = [await create("gate_test"), await create("gate_prod")];
  const run = (database: string, sql: string) => (engine === "mysql" ? onMysql(database, sql) : onPostgres(database, sql));
  for (const db of [testDb, prodDb]) {
    await run(db, "CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(20))");
    await run(db, "CREATE TABLE t2 (id INT PRIMARY KEY)");
  }
  const yaml = workflowYaml(
    [
      { name: testDb, engine, environment: "Test" },
      { name: prodDb, engine, environment: "Prod" },
    ],
    // The schedule is off: each test says when drift is checked (a change's gate, /db drift).
    `drift:\n  channel: ${DRIFT_CHANNEL}\n  enabled: false\n`,
  );
  const t = await startTestSluice({ yaml: gate ? withTestGate(yaml, gate) : yaml, slack: slackDirectory });
  for (const name of [testDb, prodDb]) {
    const database = t.sluice.services.registry.find(name);
    await eventually(() => t.sluice.store.prisma.schemaSnapshot.count({ where: { databaseId: database.id } }).then((n) => n > 0), 15_000, `the first baseline of ${name}`);
  }
  return {
    t,
    testDb,
    prodDb,
    run,
    stop: async () => {
      await t.stop();
      const drop = engine === "mysql" ? dropMysqlDatabase : dropPostgresDatabase;
      await drop(testDb);
      await drop(prodDb);
    },
  };
}

async function rootMessage(t: TestSluice, key: string) {
  const change = await t.sluice.store.prisma.change.findUniqueOrThrow({ where: { key } });
  const root = t.slack.messages.find((m) => m.channel === CHANNEL && m.ts === change.slackTs);
  assert.ok(root, `no root message for ${key}`);
  return { change, text: JSON.stringify(root.blocks) };
}

/** The drift alert posted for a database, and the value of its "Establish new baseline" button. */
async function driftAlert(t: TestSluice, database: string) {
  const alert = await eventually(() => t.slack.channelMessages(DRIFT_CHANNEL).find((m) => m.text.includes(database) && JSON.stringify(m.blocks).includes(DRIFT_BASELINE_ACTION)), 10_000, `a drift alert for ${database}`);
  const buttons = (alert.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((b) => b.elements ?? []);
  return { alert, anomalyId: buttons.find((b) => b.action_id === DRIFT_BASELINE_ACTION)!.value! };
}

async function establishBaseline(t: TestSluice, database: string): Promise<void> {
  const { alert, anomalyId } = await driftAlert(t, database);
  const reply = await t.send.click({ user: APPROVER, channel: DRIFT_CHANNEL, messageTs: alert.ts, actionId: DRIFT_BASELINE_ACTION, value: anomalyId });
  assert.equal(reply.status, 200);
  await eventually(async () => (await t.sluice.store.prisma.driftAnomaly.findUnique({ where: { id: Number(anomalyId) } }))?.status === "resolved", 10_000, "the baseline");
}

async function columnsOf(world: GateWorld, engine: Engine, database: string): Promise<string[]> {
  const rows = (await world.run(
    database,
    engine === "mysql"
      ? `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = '${database}' AND table_name = 't1' ORDER BY ordinal_position`
      : "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 't1' ORDER BY ordinal_position",
  )) as Array<{ name?: string; NAME?: string }>;
  return rows.map((row) => row.name ?? row.NAME ?? "");
}

for (const engine of ["mysql", "postgres"] as const) {
  describe(`the drift gate on ${engine}, through Slack`, () => {
    let world: GateWorld;
    before(async () => {
      world = await openWorld(engine);
    });
    after(async () => world.stop());

    test("a schema change over an open drift says so with a link to the alert, and Approve is refused until a baseline", async () => {
      const { t, prodDb } = world;
      await world.run(prodDb, "ALTER TABLE t1 ADD COLUMN oob_note VARCHAR(10)");
      const stored = await submitChangeThroughModal(t, DEVELOPER, { database: prodDb, type: "schema", sql: "ALTER TABLE t1 ADD COLUMN c_gate INT" });
      const change = await waitForPosted(t, stored.key, "awaiting_approval");
      assert.equal(change.driftHeld, true);
      const { alert } = await driftAlert(t, prodDb);
      const root = await rootMessage(t, stored.key);
      assert.match(root.text, /drift/i);
      assert.ok(root.text.includes(`https://slack.com/archives/${DRIFT_CHANNEL}/p${alert.ts.replace(".", "")}`), "the root message links the drift alert");

      await clickOnChange(t, APPROVER, root.change, CHANGE_ACTIONS.approve);
      const refusal = await eventually(() => ephemeralTo(t, APPROVER.id).find((text) => text.startsWith(`${stored.key} is held`)), 10_000, "the approver's refusal");
      assert.match(refusal, /drift/);
      assert.match(refusal, /baseline/);
      assert.equal((await t.sluice.store.prisma.change.findUniqueOrThrow({ where: { key: stored.key } })).status, "awaiting_approval");
      assert.ok(!(await columnsOf(world, engine, prodDb)).includes("c_gate"), "nothing ran");

      await establishBaseline(t, prodDb);
      await eventually(async () => /resolved/.test((await rootMessage(t, stored.key)).text), 10_000, "the root message to say the drift is resolved");
      await clickOnChange(t, APPROVER, root.change, CHANGE_ACTIONS.approve);
      await waitForStatus(t, stored.key, "done");
      assert.ok((await columnsOf(world, engine, prodDb)).includes("c_gate"));
    });

    test("the review of a held change reflects the drift: it ran against the live schema", async () => {
      const { t, prodDb } = world;
      await world.run(prodDb, "DROP TABLE t2");
      const stored = await submitChangeThroughModal(t, DEVELOPER, { database: prodDb, type: "schema", sql: "ALTER TABLE t2 ADD COLUMN note INT" });
      const change = await waitForPosted(t, stored.key, "awaiting_approval");
      assert.equal(change.driftHeld, true);
      // The snapshot still has t2; the live schema, which the review reads, does not.
      assert.ok((change.reviews[0]?.findings ?? []).some((f) => f.ruleId === "statement.reference.exists" && /t2 does not exist/.test(f.message)), JSON.stringify(change.reviews[0]?.findings));
      await clickOnChange(t, APPROVER, change, CHANGE_ACTIONS.reject);
      await waitForStatus(t, stored.key, "rejected");
      await establishBaseline(t, prodDb);
    });

    test("in an auto-approve environment the change waits instead of running, and runs by itself once baselined", async () => {
      const { t, testDb } = world;
      await world.run(testDb, "ALTER TABLE t1 ADD COLUMN oob_auto INT");
      const stored = await submitChangeThroughModal(t, DEVELOPER, { database: testDb, type: "schema", sql: "ALTER TABLE t1 ADD COLUMN c_auto INT" });
      const change = await waitForPosted(t, stored.key, "awaiting_approval");
      assert.equal(change.driftHeld, true);
      assert.match((await rootMessage(t, stored.key)).text, /drift/i);
      assert.ok(!(await columnsOf(world, engine, testDb)).includes("c_auto"));

      await establishBaseline(t, testDb);
      const done = await waitForStatus(t, stored.key, "done");
      assert.equal(done.driftHeld, false);
      assert.equal(done.approvals.at(-1)?.userId, "sluice");
      assert.ok((await columnsOf(world, engine, testDb)).includes("c_auto"));
    });

    test("a drift that goes away (the out-of-band change reverted) releases the held change", async () => {
      const { t, testDb } = world;
      await world.run(testDb, "ALTER TABLE t1 ADD COLUMN oob_revert INT");
      const stored = await submitChangeThroughModal(t, DEVELOPER, { database: testDb, type: "schema", sql: "ALTER TABLE t1 ADD COLUMN c_revert INT" });
      assert.equal((await waitForPosted(t, stored.key, "awaiting_approval")).driftHeld, true);
      await world.run(testDb, "ALTER TABLE t1 DROP COLUMN oob_revert");
      const reply = await t.send.command(`drift ${testDb}`, DEVELOPER, CHANNEL);
      assert.equal(reply.status, 200);
      await waitForStatus(t, stored.key, "done");
      assert.ok((await columnsOf(world, engine, testDb)).includes("c_revert"));
    });

    test("a drift that appears after approval holds the change right before it runs", async () => {
      const { t, testDb } = world;
      // Statement 2 fails: its table does not exist yet. What statement 1 did is Sluice's own, not drift.
      const stored = await submitChangeThroughModal(t, DEVELOPER, {
        database: testDb,
        type: "schema",
        sql: "ALTER TABLE t1 ADD COLUMN c_first INT;\nALTER TABLE later ADD COLUMN c_second INT",
      });
      const failed = await waitForStatus(t, stored.key, "failed");
      const database = t.sluice.services.registry.find(testDb);
      const inSync = await t.sluice.services.drift.checkNow(database, async () => {});
      assert.equal(inSync.outcome, "in_sync", "a failed change's own statements are not drift");

      await world.run(testDb, "CREATE TABLE later (id INT PRIMARY KEY)");
      await clickOnChange(t, APPROVER, failed, CHANGE_ACTIONS.retry);
      await eventually(async () => (await t.sluice.store.prisma.change.findUniqueOrThrow({ where: { key: stored.key } })).driftHeld, 10_000, "the retried change to be held");
      const held = await t.sluice.store.prisma.change.findUniqueOrThrow({ where: { key: stored.key } });
      assert.equal(held.status, "approved");
      // The hold is stored before Slack is told: wait for the root message to say so.
      await eventually(async () => /drift/i.test((await rootMessage(t, stored.key)).text), 10_000, "the root message to name the drift");

      await establishBaseline(t, testDb);
      await waitForStatus(t, stored.key, "done");
      assert.ok((await columnsOf(world, engine, testDb)).includes("c_first"));
    });

    test("a data change is not held: its message mentions the open drift", async () => {
      const { t, testDb } = world;
      await world.run(testDb, "ALTER TABLE t1 ADD COLUMN oob_data INT");
      const stored = await submitChangeThroughModal(t, DEVELOPER, { database: testDb, type: "data", sql: "INSERT INTO t1 (id, name) VALUES (41, 'data')" });
      const done = await waitForStatus(t, stored.key, "done");
      assert.equal(done.driftHeld, false);
      assert.match((await rootMessage(t, stored.key)).text, /drift/i);
      await establishBaseline(t, testDb);
    });
  });
}

describe("drift.gate per environment", () => {
  test("warn says so and runs; off does not look", async () => {
    for (const [gate, mentioned] of [["warn", true], ["off", false]] as const) {
      const world = await openWorld("postgres", gate);
      try {
        const { t, testDb } = world;
        await world.run(testDb, "ALTER TABLE t1 ADD COLUMN oob INT");
        const stored = await submitChangeThroughModal(t, DEVELOPER, { database: testDb, type: "schema", sql: "ALTER TABLE t1 ADD COLUMN c INT" });
        const done = await waitForStatus(t, stored.key, "done");
        assert.equal(done.driftHeld, false);
        assert.equal(/drift/i.test((await rootMessage(t, stored.key)).text), mentioned, `gate ${gate}`);
      } finally {
        await world.stop();
      }
    }
  });

  test("a gate that is not block, warn or off stops start-up with the field named", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-gate-"));
    writeFileSync(join(dir, "sluice.yml"), "environments:\n  - name: Test\n    drift: { gate: maybe }\n");
    assert.throws(() => loadConfig({ SLUICE_CONFIG: join(dir, "sluice.yml"), SLUICE_DATA_DIR: join(dir, "data") }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /environments\[0\]\.drift\.gate/);
      return true;
    });
  });
});
