// Issue 20: the sandbox acts as any of its users, approvers included, so it answers only its own page. Another
// site's page in the same browser cannot post a command to it (cross-origin, text/plain: no CORS preflight), and a
// DNS name rebound to 127.0.0.1 cannot read its state. Runs `npm start` in sandbox mode, as a person would (on a
// sluice.yml of its own and a store on the test PostgreSQL: the demo databases are not needed to knock at the door).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPostgresDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { storeUrl } from "../support/sluice.ts";
import { startSandboxProcess, type SandboxProcess } from "./browser-helpers.ts";

interface Answer {
  status: number;
  body: string;
}

describe("the sandbox answers only its own page", () => {
  let dataDir: string;
  let sandbox: SandboxProcess;
  let own: URL;
  let storeDatabase: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "sluice-sandbox-origin-"));
    storeDatabase = await createPostgresDatabase("sandbox_origin_store");
    writeFileSync(join(dataDir, "sluice.yml"), "environments:\n  - name: Prod\n    approvers: { users: [UAPPROVER] }\n");
    sandbox = await startSandboxProcess(dataDir, { SLUICE_CONFIG: join(dataDir, "sluice.yml"), DATABASE_URL: storeUrl(storeDatabase) });
    own = new URL(sandbox.url);
  });
  after(async () => {
    await sandbox?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await dropPostgresDatabase(storeDatabase);
  });

  /** A request to the sandbox's port with exactly these headers (Host included, as a browser would set it). */
  function send(method: string, path: string, headers: Record<string, string>, body = ""): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: own.port, method, path, headers: { host: own.host, ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  /** What the channel shows: every message's text, as the page reads it. */
  async function channelTexts(): Promise<string[]> {
    const state = JSON.parse((await send("GET", "/sandbox/state?user=UAPPROVER", {})).body) as { messages: Array<{ text: string }> };
    return state.messages.map((m) => m.text);
  }

  const adminCommand = JSON.stringify({ user: "UAPPROVER", text: "/db admin demo_prod CREATE TABLE planted (id int)" });

  test("another site's text/plain POST of /db admin as the approver is refused, and nothing is posted or run", async () => {
    const answer = await send("POST", "/sandbox/command", { origin: "https://evil.example", "content-type": "text/plain;charset=UTF-8" }, adminCommand);
    assert.equal(answer.status, 403);
    assert.match(answer.body, /answers only its own page/);
    assert.ok(!(await channelTexts()).some((text) => /planted/.test(text)), "no command reached the channel");
  });

  test("a POST from the sandbox's own page is refused unless it is JSON", async () => {
    const answer = await send("POST", "/sandbox/command", { origin: own.origin, "content-type": "text/plain" }, adminCommand);
    assert.equal(answer.status, 415);
    const upload = await send("POST", "/sandbox/user-file?name=x.sql", { origin: "https://evil.example", "content-type": "text/plain" }, "DROP TABLE t");
    assert.equal(upload.status, 403);
    assert.ok(!(await channelTexts()).some((text) => /planted/.test(text)));
  });

  test("a foreign Host (a DNS name rebound to 127.0.0.1) gets nothing from /sandbox/state, the page or the local Slack", async () => {
    const rebound = `evil.example:${own.port}`;
    for (const [method, path] of [["GET", "/sandbox/state?user=UAPPROVER"], ["GET", "/sandbox"], ["POST", "/sandbox/api/auth.test"]] as const) {
      const answer = await send(method, path, { host: rebound, origin: `http://${rebound}` });
      assert.equal(answer.status, 403, `${method} ${path}`);
      assert.match(answer.body, new RegExp(`answers only at 127\\.0\\.0\\.1:${own.port}`));
    }
    assert.equal((await send("GET", "/sandbox/state?user=UAPPROVER", { host: rebound })).status, 403, "without an Origin too");
  });

  test("its own page, at 127.0.0.1 or localhost, is answered", async () => {
    for (const host of [own.host, `localhost:${own.port}`]) {
      const state = await send("GET", "/sandbox/state?user=UDEVELOPER", { host });
      assert.equal(state.status, 200, host);
      const help = await send("POST", "/sandbox/command", { host, origin: `http://${host}`, "content-type": "application/json" }, JSON.stringify({ user: "UDEVELOPER", text: "/db help" }));
      assert.equal(help.status, 200, host);
    }
  });
});
