// The local Slack Web API of the acknowledgement bench, in its own process: the real Slack is remote, so the CPU it
// spends answering Sluice's calls (and the memory it keeps of them) must not be billed to Sluice's event loop.
// Prints its base URL on its first line of stdout; GET /bench/calls/<method> answers how many calls it recorded.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { LocalSlack, type LocalSlackOptions } from "../../src/sandbox/local-slack.ts";
import { jsonFromStdin } from "../support/child.ts";
import { startServiceProcess } from "../support/service-process.ts";

const CALLS_PATH = "/bench/calls/";

export interface SlackApiProcess {
  /** Base URL of the Web API (what SLACK_API_URL takes). */
  apiUrl: string;
  pid: number;
  /** A response_url the fake records answers on. */
  responseUrl(): string;
  /** Where GET answers how many calls of one Web API method it has recorded. */
  callsUrl(method: string): string;
  callCount(method: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startSlackApiProcess(options: LocalSlackOptions): Promise<SlackApiProcess> {
  const service = await startServiceProcess(fileURLToPath(import.meta.url), options, "the Slack Web API process");
  const callsUrl = (method: string) => `${service.url}${CALLS_PATH}${method}`;
  let responses = 0;
  return {
    apiUrl: `${service.url}/api/`,
    pid: service.pid,
    responseUrl: () => `${service.url}/respond/bench-${++responses}`,
    callsUrl,
    callCount: async (method) => Number(await (await fetch(callsUrl(method))).text()),
    stop: service.stop,
  };
}

async function serve(): Promise<void> {
  const slack = new LocalSlack(await jsonFromStdin<LocalSlackOptions>());
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
