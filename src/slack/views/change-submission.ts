// The `/db change` and `/db newdb` modals are submitted: field errors go back into the modal; a valid change
// is acknowledged at once and then reviewed, stored and posted.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import { ChangeInputError, prepareChangeWithinDatabase, type ChangeField, type ChangeRequest } from "../../changes/prepare.ts";
import { newDatabaseNameProblem } from "../../changes/workflow.ts";
import { CHANGE_FIELDS, CHANGE_MODAL, NEWDB_FIELDS, NEWDB_MODAL, newDatabaseTargetOf, type SqlFormMetadata } from "../blocks/change-modal.ts";
import { newDatabaseTargets } from "../commands/newdb.ts";
import { SqlDraftLostError } from "../sql-drafts.ts";
import { channelLink, mrkdwn, slackMessage, type Mrkdwn } from "../blocks/text.ts";
import { AttachedFileError, readAttachedFile, type AttachedFile } from "../files.ts";
import { ChangeStoredError } from "../../store/errors.ts";
import { userMessageFor } from "../reply-error.ts";
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";

export type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type StateValue = { value?: string | null; selected_option?: { value: string } | null; files?: AttachedFile[] };

export function field(view: ViewArgs["view"], blockId: string): StateValue {
  return (view.state.values[blockId]?.value ?? {}) as StateValue;
}

const blockOfField: Record<ChangeField, string> = { database: CHANGE_FIELDS.database, type: CHANGE_FIELDS.type, sql: CHANGE_FIELDS.sql, description: CHANGE_FIELDS.description };

/** Tells the submitter, in the channel they started from, what became of their submission. */
async function tellSubmitter(args: ViewArgs, text: Mrkdwn): Promise<void> {
  const { channel } = formMetadata(args.view);
  if (!channel) return;
  await args.client.chat.postEphemeral({ channel, user: args.body.user.id, ...slackMessage(text) });
}

export function formMetadata(view: ViewArgs["view"]): Partial<SqlFormMetadata> {
  return JSON.parse(view.private_metadata || "{}") as Partial<SqlFormMetadata>;
}

/**
 * The SQL a change or review form was submitted with, whole: the draft it holds from the command line, the text
 * field, or the attached file. A problem is an error on the form's field.
 */
export async function readSubmittedSql(args: ViewArgs, services: SluiceServices): Promise<{ sql: string } | { errors: Record<string, string> }> {
  const { view, body } = args;
  const { sqlDraft } = formMetadata(view);
  if (sqlDraft) {
    try {
      return { sql: await services.sqlDrafts.read(sqlDraft, body.user.id) };
    } catch (error) {
      if (error instanceof SqlDraftLostError) return { errors: { [CHANGE_FIELDS.database]: error.message } };
      throw error;
    }
  }
  const sql = field(view, CHANGE_FIELDS.sql).value ?? "";
  const files = field(view, CHANGE_FIELDS.file).files ?? [];
  if (files.length === 0) return { sql };
  if (sql.trim()) return { errors: { [CHANGE_FIELDS.file]: "Give the SQL in the field or as a file, not both." } };
  try {
    return { sql: await readAttachedFile(files[0]!, services.fileDownloads, services.config.file.execution.maxScriptBytes) };
  } catch (error) {
    if (error instanceof AttachedFileError) return { errors: { [CHANGE_FIELDS.file]: error.message } };
    throw error;
  }
}

async function readChangeRequest(args: ViewArgs, services: SluiceServices): Promise<{ request: ChangeRequest } | { errors: Record<string, string> }> {
  const { view, body } = args;
  const read = await readSubmittedSql(args, services);
  if ("errors" in read) return read;
  return {
    request: {
      database: field(view, CHANGE_FIELDS.database).selected_option?.value ?? "",
      type: field(view, CHANGE_FIELDS.type).selected_option?.value === "data" ? "data" : "schema",
      sql: read.sql,
      description: field(view, CHANGE_FIELDS.description).value ?? "",
      requesterId: body.user.id,
      requestKey: `view:${view.id}`,
    },
  };
}

