// `/db review [<database> <SQL>]`: the review a change would get, without submitting anything. Without SQL it opens
// a form for long SQL or a .sql file, like `/db change`.
import type { WebClient } from "@slack/web-api";
import { engineFor } from "../../engines/index.ts";
import { reviewForDatabase } from "../../changes/review-change.ts";
import type { RegisteredDatabase } from "../../projects/registry.ts";
import { renderReviewText } from "../../review/index.ts";
import { reviewModal } from "../blocks/change-modal.ts";
import { reviewAnswer } from "../blocks/review-answer.ts";
import { mrkdwn, plural, slackMessage } from "../blocks/text.ts";
import { sendDirectFile } from "../direct-file.ts";
import type { SluiceServices } from "../services.ts";
import { databaseAndSql } from "./arguments.ts";
import type { Subcommand } from "./subcommand.ts";

export interface ReviewRequest {
  database: RegisteredDatabase;
  sql: string;
  userId: string;
  channelId: string;
}

/**
 * Reviews the SQL and shows the report to the user alone. A report longer than a message shows its counts and first
 * findings, and the whole report goes to the user's direct messages with Sluice as a file.
 */
export async function answerReview(client: WebClient, services: SluiceServices, request: ReviewRequest): Promise<void> {
  const { database, userId, channelId } = request;
  const statements = engineFor(database.instance.engine).splitStatements(request.sql);
  const report = await reviewForDatabase(services.config, services.registry, database, statements);
  const input = { database: database.label, environment: database.environment.name, report };
  let answer = reviewAnswer(input);
  if (answer.shown < report.findings.length) {
    const filename = `review-${database.name}.txt`;
    const comment = mrkdwn`The whole review on ${database.label}: ${plural(report.findings.length, "finding")}.`;
    await sendDirectFile(client, userId, { filename, content: `${renderReviewText(report, statements)}\n`, comment });
    answer = reviewAnswer({ ...input, whereTheRestIs: mrkdwn`The whole report is in your direct messages with Sluice, as ${filename}.` });
  }
  await client.chat.postEphemeral({ channel: channelId, user: userId, ...slackMessage(answer.text, answer.blocks) });
}

export const review: Subcommand = {
  name: "review",
  usage: "/db review [<database> <SQL>]",
  summary: "Reviews SQL against the database's rules and live schema without submitting it. `/db review` alone opens a form for long SQL or a .sql file.",
  examples: ["/db review {database} DELETE FROM t1", "/db review"],
  async handle({ args, command, client, services }) {
    const { database: typed, sql } = databaseAndSql(args);
    if (!typed || !sql) {
      const known = typed ? services.registry.databases.find((d) => d.label === typed || d.name === typed) : undefined;
      await client.views.open({ trigger_id: command.trigger_id, view: reviewModal(services.registry.databases, { database: known?.label }, command.channel_id) });
      return;
    }
    await answerReview(client, services, { database: services.registry.find(typed), sql, userId: command.user_id, channelId: command.channel_id });
  },
};
