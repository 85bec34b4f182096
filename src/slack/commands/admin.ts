// `/db admin <database> <SQL>`: approvers run any SQL, audited, outside the change history.
import { runAdmin } from "../../query/run-admin.ts";
import { adminOutcomeBlocks, adminOutcomeText } from "../blocks/query-admin.ts";
import { sendDirectFile } from "../direct-file.ts";
import { QueryUsageError, queryDeps, splitDatabaseAndSql } from "./query.ts";
import { mrkdwn, slackMessage } from "../blocks/text.ts";
import type { Subcommand } from "./subcommand.ts";

export const admin: Subcommand = {
  name: "admin",
  usage: "/db admin <database> <SQL>",
  summary: "Approvers only: runs any SQL (one statement or a script) on the database, audited and not recorded as a change, so schema changes made here show up as drift.",
  examples: ["/db admin {database} DROP TABLE IF EXISTS t1_old"],
  async handle({ args, command, client, respond, services }) {
    const { database, sql } = splitDatabaseAndSql(args);
    if (sql === "") throw new QueryUsageError("Name the database and the SQL: `/db admin <database> <SQL>`.");
    const outcome = await runAdmin({ actorId: command.user_id, database, sql }, queryDeps(services));
    let message = adminOutcomeBlocks(outcome);
    if (!message.complete) {
      const filename = `admin-${outcome.database.name}.txt`;
      await sendDirectFile(client, command.user_id, { filename, content: adminOutcomeText(outcome), comment: mrkdwn`The whole outcome of /db admin on ${outcome.database.label}.` });
      message = adminOutcomeBlocks(outcome, mrkdwn`The whole outcome is in your direct messages with Sluice, as ${filename}.`);
    }
    await respond({ response_type: "ephemeral", ...slackMessage(message.text, message.blocks) });
  },
};
