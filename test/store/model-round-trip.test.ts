// Every model through Prisma against the migrated schema: proves migration.sql matches prisma/schema.prisma.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { openStore, type Store } from "../../src/store/index.ts";
import { dropPostgresDatabase } from "../support/servers.ts";
import { freshDatabase, migrationsDir, scratchDir, silentLogger } from "./helpers.ts";

let store: Store | undefined;
let database: string | undefined;
after(async () => {
  await store?.close();
  if (database) await dropPostgresDatabase(database);
});

test("a change's whole life is written and read back through every model", async () => {
  const db = await freshDatabase();
  database = db.name;
  store = await openStore({ databaseUrl: db.url, dataDir: scratchDir("sluice-unused"), migrationsDir, logger: silentLogger });
  assert.equal(store.embedded, false);
  const { prisma } = store;

  const instance = await prisma.instance.create({ data: { name: "aurora-prod", engine: "postgres", host: "db.internal", port: 5432 } });
  const environment = await prisma.environment.create({ data: { name: "Prod", allowSelfApproval: false } });
  const project = await prisma.project.create({ data: { key: "TAR", name: "Tarot", slackChannel: "C123", lastChangeNumber: 1 } });
  const database_ = await prisma.database.create({
    data: { name: "tarot", instanceId: instance.id, environmentId: environment.id, projectId: project.id },
  });
  const change = await prisma.change.create({
    data: {
      projectId: project.id,
      number: 1,
      key: "TAR-1",
      databaseId: database_.id,
      type: "data",
      sql: "UPDATE cards SET suit = 'cups' WHERE id = 1;",
      requesterId: "U1",
      requestKey: "req-1",
      statements: { create: [{ ordinal: 1, sql: "UPDATE cards SET suit = 'cups' WHERE id = 1", line: 1, column: 1 }] },
    },
    include: { statements: true },
  });
  const statement = change.statements[0]!;
  await prisma.review.create({
    data: {
      changeId: change.id,
      errorCount: 0,
      warningCount: 1,
      findings: { create: [{ statementOrdinal: 1, line: 1, column: 1, ruleId: "dml.where-required", level: "warning", message: "no index" }] },
    },
  });
  await prisma.approval.create({ data: { changeId: change.id, userId: "U2", decision: "override", reason: "hotfix" } });
  const execution = await prisma.execution.create({
    data: {
      changeId: change.id,
      attempt: 1,
      runnerId: "replica-a",
      backupTables: [{ table: "cards", backup: "_sluice_bak_1" }],
      results: { create: [{ statementId: statement.id, status: "done", rowsAffected: 1, durationMs: 3, finishedAt: new Date() }] },
    },
  });
  await prisma.execution.update({ where: { id: execution.id }, data: { status: "done", finishedAt: new Date() } });
  const snapshot = await prisma.schemaSnapshot.create({
    data: { databaseId: database_.id, changeId: change.id, kind: "after", schema: "CREATE TABLE cards (...)", fingerprint: "abc" },
  });
  const rollbackChange = await prisma.change.create({
    data: {
      projectId: project.id,
      number: 2,
      key: "TAR-2",
      databaseId: database_.id,
      type: "rollback",
      sql: "UPDATE cards SET suit = 'wands' WHERE id = 1;",
      requesterId: "U1",
      rollbackOfId: change.id,
    },
  });
  await prisma.rollback.create({
    data: { sourceChangeId: change.id, rollbackChangeId: rollbackChange.id, rowCount: 1 },
  });
  await prisma.driftAnomaly.create({
    data: { databaseId: database_.id, kind: "drift", snapshotId: snapshot.id, liveFingerprint: "def", diff: "+ column x" },
  });
  await prisma.auditLog.create({
    data: { actorId: "U2", action: "admin.execute", databaseId: database_.id, sql: "VACUUM", detail: { rows: 0, ok: true } },
  });

  const readBack = await prisma.change.findUniqueOrThrow({
    where: { key: "TAR-1" },
    include: {
      project: true,
      database: { include: { instance: true, environment: true, anomalies: { include: { snapshot: true } } } },
      statements: { include: { results: true } },
      reviews: { include: { findings: true } },
      approvals: true,
      executions: { include: { results: true } },
      snapshots: true,
      rollbacks: { include: { rollbackChange: true } },
      rolledBackBy: true,
    },
  });
  assert.equal(readBack.status, "review");
  assert.equal(readBack.description, "");
  assert.equal(readBack.project.key, "TAR");
  assert.equal(readBack.database.instance.engine, "postgres");
  assert.equal(readBack.database.environment.autoApprove, false);
  assert.equal(readBack.database.anomalies[0]?.status, "open");
  assert.equal(readBack.database.anomalies[0]?.snapshot?.fingerprint, "abc");
  assert.equal(readBack.statements[0]?.status, "pending");
  assert.equal(readBack.statements[0]?.results[0]?.rowsAffected, 1);
  assert.equal(readBack.reviews[0]?.findings[0]?.level, "warning");
  assert.equal(readBack.reviews[0]?.findings[0]?.advice, "");
  assert.equal(readBack.approvals[0]?.decision, "override");
  assert.equal(readBack.executions[0]?.status, "done");
  assert.deepEqual(readBack.executions[0]?.backupTables, [{ table: "cards", backup: "_sluice_bak_1" }]);
  assert.equal(readBack.snapshots[0]?.kind, "after");
  assert.equal(readBack.rollbacks[0]?.rollbackChange.key, "TAR-2");
  assert.equal(readBack.rolledBackBy[0]?.key, "TAR-2");
  assert.ok(readBack.updatedAt instanceof Date);

  const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "admin.execute" } });
  assert.deepEqual(audit.detail, { rows: 0, ok: true });

  // The unique constraints Sluice relies on for idempotency exist under Prisma's names.
  await assert.rejects(
    prisma.change.create({
      data: { projectId: project.id, number: 1, key: "TAR-1b", databaseId: database_.id, type: "schema", sql: "", requesterId: "U1" },
    }),
    /Unique constraint failed/,
  );
  const indexes = await store.pool.query<{ indexname: string }>(
    `SELECT indexname FROM pg_indexes WHERE tablename = 'Change' ORDER BY indexname`,
  );
  assert.deepEqual(
    indexes.rows.map((row) => row.indexname),
    ["Change_databaseId_createdAt_idx", "Change_key_key", "Change_pkey", "Change_projectId_number_key", "Change_requestKey_key"],
  );

  // Deleting a change cascades to its statements, reviews, approvals and executions, as the schema says.
  await prisma.rollback.deleteMany({});
  await prisma.change.update({ where: { id: rollbackChange.id }, data: { rollbackOfId: null } });
  await prisma.change.delete({ where: { id: rollbackChange.id } });
  await prisma.driftAnomaly.deleteMany({});
  await prisma.change.delete({ where: { id: change.id } });
  assert.equal(await prisma.statementResult.count(), 0);
  assert.equal(await prisma.finding.count(), 0);
  assert.equal(await prisma.approval.count(), 0);
  const orphan = await prisma.schemaSnapshot.findUniqueOrThrow({ where: { id: snapshot.id } });
  assert.equal(orphan.changeId, null);
});
