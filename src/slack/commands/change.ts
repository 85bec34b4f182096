// `/db change [<database> <SQL>]`: opens the change form, prefilled when a database and SQL are given.
import { classifyStatement } from "../../changes/classify.ts";
import { changeModal, sqlFitsInForm } from "../blocks/change-modal.ts";
import { databaseAndSql } from "./arguments.ts";
import { mrkdwn, slackMessage, SLACK_LIMITS } from "../blocks/text.ts";
import { UsageError, type Subcommand } from "./subcommand.ts";

export const change: Subcommand = {
  name: "change",
  usage: "/db change [<database> <SQL>]",
  summary: "Opens the form to submit a schema or data change (SQL or a .sql file) for review and approval.",
  examples: ["/db change", "/db change {database} CREATE TABLE t1 (id INT PRIMARY KEY, name VARCHAR(100))"],
  async handle({ args, command, client, services }) {
    const { database, sql } = databaseAndSql(args);
    const known = database ? services.registry.databases.find((d) => d.label === database || d.name === database) : undefined;
    const type = sql && classifyStatement(sql) === "data" ? "data" : "schema";
    // SQL longer than the form's text field is kept as a draft the form shows and submits whole, never cut.
    const long = sql !== undefined && sql.length > SLACK_LIMITS.plainTextInput;
    if (long && !sqlFitsInForm(sql)) {
      throw new UsageError(`The SQL is ${sql.length.toLocaleString("en-US")} characters, more than a form can show. Attach it as a .sql file: run \`/db change\` and choose the file.`);
    }
    const sqlDraft = long ? await services.sqlDrafts.keep(sql, command.user_id) : undefined;
    await client.views.open({
      trigger_id: command.trigger_id,
      view: changeModal(services.registry.databases, { database: known?.label, sql, type, sqlDraft }, command.channel_id),
    });
    if (database && !known) {
      await client.chat.postEphemeral({
        channel: command.channel_id,
        user: command.user_id,
        ...slackMessage(mrkdwn`Unknown database "${database}"; choose one in the form. Known databases: ${services.registry.databases.map((d) => d.label).join(", ") || "none"}.`),
      });
    }
  },
};
