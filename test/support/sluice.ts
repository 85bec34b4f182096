// Runs the real Sluice in-process for a test: a fresh history store database, the real Bolt HTTP receiver,
// and the local Slack Web API recording what Sluice posts. Requests reach Sluice signed, as Slack sends them.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger, type Logger } from "../../src/logger.ts";
import { LocalSlack, type LocalSlackOptions } from "../../src/sandbox/local-slack.ts";
import { SlackRequestSender } from "../../src/sandbox/slack-requests.ts";
import { startSluice, type RunningSluice } from "../../src/sluice.ts";
import { createPostgresDatabase, dropPostgresDatabase, postgresServer } from "./servers.ts";

export interface TestSluice {
  sluice: RunningSluice;
  slack: LocalSlack;
  send: SlackRequestSender;
  baseUrl: string;
  storeDatabase: string;
  signingSecret: string;
  stop(): Promise<void>;
}

export interface TestSluiceOptions {
  /** sluice.yml text. */
  yaml: string;
  env?: Record<string, string>;
  slack?: LocalSlackOptions;
  /** Another TestSluice's Slack, for a replica of it (same workspace; with its `storeDatabase`, same store). Its owner closes it. */
  sharedSlack?: LocalSlack;
  /** Reuse an existing store database instead of creating one (restart tests). */
  storeDatabase?: string;
  logLevel?: string;
  /** Sluice's logger, for a test that reads the log; else one at `logLevel`. */
  logger?: Logger;
  /** Origins the bot token may be sent to for attached files; the local Slack's by default. */
  fileOrigins?: string[];
  /** The store pool's idle timeout (pg's 10 s by default). */
  storeIdleTimeoutMs?: number;
  /** The test makes Sluice send what Slack refuses on purpose; else any refusal fails the test when it stops. */
  expectSlackRejections?: boolean;
}

export function storeUrl(database: string): string {
  const server = postgresServer();
  const auth = server.password ? `${encodeURIComponent(server.user)}:${encodeURIComponent(server.password)}` : encodeURIComponent(server.user);
  return `postgres://${auth}@${server.host}:${server.port}/${database}`;
}

export async function startTestSluice(options: TestSluiceOptions): Promise<TestSluice> {
  const storeDatabase = options.storeDatabase ?? (await createPostgresDatabase("sluice_store"));
  const dir = mkdtempSync(join(tmpdir(), "sluice-test-"));
  const configPath = join(dir, "sluice.yml");
  writeFileSync(configPath, options.yaml);
  const signingSecret = randomBytes(16).toString("hex");
  const config = loadConfig({
    SLUICE_CONFIG: configPath,
    DATABASE_URL: storeUrl(storeDatabase),
    SLUICE_DATA_DIR: join(dir, "data"),
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_SIGNING_SECRET: signingSecret,
    ...options.env,
  });
  const slack = options.sharedSlack ?? new LocalSlack(options.slack);
  if (!options.sharedSlack) await slack.listen();
  const sluice = await startSluice({
    config,
    logger: options.logger ?? createLogger(options.logLevel ?? process.env.SLUICE_TEST_LOG_LEVEL ?? "silent"),
    slack: { botToken: "xoxb-test-token", signingSecret, apiUrl: slack.apiUrl, fileOrigins: options.fileOrigins ?? [new URL(slack.apiUrl).origin] },
    port: 0,
    host: "127.0.0.1",
    storeIdleTimeoutMs: options.storeIdleTimeoutMs,
  });
  const baseUrl = `http://127.0.0.1:${sluice.port}`;
  const send = new SlackRequestSender(`${baseUrl}/slack/events`, signingSecret, () => slack.responseUrl());
  return {
    sluice,
    slack,
    send,
    baseUrl,
    storeDatabase,
    signingSecret,
    stop: async () => {
      await sluice.stop();
      if (!options.sharedSlack) await slack.close();
      if (!options.storeDatabase) await dropPostgresDatabase(storeDatabase);
      if (!options.expectSlackRejections && slack.rejections.length > 0) {
        throw new Error(`Slack would have refused what Sluice sent: ${JSON.stringify(slack.rejections, null, 1).slice(0, 4000)}`);
      }
    },
  };
}

/** Waits until `check` returns a value (not undefined/false), polling; fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Sends a slash command as `user` in `channel` and returns the body Sluice sent to its response_url (the ephemeral
 * answer), failing when Slack's acknowledgement is not 200 or no answer comes within `timeoutMs`.
 */
export async function commandAnswer(t: TestSluice, text: string, user: string, channel: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const before = t.slack.responses.length;
  const reply = await t.send.command(text, { id: user }, channel);
  if (reply.status !== 200) throw new Error(`/db ${text} was acknowledged with HTTP ${reply.status}`);
  return eventually(() => t.slack.responses.slice(before)[0]?.body, timeoutMs, `an answer to /db ${text}`);
}
