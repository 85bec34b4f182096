import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DRIFT_BASELINE_ACTION, DRIFT_HISTORY_ACTION } from "../../src/slack/blocks/drift.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";
import { createTarget, driftEnv, driftYaml, engines, targetFor, type TargetDatabase } from "./support/target.ts";

const DRIFT_CHANNEL = "CDRIFT";
const APPROVER = { id: "UAPPROVER" };
const DEVELOPER = { id: "UDEV" };

async function startWith(databases: TargetDatabase[], drift?: string): Promise<TestSluice> {
  return startTestSluice({
    yaml: driftYaml(databases.map((d) => ({ engine: d.engine, name: d.name })), drift),
    env: driftEnv(),
    slack: { userGroups: { SDBAS: [] } },
  });
}

/** Runs a slash command and returns the ephemeral answer Sluice sent to its response_url. */
async function command(t: TestSluice, text: string, user = DEVELOPER): Promise<string> {
  const before = t.slack.responses.length;
  const reply = await t.send.command(text, user, "CPROJECT");
  assert.equal(reply.status, 200);
  const response = await eventually(() => t.slack.responses[before], 10_000, `an answer to /db ${text}`);
  return JSON.stringify(response.body);
}

async function click(t: TestSluice, actionId: string, alertTs: string, value: string, user = DEVELOPER): Promise<string> {
  const before = t.slack.responses.length;
  const reply = await t.send.click({ user, channel: DRIFT_CHANNEL, messageTs: alertTs, actionId, value });
  assert.equal(reply.status, 200);
  const response = await eventually(() => t.slack.responses[before], 10_000, `an answer to ${actionId}`);
  return JSON.stringify(response.body);
}

