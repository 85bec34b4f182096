import { test } from "node:test";
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { mysqlServer } from "./support/servers.ts";
test("the test MariaDB has binlog on", async () => {
  const c = await mysql.createConnection(mysqlServer());
  const [rows] = await c.query("SELECT @@log_bin AS b");
  await c.end();
  assert.equal((rows as Array<{ b: number }>)[0]?.b, 1);
});
