// The sandbox's demo instance: one Postgres endpoint, one PGlite per database, routed by the startup packet's
// database name, so "create a database" in the sandbox gives a database of its own, as on a real server.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startDemoInstance, type DemoInstance } from "../../src/sandbox/demo-instance.ts";

async function withClient<T>(instance: DemoInstance, database: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: instance.host, port: instance.port, user: "postgres", database });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const tableNames = (instance: DemoInstance, database: string) =>
  withClient(instance, database, async (c) => (await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t));

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a demo instance", () => {
  let dir: string;
  let instance: DemoInstance;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sluice-demo-instance-"));
    instance = await startDemoInstance(dir, { idleMs: 50 });
  });

  after(async () => {
    await instance?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("CREATE DATABASE on the instance makes a separate database that clients can connect to by name", async () => {
    await withClient(instance, "postgres", (c) => c.query("CREATE DATABASE db_a"));
    await withClient(instance, "db_a", async (c) => {
      await c.query("CREATE TABLE t1 (id integer PRIMARY KEY, name text)");
      await c.query("INSERT INTO t1 VALUES (1, 'Adela')");
    });
    assert.deepEqual(await tableNames(instance, "db_a"), ["t1"]);
    assert.deepEqual(await tableNames(instance, "postgres"), [], "the catalog database does not see db_a's table");
    const listed = await withClient(instance, "postgres", async (c) => (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname = 'db_a'")).rows);
    assert.deepEqual(listed, [{ datname: "db_a" }]);
  });

  test("two databases are independent, also with connections open to both at once", async () => {
    await withClient(instance, "postgres", (c) => c.query("CREATE DATABASE db_b"));
    const a = new pg.Client({ host: instance.host, port: instance.port, user: "postgres", database: "db_a" });
    const b = new pg.Client({ host: instance.host, port: instance.port, user: "postgres", database: "db_b" });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await b.query("CREATE TABLE t2 (id integer)");
      const [inA, inB] = await Promise.all([a.query("SELECT to_regclass('t2') AS t"), b.query("SELECT to_regclass('t2') AS t")]);
      assert.equal(inA.rows[0].t, null);
      assert.equal(inB.rows[0].t, "t2");
      assert.ok(["db_a", "db_b"].every((name) => instance.openDatabases().includes(name)), `open: ${instance.openDatabases().join(", ")}`);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  test("a database the catalog does not list is refused like a real server does (3D000)", async () => {
    await assert.rejects(
      withClient(instance, "nope", (c) => c.query("SELECT 1")),
      (error: Error & { code?: string }) => error.code === "3D000" && /database "nope" does not exist/.test(error.message),
    );
  });

  test("an SSLRequest is answered N (no TLS on loopback)", async () => {
    const socket = connect(instance.port, instance.host);
    try {
      const request = Buffer.alloc(8);
      request.writeInt32BE(8, 0);
      request.writeInt32BE(80877103, 4);
      socket.write(request);
      const answer = await new Promise<string>((resolve) => socket.once("data", (data: Buffer) => resolve(data.toString())));
      assert.equal(answer, "N");
    } finally {
      socket.destroy();
    }
  });

  test("idle PGlites, the catalog's too, are closed, and reopened with their data on the next connection", async () => {
    await waitUntil(() => instance.openDatabases().length === 0, "every database is closed");
    const names = await withClient(instance, "db_a", async (c) => (await c.query<{ name: string }>("SELECT name FROM t1")).rows.map((r) => r.name));
    assert.deepEqual(names, ["Adela"]);
  });

  test("a dropped and re-created database starts empty", async () => {
    await waitUntil(() => !instance.openDatabases().includes("db_b"), "db_b is closed");
    await withClient(instance, "postgres", async (c) => {
      await c.query("DROP DATABASE db_b");
      await c.query("CREATE DATABASE db_b");
    });
    assert.deepEqual(await tableNames(instance, "db_b"), []);
  });

  test("the databases survive a restart of the instance", async () => {
    await instance.close();
    instance = await startDemoInstance(dir, { idleMs: 50 });
    assert.deepEqual(await tableNames(instance, "db_a"), ["t1"]);
  });
});
