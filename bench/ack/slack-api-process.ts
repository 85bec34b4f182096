// The local Slack Web API of the acknowledgement bench, in its own process: the real Slack is remote, so the CPU it
// spends answering Sluice's calls (and the memory it keeps of them) must not be billed to Sluice's event loop.
// Prints its base URL on its first line of stdout; GET /bench/calls/<method> answers how many calls it recorded.
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { LocalSlack, type LocalSlackOptions } from "../../src/sandbox/local-slack.ts";

const CALLS_PATH = "/bench/calls/";

export interface SlackApiProcess {
  /** Base URL of the Web API (what SLACK_API_URL takes). */
  apiUrl: string;
  /** A response_url the fake records answers on. */
  responseUrl(): string;
  /** How many calls of one Web API method it has recorded. */
  callCount(method: string): Promise<number>;
  stop(): Promise<void>;
}

/** Starts this file as a child process and waits for its URL. */
export async function startSlackApiProcess(options: LocalSlackOptions): Promise<SlackApiProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(JSON.stringify(options));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the Slack Web API process exited (${code}) before listening`)));
  });
  const baseUrl = firstLine.trim();
  let responses = 0;
  return {
    apiUrl: `${baseUrl}/api/`,
    responseUrl: () => `${baseUrl}/respond/bench-${++responses}`,
    callCount: async (method) => Number(await (await fetch(`${baseUrl}${CALLS_PATH}${method}`)).text()),
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}

async function serve(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const slack = new LocalSlack(JSON.parse(Buffer.concat(chunks).toString("utf8")) as LocalSlackOptions);
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith(CALLS_PATH)) {
      res.end(String(slack.callsTo(req.url.slice(CALLS_PATH.length)).length));
      return;
    }
    void slack.handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("the Slack Web API process did not bind a port");
  const baseUrl = `http://127.0.0.1:${address.port}`;
  slack.mountAt(baseUrl);
  process.stdout.write(`${baseUrl}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await serve();
