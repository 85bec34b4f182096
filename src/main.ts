// `npm start`: Sluice against Slack when tokens are set, otherwise the local sandbox on loopback.
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { ConfigError, loadConfig, type Config } from "./config/load.ts";
import { createLogger } from "./logger.ts";
import { SluiceError } from "./errors.ts";
import { startSluice, type RunningSluice } from "./sluice.ts";
import { sandboxRoutes } from "./sandbox/routes.ts";
import { LocalSlack } from "./sandbox/local-slack.ts";
import { SANDBOX_CHANNEL, sandboxUsers, startDemoWorld, type DemoWorld } from "./sandbox/demo.ts";

/** In sandbox mode without a sluice.yml, Sluice runs against its demo databases (src/sandbox/demo.ts). */
async function readConfig(): Promise<{ config: Config; sandbox: boolean; demo?: DemoWorld }> {
  const sandbox = !process.env.SLACK_BOT_TOKEN;
  if (sandbox && !process.env.SLUICE_CONFIG && !existsSync("./sluice.yml")) {
    const demo = await startDemoWorld(process.env);
    return { config: demo.config, sandbox, demo };
  }
  return { config: loadConfig(process.env), sandbox };
}

async function main(): Promise<void> {
  const { config, sandbox, demo } = await readConfig();
  const logger = createLogger(config.settings.logLevel);
  let running: RunningSluice;
  if (sandbox) {
    const port = config.settings.port;
    const local = new LocalSlack({ users: sandboxUsers });
    const base = `http://127.0.0.1:${port}`;
    local.mountAt(`${base}/sandbox`);
    const signingSecret = randomBytes(24).toString("hex");
    running = await startSluice({
      config,
      logger,
      slack: { botToken: "xoxb-sandbox", signingSecret, apiUrl: local.apiUrl, fileOrigins: [base], botUserId: local.botUserId },
      port,
      host: "127.0.0.1",
      extraRoutes: sandboxRoutes(local, { origin: base, eventsUrl: `${base}/slack/events`, signingSecret, users: sandboxUsers, channel: SANDBOX_CHANNEL }),
    }).catch(async (error: unknown) => {
      await demo?.close();
      throw error;
    });
    logger.info({ url: `${base}/sandbox`, config: config.settings.configPath }, "sandbox mode (no SLACK_BOT_TOKEN): open the sandbox in a browser");
    console.log(`\nSluice sandbox: http://127.0.0.1:${running.port}/sandbox\n`);
  } else {
    running = await startSluice({
      config,
      logger,
      slack: {
        botToken: config.settings.slack.botToken!,
        signingSecret: config.settings.slack.signingSecret ?? "",
        appToken: config.settings.slack.appToken,
        apiUrl: config.settings.slack.apiUrl,
        fileOrigins: config.settings.slack.fileOrigins,
      },
      port: config.settings.port,
    });
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    void running.stop().then(() => demo?.close()).finally(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof SluiceError) {
    console.error(`Sluice cannot start:\n${error.message}`);
  } else {
    console.error("Sluice cannot start:", error);
  }
  process.exit(1);
});
