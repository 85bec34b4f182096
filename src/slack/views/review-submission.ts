// The `/db review` form is submitted: the SQL (field or .sql file) is reviewed and the report shown to the user.
import type { ViewSubmitAction } from "@slack/bolt";
import { CHANGE_FIELDS, REVIEW_MODAL } from "../blocks/change-modal.ts";
import { mrkdwn, slackMessage } from "../blocks/text.ts";
import { answerReview } from "../commands/review.ts";
import { userMessageFor } from "../reply-error.ts";
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";
import { field, formMetadata, readSubmittedSql } from "./change-submission.ts";

export function registerReviewSubmission(app: SlackListeners, services: SluiceServices): void {
  app.view<ViewSubmitAction>(REVIEW_MODAL, async (args) => {
    const { ack, view, body, client } = args;
    const label = field(view, CHANGE_FIELDS.database).selected_option?.value ?? "";
    const database = services.registry.databases.find((d) => d.label === label);
    if (!database) {
      await ack({ response_action: "errors", errors: { [CHANGE_FIELDS.database]: "Choose one of the databases offered." } });
      return;
    }
    const read = await readSubmittedSql(args, services);
    if ("errors" in read) {
      await ack({ response_action: "errors", errors: read.errors });
      return;
    }
    if (!read.sql.trim()) {
      await ack({ response_action: "errors", errors: { [CHANGE_FIELDS.sql]: "Give the SQL to review, or attach a .sql file." } });
      return;
    }
    await ack();
    const { channel } = formMetadata(view);
    if (!channel) return;
    try {
      await answerReview(client, services, { database, sql: read.sql, userId: body.user.id, channelId: channel });
    } catch (error) {
      services.logger.error({ user: body.user.id, err: error }, "review from the form failed");
      await client.chat.postEphemeral({ channel, user: body.user.id, ...slackMessage(mrkdwn`:warning: The review did not run: ${userMessageFor(error)}`) });
    }
  });
}
