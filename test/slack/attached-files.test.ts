// Issue 20: a file attached to a change is read with the bot token, so the token goes only to Slack's file hosts. A
// link elsewhere, or a Slack host redirecting elsewhere, is refused in the modal and the other host gets nothing.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CHANGE_MODAL } from "../../src/slack/blocks/change-modal.ts";
import { changeFormValues, changeOfRequest, DEVELOPER, openModal, slackDirectory, workflowYaml } from "../support/changes.ts";
import { createPostgresDatabase, dropPostgresDatabase } from "../support/servers.ts";
import { startTestSluice, type TestSluice } from "../support/sluice.ts";

const SCRIPT = "CREATE TABLE from_file (id int PRIMARY KEY)";

/** A host on loopback that records what reaches it and answers as `answer` says. */
interface Host {
  origin: string;
  requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

async function startHost(answer: (path: string, headers: IncomingHttpHeaders) => { status: number; headers?: Record<string, string>; body?: string }): Promise<Host> {
  const requests: Host["requests"] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ path: req.url ?? "", headers: req.headers });
    const reply = answer(req.url ?? "", req.headers);
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("a file attached to a change", () => {
  let db: string;
  let elsewhere: Host;
  let slackFiles: Host;
  let t: TestSluice;
  let redirectTo = "";
  before(async () => {
    db = await createPostgresDatabase("sluice_files");
    elsewhere = await startHost(() => ({ status: 200, body: SCRIPT }));
    // One of Slack's file hosts (as far as this Sluice is configured): serves /file with the token, redirects /moved.
    slackFiles = await startHost((path, headers) => {
      if (path === "/moved") return { status: 302, headers: { location: redirectTo } };
      return headers.authorization === "Bearer xoxb-test-token" ? { status: 200, body: SCRIPT } : { status: 403 };
    });
    t = await startTestSluice({ yaml: workflowYaml([{ name: db, engine: "postgres", environment: "Prod" }]), slack: slackDirectory, fileOrigins: [slackFiles.origin] });
  });
  after(async () => {
    await t.stop();
    await elsewhere.close();
    await slackFiles.close();
    await dropPostgresDatabase(db);
  });

  /** Submits the change modal with a file whose download link is `link`, as a forged payload would name it. */
  async function submitWithFile(link: string) {
    const view = await openModal(t, DEVELOPER, "change", CHANGE_MODAL);
    const values = changeFormValues({ database: db, type: "schema", description: "from a file" });
    values.file.value.files = [{ id: "FATTACHED", name: "fix.sql", url_private_download: link, size: SCRIPT.length } as { id: string }];
    const reply = await t.send.submitView({ user: DEVELOPER, view: { ...view.view, id: view.id }, values });
    assert.equal(reply.status, 200);
    return { answer: reply.json() as { response_action?: string; errors?: Record<string, string> }, requestKey: `view:${view.id}` };
  }

  test("a link to another host is refused in the modal, and that host is never asked (no token sent)", async () => {
    const changesBefore = await t.sluice.store.prisma.change.count();
    const { answer } = await submitWithFile(`${elsewhere.origin}/files-pri/T1/fix.sql`);
    assert.equal(answer.response_action, "errors");
    assert.match(answer.errors?.file ?? "", /only from Slack's file hosts \(127\.0\.0\.1:\d+\); the link of fix\.sql points to 127\.0\.0\.1:\d+/);
    assert.deepEqual(elsewhere.requests, [], "the other host got no request");
    assert.equal(await t.sluice.store.prisma.change.count(), changesBefore, "nothing is stored");
  });

  test("a link on Slack's file host over another scheme or port is refused just the same", async () => {
    const port = Number(new URL(slackFiles.origin).port);
    for (const link of [`https://127.0.0.1:${port}/file`, `http://127.0.0.1:${port + 1}/file`, "file:///etc/passwd"]) {
      const { answer } = await submitWithFile(link);
      assert.match(answer.errors?.file ?? "", /only from Slack's file hosts/, link);
    }
  });

  test("Slack's file host redirecting elsewhere is not followed: the other host gets nothing", async () => {
    redirectTo = `${elsewhere.origin}/stolen`;
    const { answer } = await submitWithFile(`${slackFiles.origin}/moved`);
    assert.equal(answer.response_action, "errors");
    assert.match(answer.errors?.file ?? "", /Slack redirected the download of fix\.sql to 127\.0\.0\.1:\d+, which is not one of its file hosts/);
    assert.deepEqual(elsewhere.requests, [], "the other host got no request");
  });

  test("a redirect within Slack's file hosts is followed with the token, and the file becomes the change's SQL", async () => {
    redirectTo = "/file";
    const { answer, requestKey } = await submitWithFile(`${slackFiles.origin}/moved`);
    assert.deepEqual(answer, {});
    const change = await changeOfRequest(t, requestKey);
    assert.equal(change.sql, SCRIPT);
  });
});
