// `/db history <database>`: the database's recent changes, each with a "View change" button.
import { historyBlocks } from "../blocks/history.ts";
import { mrkdwn, slackMessage } from "../blocks/text.ts";
import type { Subcommand } from "./subcommand.ts";

const HISTORY_LENGTH = 20;

export const history: Subcommand = {
  name: "history",
  usage: "/db history <database>",
  summary: "Lists the database's recent changes (key, type, status, who, when) with a button to view each one.",
  examples: ["/db history {database}"],
  async handle({ args, command, client, services }) {
    const database = services.registry.find(args.split(/\s+/)[0] ?? "");
    const entries = await services.changes.history(database.id, HISTORY_LENGTH);
    await client.chat.postEphemeral({
      channel: command.channel_id,
      user: command.user_id,
      ...slackMessage(mrkdwn`History of ${database.label}: ${entries.length} recent changes`, historyBlocks(database.label, entries)),
    });
  },
};
