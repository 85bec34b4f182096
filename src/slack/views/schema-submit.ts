// The schema editor's "Submit change" hands its DDL to the change workflow: the same review, approvals
// and history as `/db change`. Input problems surface in the editor; the rest happens after Slack's ack.
import { prepareChange, type ChangeRequest } from "../../changes/prepare.ts";
import { mrkdwn, slackMessage } from "../blocks/text.ts";
import { userMessageFor } from "../reply-error.ts";
import type { SluiceServices } from "../services.ts";

export interface SchemaSubmission {
  /** The database label as the registry knows it (registry.find(label)). */
  databaseLabel: string;
  /** The DDL script, statements ending with `;`, exactly as previewed and reviewed. */
  ddl: string;
  /** Slack user id of the requester. */
  requesterUserId: string;
  description: string;
  /** The editor's view id: a second submission of the same editor creates nothing new. */
  viewId: string;
}

/**
 * Validates the DDL as a schema change (throws ChangeInputError for the editor to show), then submits it in
 * the background so the modal can close within Slack's three seconds. A later failure is sent to the requester.
 */
export function submitSchemaChange(services: SluiceServices, submission: SchemaSubmission): void {
  const request: ChangeRequest = {
    database: submission.databaseLabel,
    type: "schema",
    sql: submission.ddl,
    description: submission.description,
    requesterId: submission.requesterUserId,
    requestKey: `schema-editor:${submission.viewId}`,
  };
  prepareChange(services.registry, services.config.file.execution, request);
  void services.workflow.submit(request).catch(async (error: unknown) => {
    services.logger.error({ user: submission.requesterUserId, database: submission.databaseLabel, err: error }, "schema editor submission failed");
    await services.slack.chat
      .postMessage({ channel: submission.requesterUserId, ...slackMessage(mrkdwn`:warning: Your schema change on ${submission.databaseLabel} was not submitted: ${userMessageFor(error)}`) })
      .catch(() => {});
  });
}
