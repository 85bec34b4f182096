// Submission of the `/db query` modal: runs the query, then answers ephemerally or in a channel thread with a CSV.
import type { WebClient } from "@slack/web-api";
import { toCsv } from "../../query/cells.ts";
import { runQuery, type QueryAnswer } from "../../query/run-query.ts";
import { QUERY_BLOCKS, QUERY_MODAL_CALLBACK, type QueryDelivery, type QueryModalMetadata } from "../blocks/query-modal.ts";
import { byteLimitNote, resultMessage } from "../blocks/query-result.ts";
import { codeBlock, mention, mrkdwn, section, slackMessage } from "../blocks/text.ts";
import { queryDeps } from "../commands/query.ts";
import { userMessageFor } from "../reply-error.ts";
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";

const SQL_PREVIEW = 2500;

interface Submitted {
  database: string;
  sql: string;
  delivery: QueryDelivery;
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null }>>;

function readSubmission(values: StateValues): Submitted {
  const field = (ids: { block: string; action: string }) => values[ids.block]?.[ids.action];
  const database = field(QUERY_BLOCKS.database);
  return {
    database: (database?.selected_option?.value ?? database?.value ?? "").trim(),
    sql: (field(QUERY_BLOCKS.sql)?.value ?? "").trim(),
    delivery: field(QUERY_BLOCKS.delivery)?.selected_option?.value === "thread" ? "thread" : "ephemeral",
  };
}

export function registerQueryModal(app: SlackListeners, services: SluiceServices): void {
  app.view(QUERY_MODAL_CALLBACK, async ({ ack, body, view, client }) => {
    await ack();
    const user = body.user.id;
    const { channel } = JSON.parse(view.private_metadata || "{}") as Partial<QueryModalMetadata>;
    if (!channel) return;
    const submitted = readSubmission(view.state.values as StateValues);
    try {
      // An answer in the channel is seen by everyone there: it is masked for them, approvers' own rights aside.
      const audience = submitted.delivery === "thread" ? "channel" : "requester";
      const answer = await runQuery({ actorId: user, database: submitted.database, sql: submitted.sql, audience }, queryDeps(services));
      if (submitted.delivery === "thread") await answerInThread(client, channel, user, submitted.sql, answer);
      else await answerEphemerally(client, channel, user, answer);
    } catch (error) {
      services.logger.warn({ view: QUERY_MODAL_CALLBACK, user, err: error }, "query failed");
      await client.chat.postEphemeral({ channel, user, ...slackMessage(mrkdwn`:warning: ${userMessageFor(error)}`) }).catch((postError: unknown) => {
        services.logger.error({ view: QUERY_MODAL_CALLBACK, user, err: postError }, "could not tell the user about the failure");
      });
    }
  });
}

async function answerEphemerally(client: WebClient, channel: string, user: string, answer: QueryAnswer): Promise<void> {
  const message = resultMessage(answer, {
    database: answer.database.label,
    whereTheRestIs: "Choose *In the channel* in the form to get every row as a CSV file.",
  });
  await client.chat.postEphemeral({ channel, user, ...slackMessage(message.text, message.blocks) });
}

async function answerInThread(client: WebClient, channel: string, user: string, sql: string, answer: QueryAnswer): Promise<void> {
  const preview = sql.length > SQL_PREVIEW ? `${sql.slice(0, SQL_PREVIEW)}…` : sql;
  const root = await client.chat.postMessage({
    channel,
    ...slackMessage(mrkdwn`${mention(user)} ran a read-only query on ${answer.database.label}`, [
      section(mrkdwn`${mention(user)} ran a read-only query on *${answer.database.label}*\n${codeBlock(preview).text}`),
    ]),
  });
  const threadTs = root.ts!;
  const message = resultMessage(answer, { database: answer.database.label, whereTheRestIs: "Every row is in the CSV file below." });
  await client.chat.postMessage({ channel, thread_ts: threadTs, ...slackMessage(message.text, message.blocks) });
  if (message.shownRows < answer.rows.length) {
    await client.filesUploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      filename: `${answer.database.name}-query.csv`,
      title: `${answer.database.label}: ${answer.rows.length} rows${answer.cutAtBytes ? " (cut at the result limit)" : ""}`,
      content: toCsv(answer.columns, answer.rows),
      initial_comment: mrkdwn`${answer.rows.length.toLocaleString("en-US")} rows${answer.truncated ? ` (cut at the ${answer.rowLimit.toLocaleString("en-US")}-row limit)` : ""}${answer.cutAtBytes ? `, ${byteLimitNote(answer.maxResultBytes)}` : ""}.`.text,
    });
  }
}
