// The reference of the acknowledgement bench: a Bolt app on the same HTTP receiver settings as Sluice whose
// handlers do nothing but ack().
import bolt from "@slack/bolt";

const { App, HTTPReceiver, LogLevel } = bolt;

export interface BareApp {
  url: string;
  stop(): Promise<void>;
}

export async function startBareApp(options: { signingSecret: string; botToken: string; apiUrl: string }): Promise<BareApp> {
  const receiver = new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: "/slack/events", processBeforeResponse: false, logLevel: LogLevel.ERROR });
  const app = new App({ token: options.botToken, receiver, clientOptions: { slackApiUrl: options.apiUrl }, logLevel: LogLevel.ERROR });
  app.command(/.*/, async ({ ack }) => ack());
  app.action(/.*/, async ({ ack }) => ack());
  const server = await receiver.start({ port: 0, host: "127.0.0.1" });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("the bare Bolt app did not bind a port");
  return { url: `http://127.0.0.1:${address.port}/slack/events`, stop: () => receiver.stop().then(() => undefined) };
}
