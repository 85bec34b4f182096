// A result cannot freeze Sluice (issue 21). Sluice runs as its own process, as in production: while /db query reads and
// renders a 200,000-character cell or a result far over query.maxResultBytes, /healthz still answers, the answer is cut
// and says so, and SIGTERM stops the process within its bound.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { LocalSlack } from "../../src/sandbox/local-slack.ts";
import { createPostgresDatabase, dropMysqlDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { startSluiceProcess, type SluiceProcess } from "../changes/support/sluice-process.ts";
import { DEVELOPER, fixtureDatabases, worldYaml } from "./support.ts";

const CHANNEL = "CQUERY";
/** Far above what /healthz takes on a loaded machine, far below the 37 s the unbounded rendering froze the process for. */
const RESPONSIVE_MS = 3000;
/** How long SIGTERM may take to stop Sluice with a query under way. */
const SHUTDOWN_BOUND_MS = 10_000;

describe("a huge result cannot freeze Sluice", () => {
  let slack: LocalSlack;
  let storeDatabase: string;
  let mysqlDatabase: string;
  let postgresDatabase: string;
  let sluice: SluiceProcess;

  const yaml = (): string =>
    worldYaml(mysqlDatabase, postgresDatabase).replace("timeoutSeconds: 3", "timeoutSeconds: 60\n  maxResultBytes: 1000000");

  before(async () => {
    ({ mysqlDatabase, postgresDatabase } = await fixtureDatabases());
    storeDatabase = await createPostgresDatabase("sluice_store");
    slack = new LocalSlack();
    await slack.listen();
    sluice = await startSluiceProcess({ yaml: yaml(), storeDatabase, slack });
  });
  after(async () => {
    await sluice.stop();
    await slack.close();
    await dropPostgresDatabase(storeDatabase);
    await dropMysqlDatabase(mysqlDatabase);
    await dropPostgresDatabase(postgresDatabase);
  });

  /** Sends the command and, until its answer arrives, times /healthz over and over; returns the answer and the slowest. */
  async function queryWhileProbing(target: SluiceProcess, text: string): Promise<{ answer: Record<string, unknown>; slowestHealthMs: number }> {
    const before = slack.responses.length;
    const reply = await target.send.command(text, { id: DEVELOPER }, CHANNEL);
    assert.equal(reply.status, 200);
    let slowest = 0;
    let answer: Record<string, unknown> | undefined;
    const deadline = Date.now() + 90_000;
    while (answer === undefined && Date.now() < deadline) {
      const started = performance.now();
      const health = await fetch(`http://127.0.0.1:${target.port}/healthz`, { signal: AbortSignal.timeout(60_000) });
      await health.text();
      slowest = Math.max(slowest, performance.now() - started);
      answer = slack.responses.slice(before)[0]?.body;
      if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(answer, `no answer to /db ${text}`);
    return { answer, slowestHealthMs: slowest };
  }

  test("SELECT repeat('x', 200000): /healthz keeps answering, and the cell is shown cut", async () => {
    const { answer, slowestHealthMs } = await queryWhileProbing(sluice, `query ${postgresDatabase} SELECT repeat('x', 200000) AS big`);
    assert.ok(slowestHealthMs < RESPONSIVE_MS, `/healthz took ${Math.round(slowestHealthMs)} ms while the result was rendered`);
    const text = JSON.stringify(answer.blocks);
    assert.match(text, /x{30,}…/);
    assert.ok(text.length < 20_000);
  });

  for (const [engine, sql] of [
    ["postgres", "SELECT g, repeat('y', 300000) AS blob FROM generate_series(1, 200) g"],
    ["mysql", "SELECT seq, REPEAT('y', 300000) AS filler FROM seq_1_to_200"],
  ] as const) {
    test(`a result of 60 MB on ${engine} is cut at query.maxResultBytes, says so, and /healthz keeps answering`, async () => {
      const database = engine === "postgres" ? postgresDatabase : mysqlDatabase;
      const { answer, slowestHealthMs } = await queryWhileProbing(sluice, `query ${database} ${sql}`);
      assert.ok(slowestHealthMs < RESPONSIVE_MS, `/healthz took ${Math.round(slowestHealthMs)} ms while the result was read`);
      const text = JSON.stringify(answer);
      assert.match(text, /cut at the 976\.6 KB result limit \(query\.maxResultBytes\)/);
      assert.match(text, /4 rows/);
    });
  }

  test("SIGTERM stops Sluice within its bound while a huge result is read and rendered", async () => {
    const second = await startSluiceProcess({ yaml: yaml(), storeDatabase, slack });
    const reply = await second.send.command(`query ${postgresDatabase} SELECT g, repeat('x', 200000) AS big FROM generate_series(1, 5) g`, { id: DEVELOPER }, CHANNEL);
    assert.equal(reply.status, 200);
    // Let the read and the rendering get under way before the signal.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    await second.stop();
    const took = performance.now() - started;
    assert.ok(took < SHUTDOWN_BOUND_MS, `SIGTERM took ${Math.round(took)} ms to stop Sluice`);
    assert.equal(second.child.exitCode, 0, second.output().slice(-2000));
  });
});
