import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { engineFor } from "../../src/engines/index.ts";
import { latestSnapshot, recordSnapshot, StaleAnomalyError } from "../../src/drift/index.ts";
import { DRIFT_LOCK } from "../../src/drift/monitor.ts";
import { withAdvisoryLock } from "../../src/store/index.ts";
import { createTarget, driftYaml, engines, targetFor, type TargetDatabase } from "./support/target.ts";
import { openDriftWorld, type DriftWorld } from "./support/world.ts";

for (const engine of engines) {
  describe(`drift detection on ${engine}`, () => {
    let target: TargetDatabase;
    let missing: TargetDatabase;
    let world: DriftWorld;

    before(async () => {
      target = await createTarget(engine);
      await target.exec(target.createT1);
      missing = targetFor(engine, `drift_missing_${process.pid}_${engine}`);
      await missing.drop();
      world = await openDriftWorld(driftYaml([{ engine, name: target.name }, { engine, name: missing.name }]));
    });
    after(async () => {
      await world.close();
      await target.drop();
      await missing.drop();
    });

    const database = () => world.registry.find(target.name);
    const check = () => world.monitor.checkNow(database(), world.notify);
    const eventsSince = (count: number) => world.events.slice(count).map((e) => `${e.type} ${e.database.name}`);

    test("a database without a snapshot gets its first baseline, and the next check finds nothing", async () => {
      const first = await check();
      assert.equal(first.outcome, "baselined");
      const snapshot = await latestSnapshot(world.store.prisma, database().id);
      assert.equal(snapshot?.kind, "baseline");
      assert.match(snapshot!.schema, /t1/);
      const second = await check();
      assert.equal(second.outcome, "in_sync");
      assert.equal(second.fingerprintOnly, true, "an unchanged database is decided by its fingerprint alone");
      assert.deepEqual(second.events, []);
    });

    test("busy writes between two checks are not drift: counters, row counts and statistics are ignored", async () => {
      const session = await engineFor(engine).connect(world.registry.target(database().instance, target.name), { statementTimeoutMs: 0, lockTimeoutMs: 5000 });
      try {
        const dumpBefore = await session.dumpSchema();
        const fingerprintBefore = await session.schemaFingerprint();
        const before = world.events.length;
        const writes = Array.from({ length: 20 }, (_, i) => `INSERT INTO t1 (name) VALUES ('row ${i}')`).join(";");
        await Promise.all([target.exec(writes), check(), target.exec(writes)]);
        await target.exec(`DELETE FROM t1 WHERE name LIKE 'row 1%'; UPDATE t1 SET name = 'renamed' WHERE name = 'row 2'`);
        for (const maintenance of engine === "mysql" ? ["ANALYZE TABLE t1", "OPTIMIZE TABLE t1"] : ["ANALYZE t1", "VACUUM FULL t1"]) await target.exec(maintenance);
        const after = await check();
        assert.equal(after.outcome, "in_sync");
        assert.equal(after.fingerprintOnly, true);
        assert.deepEqual(eventsSince(before), []);
        assert.equal(await session.schemaFingerprint(), fingerprintBefore);
        assert.equal(await session.dumpSchema(), dumpBefore);
      } finally {
        await session.close();
      }
    });

    test("ALTER TABLE t1 ADD COLUMN age integer outside Sluice is drift, alerted once, with the diff", async () => {
      const before = world.events.length;
      await target.exec("ALTER TABLE t1 ADD COLUMN age integer");
      const found = await check();
      assert.equal(found.outcome, "drifted");
      assert.deepEqual(eventsSince(before), [`drift_detected ${target.name}`]);
      const diff = found.anomaly!.diff;
      assert.match(diff, /^\+.*\bage\b.*int/m, diff);
      assert.doesNotMatch(diff, /^-.*\bage\b/m);
      assert.match(diff, /^--- .*\(snapshot\)/m);
      const again = await check();
      assert.equal(again.outcome, "drifted");
      assert.equal(again.fingerprintOnly, true, "the same drift is recognized by its fingerprint");
      assert.deepEqual(eventsSince(before), [`drift_detected ${target.name}`], "the same drift is alerted once");
    });

    test("drift that changes further is reported as changed, with the anomaly's diff updated", async () => {
      const before = world.events.length;
      await target.exec("ALTER TABLE t1 ADD COLUMN city varchar(40)");
      const changed = await check();
      assert.deepEqual(eventsSince(before), [`drift_changed ${target.name}`]);
      assert.match(changed.anomaly!.diff, /^\+.*\bcity\b/m);
      assert.match(changed.anomaly!.diff, /^\+.*\bage\b/m);
      const open = await world.store.prisma.driftAnomaly.findMany({ where: { databaseId: database().id, status: "open" } });
      assert.equal(open.length, 1, "one anomaly per drift, updated in place");
      assert.equal(open[0]!.diff, changed.anomaly!.diff);
    });

    test("drift that reverts itself resolves its anomaly", async () => {
      const before = world.events.length;
      await target.exec("ALTER TABLE t1 DROP COLUMN city");
      await target.exec("ALTER TABLE t1 DROP COLUMN age");
      const reverted = await check();
      assert.equal(reverted.outcome, "in_sync");
      assert.deepEqual(eventsSince(before), [`drift_resolved ${target.name}`]);
      const resolved = world.events.at(-1)!.anomaly;
      assert.equal(resolved.status, "resolved");
      assert.equal(resolved.resolvedBy, null);
    });

    test("a new baseline records a done baseline change with the next key, and the next check is quiet", async () => {
      await target.exec("ALTER TABLE t1 ADD COLUMN age integer");
      const found = await check();
      const baseline = await world.monitor.establishBaseline(database(), found.anomaly!.id, "UAPPROVER");
      assert.equal(baseline.change.key, "DRF-1");
      assert.equal(baseline.change.type, "baseline");
      assert.equal(baseline.change.status, "done");
      assert.equal(baseline.change.requesterId, "UAPPROVER");
      assert.equal(baseline.snapshot.kind, "baseline");
      assert.equal(baseline.snapshot.changeId, baseline.change.id);
      assert.match(baseline.snapshot.schema, /\bage\b/);
      assert.equal(baseline.anomaly.status, "resolved");
      assert.equal(baseline.anomaly.resolvedBy, "UAPPROVER");
      assert.equal((await latestSnapshot(world.store.prisma, database().id))!.id, baseline.snapshot.id);

      await assert.rejects(world.monitor.establishBaseline(database(), found.anomaly!.id, "UAPPROVER"), StaleAnomalyError);
      assert.equal(await world.store.prisma.change.count({ where: { databaseId: database().id } }), 1, "a stale baseline changes nothing");

      const before = world.events.length;
      const next = await check();
      assert.equal(next.outcome, "in_sync");
      assert.equal(next.fingerprintOnly, true);
      assert.deepEqual(eventsSince(before), []);
    });

    test("a snapshot recorded by the change workflow is the new reference", async () => {
      await target.exec("ALTER TABLE t1 ADD COLUMN note varchar(10)");
      const session = await engineFor(engine).connect(world.registry.target(database().instance, target.name), { statementTimeoutMs: 0, lockTimeoutMs: 5000 });
      try {
        await recordSnapshot(world.store.prisma, database().id, "after", await session.dumpSchema(), await session.schemaFingerprint());
      } finally {
        await session.close();
      }
      const before = world.events.length;
      assert.equal((await check()).outcome, "in_sync");
      assert.deepEqual(eventsSince(before), []);
    });

    test("a snapshot whose fingerprint an unchanged schema no longer gives is dumped once, then its fingerprint is refreshed", async () => {
      // As after an upgrade of Sluice or of the server changes how the fingerprint comes out for the same schema.
      const snapshot = (await latestSnapshot(world.store.prisma, database().id))!;
      await world.store.prisma.schemaSnapshot.update({ where: { id: snapshot.id }, data: { fingerprint: "fingerprint of another formula" } });
      const before = world.events.length;
      const dumped = await check();
      assert.equal(dumped.outcome, "in_sync");
      assert.equal(dumped.fingerprintOnly, false, "a fingerprint that differs is settled by the dump");
      const refreshed = (await latestSnapshot(world.store.prisma, database().id))!;
      assert.equal(refreshed.id, snapshot.id, "no new snapshot: the schema is the same");
      assert.equal(refreshed.schema, snapshot.schema);
      assert.notEqual(refreshed.fingerprint, "fingerprint of another formula");
      const next = await check();
      assert.equal(next.outcome, "in_sync");
      assert.equal(next.fingerprintOnly, true, "the next check is decided by the fingerprint alone again");
      assert.deepEqual(eventsSince(before), []);
    });

    test("an unreachable database is reported once, not as drift, and resolved when it answers again", async () => {
      const gone = world.registry.find(missing.name);
      const before = world.events.length;
      const first = await world.monitor.checkNow(gone, world.notify);
      assert.equal(first.outcome, "unreachable");
      const second = await world.monitor.checkNow(gone, world.notify);
      assert.equal(second.outcome, "unreachable");
      assert.deepEqual(eventsSince(before), [`unreachable ${missing.name}`]);
      const event = world.events.at(-1)!;
      assert.equal(event.type === "unreachable" && event.reason.length > 0, true);
      assert.equal(await world.store.prisma.driftAnomaly.count({ where: { databaseId: gone.id, kind: "drift" } }), 0);

      if (engine === "mysql") await targetFor("mysql", "mysql").exec(`CREATE DATABASE \`${missing.name}\``);
      else await targetFor("postgres", "postgres").exec(`CREATE DATABASE "${missing.name}"`);
      const back = await world.monitor.checkNow(gone, world.notify);
      assert.equal(back.outcome, "baselined", "a database first seen now gets its first baseline");
      assert.deepEqual(eventsSince(before), [`unreachable ${missing.name}`, `reachable_again ${missing.name}`]);
      assert.equal(await world.store.prisma.driftAnomaly.count({ where: { databaseId: gone.id, status: "open" } }), 0);
    });

    test("a scheduled run does nothing while another run holds the drift lock", async () => {
      const skipped = await withAdvisoryLock(world.store.pool, DRIFT_LOCK, () => world.monitor.runScheduled(world.notify));
      assert.equal(skipped, undefined);
      const run = await world.monitor.runScheduled(world.notify);
      assert.equal(run?.checked, 2);
      assert.equal(run?.failed, 0);
    });
  });
}
