// Issue 20: GET /healthz is unauthenticated. A burst of requests costs each instance at most one connection (one
// cached probe, single flight), and the answer names each instance as ok or degraded, nothing more: its address,
// account and the server's message go to the log only.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import mysql from "mysql2/promise";
import { pino } from "pino";
import { mysqlServer } from "../support/servers.ts";
import { eventually, startTestSluice, type TestSluice } from "../support/sluice.ts";

const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
/** The account the reachable instance is probed with: its connections are counted by the server. */
const PROBE_USER = `health_${suffix}`;
const UNKNOWN_USER = `nobody_${suffix}`;
const REFUSED_USER = `refused_${suffix}`;
/** The password of the account that is refused: it is in neither the answer nor the log. */
const DENIED_PASSWORD = `pw-${suffix}`;

async function onServer<T>(work: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection(mysqlServer());
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}

/** Connections the server counted for PROBE_USER (MariaDB's user statistics, switched on for this test). */
async function probeConnections(): Promise<number> {
  return onServer(async (conn) => {
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT TOTAL_CONNECTIONS FROM information_schema.USER_STATISTICS WHERE USER = ?", [PROBE_USER]);
    return Number(rows[0]?.TOTAL_CONNECTIONS ?? 0);
  });
}

const server = mysqlServer();

/** sluice.yml with an instance that answers, one whose account is refused and one where nothing listens. */
function healthYaml(probeIntervalSeconds: number): string {
  return `
environments:
  - name: Test
instances:
  - { name: probed, engine: mysql, host: ${server.host}, port: ${server.port}, user: ${PROBE_USER} }
  - { name: denied, engine: mysql, host: ${server.host}, port: ${server.port}, user: ${UNKNOWN_USER}, passwordEnv: HEALTH_DENIED_PASSWORD }
  - { name: refused, engine: mysql, host: 127.0.0.1, port: 1, user: ${REFUSED_USER} }
health: { probeIntervalSeconds: ${probeIntervalSeconds} }
`;
}

describe("GET /healthz", () => {
  const logLines: string[] = [];
  const logger = pino({ level: "info" }, new Writable({ write: (chunk: Buffer, _encoding, done) => done(void logLines.push(chunk.toString())) }));
  let t: TestSluice;

  before(async () => {
    await onServer(async (conn) => {
      await conn.query("SET GLOBAL userstat = 1");
      for (const host of ["%", "localhost"]) await conn.query(`CREATE USER '${PROBE_USER}'@'${host}'`);
    });
    // A probe good for an hour: however slowly a busy machine serves the burst, no second probe is due during it.
    t = await startTestSluice({ yaml: healthYaml(3600), logger, env: { HEALTH_DENIED_PASSWORD: DENIED_PASSWORD } });
  });
  after(async () => {
    await t.stop();
    await onServer(async (conn) => {
      for (const host of ["%", "localhost"]) await conn.query(`DROP USER IF EXISTS '${PROBE_USER}'@'${host}'`);
    });
  });

  test("200 concurrent requests cost the instance one connection, and the next ones none; all get the same answer", async () => {
    const before = await probeConnections();
    const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(`${t.baseUrl}/healthz`).then(async (r) => ({ status: r.status, body: await r.text() }))));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    assert.equal(new Set(answers.map((a) => a.body)).size, 1, "one probe answered them all");
    assert.equal((await probeConnections()) - before, 1, "one connection for 200 requests");
    await Promise.all(Array.from({ length: 50 }, () => fetch(`${t.baseUrl}/healthz`).then((r) => r.text())));
    assert.equal((await probeConnections()) - before, 1, "the next requests are answered from the probe just made");
  });

  test("the answer names each instance ok or degraded, and nothing else; the log says why one is degraded", async () => {
    const response = await fetch(`${t.baseUrl}/healthz`);
    const body = await response.text();
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(body), { status: "degraded", store: "ok", instances: { probed: "ok", denied: "degraded", refused: "degraded" } });
    for (const detail of [server.host, String(server.port), UNKNOWN_USER, REFUSED_USER, DENIED_PASSWORD, "Access denied", "ECONNREFUSED"]) {
      assert.ok(!body.includes(detail), `the answer does not show ${detail}`);
    }
    const logged = (instance: string) => logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.instance === instance);
    assert.deepEqual(
      { ...logged("denied"), reason: undefined, time: undefined, pid: undefined, hostname: undefined },
      { level: 40, instance: "denied", host: server.host, port: server.port, user: UNKNOWN_USER, msg: "health probe: the instance does not answer", reason: undefined, time: undefined, pid: undefined, hostname: undefined },
    );
    assert.match(String(logged("denied")?.reason), new RegExp(`Access denied for user '${UNKNOWN_USER}'`));
    assert.match(String(logged("refused")?.reason), /ECONNREFUSED/);
    assert.ok(!logLines.join("").includes(DENIED_PASSWORD), "the password is not in the log");
  });

  test("once the probe is older than health.probeIntervalSeconds, the next request probes again: an instance that stops answering shows degraded", async () => {
    const fresh = await startTestSluice({ yaml: healthYaml(1), env: { HEALTH_DENIED_PASSWORD: DENIED_PASSWORD } });
    try {
      const probed = async () => ((await (await fetch(`${fresh.baseUrl}/healthz`)).json()) as { instances: Record<string, string> }).instances.probed;
      assert.equal(await probed(), "ok");
      await onServer(async (conn) => {
        for (const host of ["%", "localhost"]) await conn.query(`DROP USER '${PROBE_USER}'@'${host}'`);
      });
      await eventually(async () => (await probed()) === "degraded", 15_000, "a new probe");
    } finally {
      await fresh.stop();
    }
  });
});
