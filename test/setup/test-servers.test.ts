// The suite's own start-up: a newcomer's clone runs `npm test` as an ordinary user or as root, from any directory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { ensurePostgres, mariaDbProgram, PrerequisiteError, startPrivateMariaDb, type ServerUser } from "../support/servers.ts";

const isRoot = process.getuid?.() === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An ordinary user to run the server as: the one running the suite, or `nobody` when the suite runs as root. */
function ordinaryUser(): ServerUser | undefined {
  if (!isRoot) return undefined;
  return { uid: Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", "nobody"], { encoding: "utf8" })) };
}

async function binlogState(port: number): Promise<number> {
  const conn = await mysql.createConnection({ host: "127.0.0.1", port, user: "root", password: "" });
  try {
    const [rows] = await conn.query("SELECT @@log_bin AS logBin");
    return (rows as Array<{ logBin: number }>)[0]!.logBin;
  } finally {
    await conn.end();
  }
}

test("a private MariaDB starts as an ordinary user, from a directory whose path has spaces", async () => {
  const runAs = ordinaryUser();
  const parent = mkdtempSync(join(tmpdir(), "sluice newcomer "));
  const dataDir = join(parent, "data dir");
  try {
    mkdirSync(parent, { recursive: true });
    if (runAs) execFileSync("chown", [`${runAs.uid}:${runAs.gid}`, parent]);
    const server = await startPrivateMariaDb({ dataDir, port: await freePort(), binlog: true, runAs });
    try {
      assert.equal(statSync(join(dataDir, "mysql")).uid, runAs?.uid ?? process.getuid?.());
      assert.equal(await binlogState(server.port), 1);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("as root, a private MariaDB starts in a directory no other user may enter", { skip: !isRoot && "only root can show this" }, async () => {
  const parent = mkdtempSync(join(tmpdir(), "sluice-root-"));
  try {
    assert.equal(statSync(parent).mode & 0o077, 0);
    const server = await startPrivateMariaDb({ dataDir: join(parent, "data"), port: await freePort(), binlog: false });
    try {
      assert.equal(await binlogState(server.port), 0);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("the MariaDB programs are found in sbin when PATH does not name it", () => {
  const path = process.env.PATH;
  process.env.PATH = "/usr/bin:/bin";
  try {
    assert.match(mariaDbProgram("mariadbd"), /\/mariadbd$/);
  } finally {
    process.env.PATH = path;
  }
});

test("a failed start shows the server's own reason", async () => {
  const parent = mkdtempSync(join(tmpdir(), "sluice-bad-"));
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = blocker.address() as AddressInfo;
    await assert.rejects(startPrivateMariaDb({ dataDir: join(parent, "data"), port, binlog: false }), (error: unknown) => {
      assert.ok(error instanceof PrerequisiteError);
      assert.match(error.message, new RegExp(`did not start on port ${port}`));
      assert.match(error.message, /Address already in use|Can't start server/);
      return true;
    });
  } finally {
    blocker.close();
    rmSync(parent, { recursive: true, force: true });
  }
});

test("PostgreSQL that is down or refuses the user gets one line that says what to do", async () => {
  await assert.rejects(ensurePostgres({ host: "127.0.0.1", port: await freePort(), user: "postgres", password: "" }), (error: unknown) => {
    assert.ok(error instanceof PrerequisiteError);
    assert.match(error.message, /^No PostgreSQL answers on 127\.0\.0\.1:\d+: start it .* or set SLUICE_TEST_PG_URL/);
    return true;
  });
  await assert.rejects(ensurePostgres({ host: "127.0.0.1", port: 5432, user: "no_such_sluice_role", password: "" }), (error: unknown) => {
    assert.ok(error instanceof PrerequisiteError);
    assert.match(error.message, /refused user no_such_sluice_role .*pg_hba\.conf.*SLUICE_TEST_PG_URL/);
    return true;
  });
});
