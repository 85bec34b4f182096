// Turns an error in a handler into a log line and an answer the user can act on.
import type { RespondFn } from "@slack/bolt";
import { SluiceError } from "../errors.ts";
import { redactSecrets, type Logger } from "../logger.ts";
import { isStoreUnreachable } from "../store/errors.ts";
import { mrkdwn, slackMessage } from "./blocks/text.ts";

export function userMessageFor(error: unknown): string {
  if (error instanceof SluiceError) return redactSecrets(error.message);
  if (isStoreUnreachable(error)) {
    return "Sluice cannot reach its history store right now, so it could not do this; nothing runs without being recorded there. Try again in a minute; tell your Sluice admins if it persists.";
  }
  return "Sluice hit an unexpected error and changed nothing it had not recorded. The error is in Sluice's log; try again, and tell your Sluice admins if it persists.";
}

export async function replyError(logger: Logger, respond: RespondFn, error: unknown, context: Record<string, unknown>): Promise<void> {
  const expected = error instanceof SluiceError;
  logger[expected ? "warn" : "error"]({ ...context, err: error }, "handler failed");
  try {
    await respond({ response_type: "ephemeral", ...slackMessage(mrkdwn`:warning: ${userMessageFor(error)}`) });
  } catch (respondError) {
    logger.error({ ...context, err: respondError }, "could not tell the user about the failure");
  }
}