/** What became of a stored change: posted in its channel, or (Slack did not take it yet) to be posted there. */
async function submittedText(services: SluiceServices, changeId: number, key: string, channel: string): Promise<Mrkdwn> {
  const posted = await services.store.prisma.change
    .findUnique({ where: { id: changeId }, select: { slackTs: true } })
    .then((row) => Boolean(row?.slackTs))
    .catch(() => false);
  return posted
    ? mrkdwn`Submitted *${key}*; it is posted in ${channelLink(channel)}.`
    : mrkdwn`Submitted *${key}*: it is stored, and Sluice posts it in ${channelLink(channel)} as soon as Slack takes the message.`;
}

/**
 * What to tell the submitter when the submission threw: never "not submitted" for a change that was stored (the
 * store did not answer after the change was written, or the error came later): it is stored, and goes on.
 */
async function failedSubmissionText(services: SluiceServices, requestKey: string | undefined, error: unknown, notDone: string): Promise<Mrkdwn> {
  const stored =
    error instanceof ChangeStoredError
      ? { key: error.key }
      : requestKey
        ? await services.store.prisma.change.findUnique({ where: { requestKey }, select: { key: true } }).catch(() => null)
        : null;
  if (!stored) return mrkdwn`:warning: ${notDone}: ${userMessageFor(error)}`;
  const named = stored.key ? mrkdwn`*${stored.key}*` : mrkdwn`Your change`;
  const problem = error instanceof ChangeStoredError ? "the history store did not answer when Sluice read it back." : userMessageFor(error);
  return mrkdwn`:warning: ${named} is stored, but Sluice hit a problem right after: ${problem} It is posted in its project's channel and goes on as soon as the cause is gone; check \`/db history\` before submitting it again.`;
}

export function registerChangeSubmission(app: SlackListeners, services: SluiceServices): void {
  app.view<ViewSubmitAction>(CHANGE_MODAL, async (args) => {
    const { ack, body } = args;
    const read = await readChangeRequest(args, services);
    if ("errors" in read) {
      await ack({ response_action: "errors", errors: read.errors });
      return;
    }
    const { request } = read;
    try {
      await prepareChangeWithinDatabase(services.registry, services.config.file.execution, request);
    } catch (error) {
      if (error instanceof ChangeInputError) {
        await ack({ response_action: "errors", errors: { [blockOfField[error.field]]: error.message } });
        return;
      }
      throw error;
    }
    await ack();
    try {
      const { change, created } = await services.workflow.submit(request);
      if (created) await tellSubmitter(args, await submittedText(services, change.id, change.key, change.database.project.slackChannel));
    } catch (error) {
      services.logger.error({ user: body.user.id, err: error }, "change submission failed");
      await tellSubmitter(args, await failedSubmissionText(services, request.requestKey, error, "Your change was not submitted"));
    }
  });

  app.view<ViewSubmitAction>(NEWDB_MODAL, async (args) => {
    const { ack, view, body } = args;
    const name = (field(view, NEWDB_FIELDS.name).value ?? "").trim();
    const selected = field(view, NEWDB_FIELDS.target).selected_option?.value;
    if (!selected) {
      await ack({ response_action: "errors", errors: { [NEWDB_FIELDS.target]: "Choose where to create the database." } });
      return;
    }
    const nameProblem = newDatabaseNameProblem(name);
    if (nameProblem) {
      await ack({ response_action: "errors", errors: { [NEWDB_FIELDS.name]: nameProblem } });
      return;
    }
    const target = newDatabaseTargetOf(selected, newDatabaseTargets(services));
    if (!target) {
      await ack({ response_action: "errors", errors: { [NEWDB_FIELDS.target]: "Choose one of the places offered." } });
      return;
    }
    const request = { name, ...target, description: field(view, NEWDB_FIELDS.description).value ?? "", requesterId: body.user.id, requestKey: `view:${view.id}` };
    await ack();
    try {
      const { change, created } = await services.workflow.submitNewDatabase(request);
      if (created) await tellSubmitter(args, await submittedText(services, change.id, change.key, change.database.project.slackChannel));
    } catch (error) {
      if (!(error instanceof ChangeInputError)) services.logger.error({ user: body.user.id, err: error }, "newdb submission failed");
      await tellSubmitter(args, await failedSubmissionText(services, request.requestKey, error, "The database was not created"));
    }
  });
}
