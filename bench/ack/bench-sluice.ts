// The Sluice the acknowledgement bench measures: started as the tests start it (silent logger, store on the local
// PostgreSQL, signed requests), but with the local Slack Web API in its own process.
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/logger.ts";
import { SlackRequestSender } from "../../src/sandbox/slack-requests.ts";
import { startSluice, type RunningSluice } from "../../src/sluice.ts";
import { slackDirectory, workflowYaml } from "../../test/support/changes.ts";
import { createPostgresDatabase, dropPostgresDatabase } from "../../test/support/servers.ts";
import { storeUrl } from "../../test/support/sluice.ts";
import { startSlackApiProcess, type SlackApiProcess } from "./slack-api-process.ts";

export interface BenchSluice {
  sluice: RunningSluice;
  slack: SlackApiProcess;
  send: SlackRequestSender;
  eventsUrl: string;
  signingSecret: string;
  stop(): Promise<void>;
}

/** Sluice with one database (PostgreSQL unless said) in its Test environment; `extraYaml` is added to its sluice.yml. */
export async function startBenchSluice(database: string, options: { engine?: "mysql" | "postgres"; extraYaml?: string } = {}): Promise<BenchSluice> {
  const storeDatabase = await createPostgresDatabase("sluice_store");
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-"));
  writeFileSync(join(dir, "sluice.yml"), workflowYaml([{ name: database, engine: options.engine ?? "postgres", environment: "Test" }], options.extraYaml));
  const signingSecret = randomBytes(16).toString("hex");
  const config = loadConfig({
    SLUICE_CONFIG: join(dir, "sluice.yml"),
    DATABASE_URL: storeUrl(storeDatabase),
    SLUICE_DATA_DIR: join(dir, "data"),
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: signingSecret,
  });
  const slack = await startSlackApiProcess(slackDirectory);
  const sluice = await startSluice({
    config,
    logger: createLogger("silent"),
    slack: { botToken: "xoxb-test-token", signingSecret, apiUrl: slack.apiUrl, fileOrigins: [new URL(slack.apiUrl).origin] },
    port: 0,
    host: "127.0.0.1",
  });
  const eventsUrl = `http://127.0.0.1:${sluice.port}/slack/events`;
  return {
    sluice,
    slack,
    send: new SlackRequestSender(eventsUrl, signingSecret, () => slack.responseUrl()),
    eventsUrl,
    signingSecret,
    stop: async () => {
      await sluice.stop();
      await slack.stop();
      await dropPostgresDatabase(storeDatabase);
    },
  };
}
