import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { startEmbeddedStore } from "../../src/store/embedded.ts";
import { StoreError } from "../../src/store/errors.ts";
import { openStore } from "../../src/store/index.ts";
import { migrationsDir, scratchDir, silentLogger } from "./helpers.ts";

const PASSWORD = "s3cret-Pa55w0rd";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test("a store that does not answer fails start-up with a StoreError that keeps the password secret", async () => {
  const port = await closedPort();
  const databaseUrl = `postgres://sluice:${PASSWORD}@127.0.0.1:${port}/sluice?sslmode=disable`;
  await assert.rejects(openStore({ databaseUrl, dataDir: scratchDir("sluice-down"), migrationsDir, logger: silentLogger }), (error: Error) => {
    assert.ok(error instanceof StoreError);
    assert.match(error.message, new RegExp(`cannot reach the history store at postgres://sluice:\\*\\*\\*@127\\.0\\.0\\.1:${port}/sluice`));
    assert.match(error.message, /ECONNREFUSED/);
    assert.ok(!error.message.includes(PASSWORD), error.message);
    assert.ok(!JSON.stringify(error).includes(PASSWORD));
    return true;
  });
});

test("ping turns false when the store goes away, and the process survives the dropped connection", async () => {
  const server = await startEmbeddedStore(scratchDir("sluice-vanishing"));
  const databaseUrl = server.url.replace("postgres@", `postgres:${PASSWORD}@`);
  const store = await openStore({ databaseUrl, dataDir: scratchDir("sluice-unused"), migrationsDir, logger: silentLogger });
  try {
    assert.equal(store.embedded, false);
    assert.equal(await store.ping(), true);
    await server.close();
    assert.equal(await store.ping(), false);
  } finally {
    await store.close();
  }
});
