// `/db query <database> <SQL>`: read-only SQL answered ephemerally; `/db query [database]` opens the modal.
import { AuditTrail } from "../../query/audit.ts";
import { runQuery, type QueryDeps } from "../../query/run-query.ts";
import { SluiceError } from "../../errors.ts";
import { queryModal } from "../blocks/query-modal.ts";
import { resultMessage } from "../blocks/query-result.ts";
import type { SluiceServices } from "../services.ts";
import { slackMessage } from "../blocks/text.ts";
import type { Subcommand } from "./subcommand.ts";

export class QueryUsageError extends SluiceError {}

export function queryDeps(services: SluiceServices): QueryDeps {
  return {
    config: services.config,
    registry: services.registry,
    audit: new AuditTrail(services.store.prisma),
    directory: services.approvers,
  };
}

/** `<database> <SQL…>`: the first word names the database, the rest (over several lines too) is the SQL. */
export function splitDatabaseAndSql(args: string): { database: string; sql: string } {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(args.trim());
  return match ? { database: match[1]!, sql: match[2]!.trim() } : { database: "", sql: "" };
}

export const query: Subcommand = {
  name: "query",
  usage: "/db query <database> <SQL>",
  summary: "Runs one read-only statement (limited, masked, audited) and shows the result to you. `/db query` alone opens a form for longer SQL and lets you answer in a thread with a CSV.",
  examples: ["/db query {database} SELECT table_name FROM information_schema.tables LIMIT 20", "/db query"],
  async handle({ args, command, client, respond, services }) {
    const { database, sql } = splitDatabaseAndSql(args);
    if (sql === "") {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: queryModal(services.registry.databases, { channel: command.channel_id }, database || undefined),
      });
      return;
    }
    const answer = await runQuery({ actorId: command.user_id, database, sql }, queryDeps(services));
    const message = resultMessage(answer, {
      database: answer.database.label,
      whereTheRestIs: `Run \`/db query ${answer.database.label}\` and choose *In the channel* to get every row as a CSV file.`,
    });
    await respond({ response_type: "ephemeral", ...slackMessage(message.text, message.blocks) });
  },
};
