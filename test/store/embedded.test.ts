import assert from "node:assert/strict";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { changeDetailById } from "../../src/store/change-detail.ts";
import { startEmbeddedStore } from "../../src/store/embedded.ts";
import { StoreError } from "../../src/store/errors.ts";
import { openStore, withAdvisoryLock } from "../../src/store/index.ts";
import { eventually } from "../support/sluice.ts";
import { migrationsDir, scratchDir, silentLogger } from "./helpers.ts";

test("the embedded store keeps its history across a restart", async () => {
  const dataDir = join(scratchDir("sluice-embedded"), "data");

  const first = await openStore({ dataDir, migrationsDir, logger: silentLogger });
  try {
    assert.equal(first.embedded, true);
    assert.equal(first.pool.options.max, 1);
    assert.equal(await first.ping(), true);
    const project = await first.prisma.project.create({ data: { key: "TAR", name: "Tarot", slackChannel: "C1" } });
    // An interactive transaction on the single connection, as the change workflow's compare-and-set will use.
    await first.prisma.$transaction(async (tx) => {
      await tx.project.update({ where: { id: project.id }, data: { lastChangeNumber: { increment: 1 } } });
      await tx.auditLog.create({ data: { actorId: "U1", action: "project.bump" } });
    });
  } finally {
    await first.close();
  }
  assert.equal(existsSync(join(dataDir, "pglite.lock")), false);

  const second = await openStore({ dataDir, migrationsDir, logger: silentLogger });
  try {
    const project = await second.prisma.project.findUniqueOrThrow({ where: { key: "TAR" } });
    assert.equal(project.lastChangeNumber, 1);
    assert.equal(await second.prisma.auditLog.count(), 1);
    const migrations = await second.pool.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    assert.equal(migrations.rows[0].n, readdirSync(migrationsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).length, "each migration once");
    // A locked job can use Prisma although the pool's one connection is all there is.
    const count = await withAdvisoryLock(second.pool, 42, () => second.prisma.project.count());
    assert.equal(count, 1);
  } finally {
    await second.close();
  }
});

test("a data directory in use by another Sluice is refused with a clear error", async () => {
  const dataDir = scratchDir("sluice-embedded-busy");
  const running = await startEmbeddedStore(dataDir);
  try {
    await assert.rejects(startEmbeddedStore(dataDir), (error: Error) => {
      assert.ok(error instanceof StoreError);
      assert.match(error.message, /in use by another Sluice process \(pid \d+/);
      return true;
    });
  } finally {
    await running.close();
  }
});

test("a lock left by a process that is gone is taken over", async () => {
  const dataDir = scratchDir("sluice-embedded-stale");
  // Pid 2^22 + 1 is above the largest pid_max Linux allows, so no live process has it.
  writeFileSync(join(dataDir, "pglite.lock"), JSON.stringify({ pid: 4194305, host: "gone", since: "2026-01-01T00:00:00Z" }));
  const store = await startEmbeddedStore(dataDir);
  await store.close();
});

test("a lock naming another live process is respected", async () => {
  const dataDir = scratchDir("sluice-embedded-other");
  writeFileSync(join(dataDir, "pglite.lock"), JSON.stringify({ pid: process.ppid, host: "here", since: new Date().toISOString() }));
  await assert.rejects(startEmbeddedStore(dataDir), new RegExp(`in use by another Sluice process \\(pid ${process.ppid}\\)`));
  assert.equal(existsSync(join(dataDir, "pglite")), false);
});

test("the embedded store works after the pool dropped its idle connection: the next connection starts a clean session", async () => {
  const store = await openStore({ dataDir: join(scratchDir("sluice-embedded-idle"), "data"), migrationsDir, logger: silentLogger, idleTimeoutMs: 50 });
  try {
    // A named prepared statement (as change-detail.ts uses), a setting and a temporary table on the first connection.
    const first = await changeDetailById(store.pool, 1);
    assert.equal(first, undefined);
    await store.pool.query("SET statement_timeout = 4321");
    await store.pool.query("CREATE TEMPORARY TABLE sluice_left_behind (id int)");
    await eventually(() => store.pool.totalCount === 0, 15_000, "the pool to close its idle connection");

    // The pool's next connection is the same PGlite session underneath: it must not see the last one's leftovers.
    assert.equal(await changeDetailById(store.pool, 1), undefined, "the named statement is prepared again without 'already exists'");
    const setting = await store.pool.query<{ statement_timeout: string }>("SHOW statement_timeout");
    assert.equal(setting.rows[0]!.statement_timeout, "0");
    const temp = await store.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'sluice_left_behind'");
    assert.equal(temp.rows[0]!.n, 0);
    assert.equal(await store.prisma.project.count(), 0, "Prisma works on the new connection too");
  } finally {
    await store.close();
  }
});
