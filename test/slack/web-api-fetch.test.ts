// The Web API clients' transport (node:http/https instead of fetch) against real local servers, over HTTP and TLS.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { slackFetch } from "../../src/slack/web-api-fetch.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** Answers like the Web API: JSON with `ok`, echoing what it received; /empty answers 204, /slow never answers. */
function webApi(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url === "/slow") return;
      if (req.url === "/empty") return void res.writeHead(204).end();
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "x-slack-req-id": "r-1" });
      res.end(JSON.stringify({ ok: true, echo: body }));
    });
  };
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(String((server.address() as AddressInfo).port))));

describe("the Slack Web API transport", () => {
  const seen: Seen[] = [];
  const server = createHttpServer(webApi(seen));
  let base: string;
  before(async () => {
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test("a form POST arrives whole, with its headers, and its JSON answer reads as a fetch Response", async () => {
    const body = "channel=C1&text=" + encodeURIComponent("héllo 🙂 & more");
    const response = await slackFetch(`${base}/chat.postMessage`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: "Bearer xoxb-test" },
      body,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-slack-req-id"), "r-1");
    assert.deepEqual(await response.json(), { ok: true, echo: body });
    const request = seen.at(-1)!;
    assert.equal(request.method, "POST");
    assert.equal(request.url, "/chat.postMessage");
    assert.equal(request.headers.authorization, "Bearer xoxb-test");
    assert.equal(request.headers["content-type"], "application/x-www-form-urlencoded");
  });

  test("a 204 answer has no body", async () => {
    const response = await slackFetch(`${base}/empty`, { method: "POST", body: "" });
    assert.equal(response.status, 204);
    assert.equal(await response.text(), "");
  });

  test("an abort signal (the client's timeout) stops a call that hangs", async () => {
    await assert.rejects(slackFetch(`${base}/slow`, { method: "POST", body: "x", signal: AbortSignal.timeout(200) }), /abort/i);
  });

  test("a server that is not there is an error, not a hang", async () => {
    const closed = createHttpServer();
    const port = await listen(closed);
    closed.close();
    await assert.rejects(slackFetch(`http://127.0.0.1:${port}/auth.test`, { method: "POST", body: "" }), /ECONNREFUSED/);
  });
});

describe("the Slack Web API transport over TLS", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-tls-"));
  const seen: Seen[] = [];
  let server: Server;
  let port: string;
  before(async () => {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
    server = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, webApi(seen));
    port = await listen(server);
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Calls the transport in a process that trusts the test certificate (Node reads extra CAs only at start-up). */
  const callInChild = (url: string, trust: boolean): Promise<string> => {
    const transport = fileURLToPath(new URL("../../src/slack/web-api-fetch.ts", import.meta.url));
    const script = `const { slackFetch } = await import(${JSON.stringify(transport)});
      const r = await slackFetch(${JSON.stringify(url)}, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "token=t" })
        .then((res) => res.json(), (error) => ({ error: error.code ?? error.message }));
      process.stdout.write(JSON.stringify(r));`;
    return new Promise((resolve, reject) =>
      execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script],
        { env: { ...process.env, ...(trust ? { NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") } : {}) } },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout))),
    );
  };

  test("a call over HTTPS verifies the server's certificate and reads the answer", async () => {
    assert.deepEqual(JSON.parse(await callInChild(`https://localhost:${port}/auth.test`, true)), { ok: true, echo: "token=t" });
    assert.equal(seen.at(-1)?.url, "/auth.test");
  });

  test("a certificate nobody vouches for is refused", async () => {
    const before = seen.length;
    assert.deepEqual(JSON.parse(await callInChild(`https://localhost:${port}/auth.test`, false)), { error: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    assert.equal(seen.length, before);
  });
});
