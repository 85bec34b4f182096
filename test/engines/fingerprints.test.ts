// Many databases' fingerprints read together equal each database's own, and a missing database is left out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { engineFor } from "../../src/engines/index.ts";
import type { EngineName } from "../../src/engines/engine.ts";
import { createMysqlDatabase, createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase, mysqlServer, postgresServer } from "../support/servers.ts";

const limits = { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 };
const servers = {
  mysql: { server: mysqlServer, create: createMysqlDatabase, drop: dropMysqlDatabase, table: "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))" },
  postgres: { server: postgresServer, create: createPostgresDatabase, drop: dropPostgresDatabase, table: "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20))" },
};

for (const engineName of ["mysql", "postgres"] as EngineName[]) {
  test(`${engineName}: fingerprints read together match each database's own`, async () => {
    const { server, create, drop, table } = servers[engineName];
    const engine = engineFor(engineName);
    const names = [await create("fp_a"), await create("fp_b")];
    try {
      const target = { ...server(), connectTimeoutMs: 5_000 };
      const own = new Map<string, string>();
      for (const [index, name] of names.entries()) {
        const session = await engine.connect({ ...target, database: name }, limits);
        try {
          if (index === 0) await session.execute(table);
          own.set(name, await session.schemaFingerprint());
        } finally {
          await session.close();
        }
      }
      assert.notEqual(own.get(names[0]!), own.get(names[1]!), "different schemas have different fingerprints");
      const together = await engine.schemaFingerprints(target, [...names, "fp_missing_database"], limits);
      assert.deepEqual([...together.entries()].sort(), [...own.entries()].sort());
    } finally {
      for (const name of names) await drop(name);
    }
  });
}
