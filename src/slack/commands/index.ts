// Registers the one slash command, `/db`, and routes its first word to a subcommand.
import { helpBlocks, helpText } from "../blocks/help.ts";
import { inlineCode, mrkdwn, slackMessage } from "../blocks/text.ts";
import { replyError } from "../reply-error.ts";
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";
import { drift } from "./drift.ts";
import { change } from "./change.ts";
import { typedCommandText } from "./command-text.ts";
import { help } from "./help.ts";
import { history } from "./history.ts";
import { newdb } from "./newdb.ts";
import { query } from "./query.ts";
import { admin } from "./admin.ts";
import { schema } from "./schema.ts";
import { review } from "./review.ts";
import type { Subcommand } from "./subcommand.ts";

export const subcommands: Subcommand[] = [help, change, newdb, review, history, drift, query, admin, schema];

export function parseCommandText(text: string): { name: string; args: string } {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return match ? { name: match[1]!.toLowerCase(), args: match[2]!.trim() } : { name: "", args: "" };
}

/** The database the help's examples name: a configured one, a Test one first, so trying an example changes nothing that matters. */
function exampleDatabase(services: SluiceServices): string | undefined {
  const { databases } = services.registry;
  return (databases.find((database) => database.environment.tier !== "prod") ?? databases[0])?.label;
}

export function registerCommands(app: SlackListeners, services: SluiceServices): void {
  app.command("/db", async ({ command, ack, client, respond }) => {
    const { name, args } = parseCommandText(typedCommandText(command.text));
    const subcommand = subcommands.find((candidate) => candidate.name === name);
    if (!subcommand || subcommand === help) {
      const notice = name && name !== "help" ? mrkdwn`Unknown command ${inlineCode(`/db ${name}`)}. Here is what Sluice understands:` : undefined;
      await ack({ response_type: "ephemeral", ...slackMessage(helpText(subcommands), helpBlocks(subcommands, notice, exampleDatabase(services))) });
      return;
    }
    await ack();
    try {
      await subcommand.handle({ args, command, client, respond, services });
    } catch (error) {
      await replyError(services.logger, respond, error, { command: `/db ${name}`, user: command.user_id });
    }
  });
}