const alerts = (t: TestSluice) => t.slack.channelMessages(DRIFT_CHANNEL);
const buttonValue = (message: { blocks: unknown[] }, actionId: string): string | undefined => {
  const buttons = (message.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((block) => block.elements ?? []);
  return buttons.find((button) => button.action_id === actionId)?.value;
};

async function firstBaseline(t: TestSluice, databaseName: string): Promise<void> {
  const database = t.sluice.services.registry.find(databaseName);
  await eventually(() => t.sluice.store.prisma.schemaSnapshot.count({ where: { databaseId: database.id } }).then((n) => n > 0), 10_000, "the first baseline");
}

for (const engine of engines) {
  describe(`the seed's drift walkthrough on ${engine}, through Slack`, () => {
    let target: TargetDatabase;
    let t: TestSluice;

    before(async () => {
      target = await createTarget(engine);
      await target.exec(target.createT1);
      t = await startWith([target]);
      await firstBaseline(t, target.name);
    });
    after(async () => {
      await t.stop();
      await target.drop();
    });

    test("ADD COLUMN age outside Sluice → one alert with the diff → baseline by an approver → resolved; the next check posts nothing", async () => {
      assert.match(await command(t, `drift ${target.name}`), /matches its latest snapshot/);
      assert.equal(t.slack.callsTo("chat.postMessage").length, 0, "no drift, no message");

      await target.exec("ALTER TABLE t1 ADD COLUMN age integer");
      assert.match(await command(t, `drift ${target.name}`), /has drifted/);
      assert.equal(alerts(t).length, 1);
      const alert = alerts(t)[0]!;
      const shown = JSON.stringify(alert.blocks);
      assert.match(shown, new RegExp(target.name));
      assert.match(shown, /Prod/);
      assert.match(shown, /Detected/);
      assert.match(shown, /\\n\+\s+\S*\s*age\b/, "the diff shows the added column");
      assert.match(shown, /Establish new baseline/);

      assert.match(await command(t, `drift ${target.name}`), /has drifted/);
      assert.equal(t.slack.callsTo("chat.postMessage").length, 1, "the same drift is alerted once");

      const anomalyId = buttonValue(alert, DRIFT_BASELINE_ACTION)!;
      assert.match(await click(t, DRIFT_BASELINE_ACTION, alert.ts, anomalyId, DEVELOPER), /Only approvers of Prod/);
      assert.equal(await t.sluice.store.prisma.change.count(), 0, "a non-approver's click changes nothing");
      assert.equal((await t.sluice.store.prisma.driftAnomaly.findUniqueOrThrow({ where: { id: Number(anomalyId) } })).status, "open");

      await t.send.click({ user: APPROVER, channel: DRIFT_CHANNEL, messageTs: alert.ts, actionId: DRIFT_BASELINE_ACTION, value: anomalyId });
      await eventually(() => alert.edited > 0, 10_000, "the alert updated");
      assert.match(JSON.stringify(alert.blocks), /Baseline established by <@UAPPROVER> as \*DRF-1\*/);
      assert.doesNotMatch(JSON.stringify(alert.blocks), /Establish new baseline/, "the resolved alert has no buttons");
      const change = await t.sluice.store.prisma.change.findUniqueOrThrow({ where: { key: "DRF-1" }, include: { snapshots: true } });
      assert.equal(change.type, "baseline");
      assert.equal(change.status, "done");
      assert.equal(change.snapshots[0]?.kind, "baseline");

      assert.match(await click(t, DRIFT_BASELINE_ACTION, alert.ts, anomalyId, APPROVER), /already resolved/);
      assert.equal(await t.sluice.store.prisma.change.count(), 1, "a stale button changes nothing");

      const posted = t.slack.callsTo("chat.postMessage").length;
      assert.match(await command(t, `drift ${target.name}`), /matches its latest snapshot/);
      await t.sluice.services.drift.runScheduled(async () => assert.fail("a quiet run has nothing to say"));
      assert.equal(t.slack.callsTo("chat.postMessage").length, posted, "the next run posts nothing");

      assert.match(await click(t, DRIFT_HISTORY_ACTION, alert.ts, anomalyId), /DRF-1.*baseline.*done.*UAPPROVER/);
    });
  });
}

describe("drift alerts over time, through Slack", () => {
  let target: TargetDatabase;
  let missing: TargetDatabase;
  let t: TestSluice;

  before(async () => {
    target = await createTarget("mysql");
    await target.exec(target.createT1);
    missing = targetFor("mysql", `drift_gone_${process.pid}`);
    await missing.drop();
    t = await startWith([target, missing]);
    await firstBaseline(t, target.name);
  });
  after(async () => {
    await t.stop();
    await target.drop();
    await missing.drop();
  });

  test("an unreachable database is reported once at start-up, listed in /db drift, and updated when it answers", async () => {
    await eventually(() => alerts(t).find((m) => m.text.includes(`cannot reach ${missing.name}`)), 10_000, "the unreachable notice");
    assert.match(await command(t, `drift ${missing.name}`), /cannot reach/);
    assert.equal(alerts(t).filter((m) => m.text.includes(missing.name)).length, 1, "reported once");
    assert.match(await command(t, "drift"), new RegExp(`${missing.name}.*unreachable`));

    await targetFor("mysql", "mysql").exec(`CREATE DATABASE \`${missing.name}\``);
    await command(t, `drift ${missing.name}`);
    const notice = alerts(t).find((m) => m.text.includes(missing.name))!;
    assert.match(notice.text, /answers again/);
    assert.equal(notice.edited, 1);
  });

  test("drift that reverts itself resolves its alert; drift that changes further replies in the alert's thread", async () => {
    await target.exec("ALTER TABLE t1 ADD COLUMN temp integer");
    await command(t, `drift ${target.name}`);
    const first = alerts(t).at(-1)!;
    assert.match(first.text, /Schema drift/);
    await target.exec("ALTER TABLE t1 DROP COLUMN temp");
    await command(t, `drift ${target.name}`);
    assert.match(JSON.stringify(first.blocks), /went away by itself/);
    assert.doesNotMatch(await command(t, "drift"), new RegExp(`${target.name}.*schema drift`));

    await target.exec("ALTER TABLE t1 ADD COLUMN age integer");
    await command(t, `drift ${target.name}`);
    const second = alerts(t).at(-1)!;
    assert.notEqual(second.ts, first.ts, "a new drift gets its own alert");
    await target.exec("CREATE INDEX age_idx ON t1 (age)");
    await command(t, `drift ${target.name}`);
    const replies = t.slack.thread(DRIFT_CHANNEL, second.ts);
    assert.equal(replies.length, 1);
    assert.match(JSON.stringify(replies[0]!.blocks), /age_idx/);
    assert.equal(alerts(t).at(-1)!.ts, second.ts, "no new root alert");
    const anomaly = await t.sluice.store.prisma.driftAnomaly.findFirstOrThrow({ where: { status: "open", kind: "drift" } });
    assert.match(anomaly.diff, /age_idx/);
  });

  test("a long diff goes in the alert's thread as a file", async () => {
    const tables = Array.from({ length: 60 }, (_, i) => `CREATE TABLE wide_${i} (id integer PRIMARY KEY, label varchar(20))`).join(";");
    await t.sluice.store.prisma.driftAnomaly.updateMany({ where: { status: "open" }, data: { status: "resolved" } });
    await t.sluice.store.prisma.schemaSnapshot.deleteMany({});
    await firstBaselineNow(t, target.name);
    await target.exec(tables);
    await command(t, `drift ${target.name}`);
    const alert = alerts(t).filter((m) => m.text.includes("Schema drift")).at(-1)!;
    assert.match(JSON.stringify(alert.blocks), /attached as a file/);
    const file = await eventually(() => [...t.slack.files.values()].find((f) => f.threadTs === alert.ts), 10_000, "the diff file");
    assert.match(file.content.toString("utf8"), /wide_59/);
  });
});

describe("drift alerts while Slack is down", () => {
  let target: TargetDatabase;
  let t: TestSluice;
  const driftAlerts = () => alerts(t).filter((m) => m.text.includes("Schema drift"));

  before(async () => {
    target = await createTarget("postgres");
    await target.exec(target.createT1);
    // What Slack did not take is tried again every second (the outbox's sweep), not every 30.
    t = await startWith([target], "drift: { enabled: false, channel: CDRIFT }\ndelivery: { maxRetrySeconds: 1 }");
    await firstBaseline(t, target.name);
  });
  after(async () => {
    t.slack.outage = undefined;
    await t.stop();
    await target.drop();
  });

  test("a drift found while Slack refuses every call is alerted once Slack is back, exactly once, with no further check", async () => {
    await target.exec("ALTER TABLE t1 ADD COLUMN while_down integer");
    // Slack refuses every call (`ok: false`, which no client retries): the alert's post fails.
    t.slack.outage = 200;
    await command(t, `drift ${target.name}`);
    const anomaly = await t.sluice.store.prisma.driftAnomaly.findFirstOrThrow({ where: { status: "open", kind: "drift" } });
    assert.equal(anomaly.slackTs, null, "Slack never took the alert");
    assert.equal(driftAlerts().length, 0);
    assert.equal(await t.sluice.store.prisma.slackOutbox.count({ where: { subject: `drift:${anomaly.id}` } }), 1, "the alert is owed in the outbox");

    t.slack.outage = undefined;
    await eventually(() => driftAlerts()[0], 10_000, "the drift alert");
    await eventually(async () => (await t.sluice.store.prisma.slackOutbox.count()) === 0, 10_000, "the outbox drained");
    await command(t, `drift ${target.name}`);
    assert.equal(driftAlerts().length, 1, "alerted once");
    const alerted = await t.sluice.store.prisma.driftAnomaly.findUniqueOrThrow({ where: { id: anomaly.id } });
    assert.equal(alerted.slackTs, driftAlerts()[0]!.ts, "the alert is recorded on the drift");
  });

  test("the same drift goes away while Slack refuses the alert's update: the alert ends resolved once Slack is back, updated once", async () => {
    const alert = driftAlerts()[0]!;
    const anomaly = await t.sluice.store.prisma.driftAnomaly.findFirstOrThrow({ where: { status: "open", kind: "drift" } });
    assert.equal(anomaly.slackTs, alert.ts);
    const posts = t.slack.callsTo("chat.postMessage").length;

    t.slack.outage = 200;
    await target.exec("ALTER TABLE t1 DROP COLUMN while_down");
    assert.match(await command(t, `drift ${target.name}`), /matches its latest snapshot/);
    const owed = await eventually(async () => (await t.sluice.store.prisma.slackOutbox.findFirst({ where: { subject: `drift:${anomaly.id}`, attempts: { gte: 2 } } })) ?? undefined, 10_000, "the update refused twice");
    assert.equal((owed.payload as { type: string }).type, "drift_resolved");
    assert.equal(alert.edited, 0, "Slack took no update");
    assert.doesNotMatch(JSON.stringify(alert.blocks), /went away by itself/);

    t.slack.outage = undefined;
    await eventually(() => JSON.stringify(alert.blocks).includes("went away by itself"), 10_000, "the alert updated as resolved");
    await eventually(async () => (await t.sluice.store.prisma.slackOutbox.count()) === 0, 10_000, "the outbox drained");
    // Another sweep or two, and another check: nothing more to say.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.match(await command(t, `drift ${target.name}`), /matches its latest snapshot/);
    assert.equal(alert.edited, 1, "the alert is updated exactly once");
    assert.equal(t.slack.callsTo("chat.postMessage").length, posts, "no new message");
  });
});

describe("drift alerts from two replicas on one store while Slack is down", () => {
  let target: TargetDatabase;
  let t: TestSluice;
  let replica: TestSluice;

  before(async () => {
    target = await createTarget("mysql");
    await target.exec(target.createT1);
    const drift = "drift: { enabled: false, channel: CDRIFT }\ndelivery: { maxRetrySeconds: 1 }";
    t = await startWith([target], drift);
    await firstBaseline(t, target.name);
    replica = await startTestSluice({ yaml: driftYaml([{ engine: target.engine, name: target.name }], drift), env: driftEnv(), storeDatabase: t.storeDatabase, sharedSlack: t.slack });
  });
  after(async () => {
    t.slack.outage = undefined;
    await replica.stop();
    await t.stop();
    await target.drop();
  });

  test("a drift found and gone while Slack refused every call: once Slack is back its alert is posted once and updated once", async () => {
    t.slack.outage = 200;
    await target.exec("ALTER TABLE t1 ADD COLUMN passing integer");
    assert.match(await command(t, `drift ${target.name}`), /has drifted/);
    assert.match(await command(replica, `drift ${target.name}`), /has drifted/);
    await target.exec("ALTER TABLE t1 DROP COLUMN passing");
    assert.match(await command(replica, `drift ${target.name}`), /matches its latest snapshot/);
    const anomaly = await t.sluice.store.prisma.driftAnomaly.findFirstOrThrow({ where: { kind: "drift" } });
    const owed = await t.sluice.store.prisma.slackOutbox.findMany({ where: { subject: `drift:${anomaly.id}` }, orderBy: { id: "asc" } });
    assert.deepEqual(owed.map((row) => (row.payload as { type: string }).type), ["drift_detected", "drift_resolved"], "the alert and its update are owed, in order");

    t.slack.outage = undefined;
    const alert = await eventually(() => alerts(t).find((m) => JSON.stringify(m.blocks).includes("went away by itself")), 15_000, "the alert, resolved");
    await eventually(async () => (await t.sluice.store.prisma.slackOutbox.count()) === 0, 10_000, "the outbox drained");
    // Both replicas sweep every second: give them a few more sweeps to post or update it twice.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(alerts(t).length, 1, "one alert");
    assert.equal(alert.edited, 1, "updated once");
    assert.equal((await t.sluice.store.prisma.driftAnomaly.findUniqueOrThrow({ where: { id: anomaly.id } })).slackTs, alert.ts);
  });
});

async function firstBaselineNow(t: TestSluice, name: string): Promise<void> {
  assert.match(await command(t, `drift ${name}`), /is now the baseline/);
}

describe("the scheduled drift check", () => {
  test("runs on drift.schedule and posts to the project's channel when no drift channel is set", async () => {
    const target = await createTarget("postgres");
    await target.exec(target.createT1);
    const t = await startWith([target], 'drift: { schedule: "* * * * * *" }');
    try {
      await firstBaseline(t, target.name);
      await target.exec("ALTER TABLE t1 ADD COLUMN age integer");
      const alert = await eventually(() => t.slack.channelMessages("CPROJECT").find((m) => m.text.includes("Schema drift")), 10_000, "a scheduled alert");
      assert.match(JSON.stringify(alert.blocks), /age/);
    } finally {
      await t.stop();
      await target.drop();
    }
  });
});
