// Runs Sluice as its own process (`node --import tsx src/main.ts`), as production does, so a test can kill -9 it
// and start it again on the same history store. Slack is a LocalSlack the test owns, shared across restarts.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalSlack } from "../../../src/sandbox/local-slack.ts";
import { SlackRequestSender } from "../../../src/sandbox/slack-requests.ts";
import { repoRoot } from "../../support/servers.ts";
import { eventually, storeUrl } from "../../support/sluice.ts";

export interface SluiceProcess {
  child: ChildProcess;
  port: number;
  send: SlackRequestSender;
  /** Everything the process wrote (its JSON log and any crash). */
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SluiceProcessOptions {
  yaml: string;
  storeDatabase: string;
  slack: LocalSlack;
  signingSecret?: string;
}

export async function startSluiceProcess(options: SluiceProcessOptions): Promise<SluiceProcess> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-process-"));
  const configPath = join(dir, "sluice.yml");
  writeFileSync(configPath, options.yaml);
  const port = await freePort();
  const signingSecret = options.signingSecret ?? randomBytes(16).toString("hex");
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dir,
      SLACK_BOT_TOKEN: "xoxb-process-test",
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: options.slack.apiUrl,
      DATABASE_URL: storeUrl(options.storeDatabase),
      SLUICE_CONFIG: configPath,
      SLUICE_DATA_DIR: join(dir, "data"),
      PORT: String(port),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    await eventually(
      () => {
        if (child.exitCode !== null) throw new Error(`Sluice exited with ${child.exitCode}:\n${output}`);
        return output.includes("Sluice is listening");
      },
      // Starting the TypeScript sources through tsx took over 30 s with ~20 processes on the 2 cores.
      120_000,
      "the Sluice process to listen",
    );
  } catch (error) {
    await kill("SIGKILL");
    throw new Error(`${(error as Error).message}; its last output:\n${output.split("\n").slice(-12).join("\n")}`);
  }
  return {
    child,
    port,
    send: new SlackRequestSender(`http://127.0.0.1:${port}/slack/events`, signingSecret, () => options.slack.responseUrl()),
    output: () => output,
    kill9: () => kill("SIGKILL"),
    stop: () => kill("SIGTERM"),
  };
}
