// `/db review <database> <SQL>`: the review a change would get, without submitting anything.
import { engineFor } from "../../engines/index.ts";
import { reviewForDatabase } from "../../changes/review-change.ts";
import { renderReviewText } from "../../review/index.ts";
import { codeBlock, mrkdwn, plural, section, slackMessage } from "../blocks/text.ts";
import { databaseAndSql } from "./arguments.ts";
import { UsageError, type Subcommand } from "./subcommand.ts";

export const review: Subcommand = {
  name: "review",
  usage: "/db review <database> <SQL>",
  summary: "Reviews SQL against the database's rules and live schema without submitting it.",
  examples: ["/db review db_demo DELETE FROM t1"],
  async handle({ args, command, client, services }) {
    const { database: typed, sql } = databaseAndSql(args);
    if (!typed || !sql) throw new UsageError("Give a database and the SQL: `/db review <database> <SQL>`.");
    const database = services.registry.find(typed);
    const statements = engineFor(database.instance.engine).splitStatements(sql);
    const report = await reviewForDatabase(services.config, services.registry, database, statements);
    const text = renderReviewText(report, statements);
    await client.chat.postEphemeral({
      channel: command.channel_id,
      user: command.user_id,
      ...slackMessage(mrkdwn`Review on ${database.label}: ${plural(report.errorCount, "error")}, ${plural(report.warningCount, "warning")}`, [
        section(mrkdwn`*Review on ${database.label} (${database.environment.name}):* ${plural(report.errorCount, "error")}, ${plural(report.warningCount, "warning")}, ${plural(report.statementCount, "statement")}`),
        section(codeBlock(text).text),
      ]),
    });
  },
};
