// A change's detail is read in one prepared statement answered as JSON (src/store/change-detail.ts). It must give
// exactly what Prisma's include gives (same fields, same types, same order), for every kind of change: a schema
// change with snapshots and findings, a data change that failed, a rollback with its source and approvals.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { changeDetail, type ChangeDetail } from "../../src/store/changes.ts";
import { APPROVER, DEVELOPER, onMysql, onPostgres, startWithTestDatabases, waitForStatus, type SluiceWithDatabases } from "../support/changes.ts";

describe("a change's detail", () => {
  let world: SluiceWithDatabases;
  before(async () => {
    world = await startWithTestDatabases("sluice_detail");
    await onMysql(world.mysqlDb, "CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(40) NOT NULL)");
    await onMysql(world.mysqlDb, "INSERT INTO notes VALUES (1, 'one'), (2, 'two')");
  });
  after(() => world.stop());

  async function submit(database: string, type: "data" | "schema", sql: string): Promise<ChangeDetail> {
    const { change } = await world.t.sluice.services.workflow.submit({ database, type, sql, description: "detail", requesterId: DEVELOPER.id });
    return change;
  }

  /** What Prisma's include reads for the change, with the tally counted from its statements and results. */
  async function throughPrisma(id: number): Promise<ChangeDetail> {
    const prisma = world.t.sluice.store.prisma;
    const { sql, ...change } = await prisma.change.findUniqueOrThrow({ where: { id }, include: changeDetail });
    const statements = await prisma.statement.findMany({ where: { changeId: id }, orderBy: { ordinal: "asc" } });
    const failed = statements.find((s) => s.status === "failed");
    const lastRun = change.executions.at(-1);
    const results = lastRun ? await prisma.statementResult.findMany({ where: { executionId: lastRun.id } }) : [];
    return {
      ...change,
      tally: {
        total: statements.length,
        done: statements.filter((s) => s.status === "done").length,
        ...(failed ? { failed: { ordinal: failed.ordinal, line: failed.line } } : {}),
        rowsAffected: results.reduce((sum, r) => sum + (r.rowsAffected ?? 0), 0),
        durationMs: results.reduce((sum, r) => sum + (r.durationMs ?? 0), 0),
      },
      sqlHead: sql.slice(0, 4000),
      sqlCut: sql.length > 4000,
    };
  }

  async function assertSameAsPrisma(id: number): Promise<ChangeDetail> {
    const { changes } = world.t.sluice.services;
    const detail = await changes.get(id);
    assert.deepEqual(detail, await throughPrisma(id));
    assert.deepEqual(await changes.findByKey(detail.key), detail, "by key as by id");
    return detail;
  }

  test("a schema change with its snapshots, review findings and execution", async () => {
    const change = await submit(world.pgDb, "schema", "CREATE TABLE plain (note TEXT);\nCREATE TABLE second (id INT PRIMARY KEY);");
    await waitForStatus(world.t, change.key, "done");
    const detail = await assertSameAsPrisma(change.id);
    assert.ok(detail.snapshots.length >= 2, "snapshots before and after");
    assert.ok(detail.snapshots[0]!.createdAt instanceof Date && detail.executions[0]!.startedAt instanceof Date);
    assert.ok(detail.reviews[0]!.findings.length > 0, "the review found something to say");
    assert.equal(detail.tally.total, 2);
    assert.equal(detail.tally.done, 2);
  });

  test("a data change that failed, with the statement it failed on", async () => {
    const change = await submit(world.mysqlDb, "data", "UPDATE notes SET body = 'uno' WHERE id = 1;\nINSERT INTO notes VALUES (1, 'again');");
    await waitForStatus(world.t, change.key, "failed");
    const detail = await assertSameAsPrisma(change.id);
    assert.deepEqual(detail.tally.failed, { ordinal: 1, line: 2 });
    assert.equal(detail.executions[0]!.error !== null, true);
    // The detail modal's statements: each with its result in the last execution, as Prisma reads them.
    const prisma = world.t.sluice.store.prisma;
    const statements = await prisma.statement.findMany({ where: { changeId: change.id }, orderBy: { ordinal: "asc" }, include: { results: true } });
    const shown = await world.t.sluice.services.changes.shownStatements(detail, 10);
    assert.deepEqual(
      shown,
      statements.map(({ results, ...statement }) => (results[0] ? { ...statement, result: results[0] } : statement)),
    );
    assert.deepEqual(shown.map((s) => s.result?.status), ["rolled_back", "failed"]);
    assert.ok(shown[1]!.result!.startedAt instanceof Date);
    assert.equal((await world.t.sluice.services.changes.shownStatements(detail, 1)).length, 1, "no more than asked");
  });

  test("a rollback change with the change it undoes and its approval; SQL past 4,000 characters is cut", async () => {
    const values = Array.from({ length: 300 }, (_, i) => `(${100 + i}, 'row ${i}')`).join(", ");
    const change = await submit(world.mysqlDb, "data", `INSERT INTO notes VALUES ${values}`);
    await waitForStatus(world.t, change.key, "done");
    const { workflow } = world.t.sluice.services;
    const prepared = await workflow.prepareRollback(change.id, DEVELOPER.id);
    assert.ok(prepared.ok, prepared.ok ? "" : prepared.reason);
    assert.ok((await workflow.approve(prepared.change.id, APPROVER.id)).ok);
    await waitForStatus(world.t, prepared.change.key, "done");
    const detail = await assertSameAsPrisma(prepared.change.id);
    assert.deepEqual(detail.rollbackOf, { id: change.id, key: change.key }, "the change it undoes, named, without its SQL");
    assert.deepEqual(detail.approvals.map((a) => a.userId), [APPROVER.id]);
    assert.equal(detail.sqlCut, true);
    assert.equal(detail.sqlHead.length, 4000);
    assert.equal(detail.tally.rowsAffected, 300);
  });

  test("a change that does not exist is an error, and no change by an unknown key", async () => {
    const { changes } = world.t.sluice.services;
    await assert.rejects(changes.get(987_654), /There is no change 987654 in Sluice's history/);
    assert.equal(await changes.findByKey("NOPE-1"), null);
  });
});
