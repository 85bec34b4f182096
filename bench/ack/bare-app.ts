// The reference of the acknowledgement bench: a Bolt app on the same HTTP receiver settings as Sluice whose
// handlers do nothing but ack(), in a process of its own (as Sluice has its own), so neither shares a thread or a
// heap with the other.
import { fileURLToPath } from "node:url";
import bolt from "@slack/bolt";
import { jsonFromStdin } from "../support/child.ts";
import { startServiceProcess, type ServiceProcess } from "../support/service-process.ts";

const { App, HTTPReceiver, LogLevel } = bolt;

interface BareAppSettings {
  signingSecret: string;
  botToken: string;
  apiUrl: string;
}

/** The bare app's process; its `url` is its Slack endpoint. */
export async function startBareApp(settings: BareAppSettings): Promise<ServiceProcess> {
  return startServiceProcess(fileURLToPath(import.meta.url), settings, "the bare Bolt app");
}

async function serve(): Promise<void> {
  const settings = await jsonFromStdin<BareAppSettings>();
  const receiver = new HTTPReceiver({ signingSecret: settings.signingSecret, endpoints: "/slack/events", processBeforeResponse: false, logLevel: LogLevel.ERROR });
  const app = new App({ token: settings.botToken, receiver, clientOptions: { slackApiUrl: settings.apiUrl }, logLevel: LogLevel.ERROR });
  app.command(/.*/, async ({ ack }) => ack());
  app.action(/.*/, async ({ ack }) => ack());
  const server = await receiver.start({ port: 0, host: "127.0.0.1" });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("the bare Bolt app did not bind a port");
  process.stdout.write(`http://127.0.0.1:${address.port}/slack/events\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await serve();
