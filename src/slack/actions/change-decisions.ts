// Buttons on a change: approve, reject, override (asks for a reason), retry, mark as done, view.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { changeSchemaDiff } from "../../changes/schema-diff.ts";
import type { DecisionOutcome } from "../../changes/workflow.ts";
import { CHANGE_ACTIONS } from "../blocks/change.ts";
import { FORCE_ROLLBACK_MODAL, forceRollbackModal, OVERRIDE_MODAL, overrideModal } from "../blocks/change-modal.ts";
import { changeDetailModal, STATEMENTS_IN_DETAIL_MODAL } from "../blocks/history.ts";
import { mrkdwn, slackMessage, type Mrkdwn } from "../blocks/text.ts";
import { userMessageFor } from "../reply-error.ts";
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Says something only the clicker sees, where they clicked: in the thread for a reply, in the channel for a root message. */
async function tellClicker(args: ButtonArgs, text: Mrkdwn): Promise<void> {
  const channel = args.body.channel?.id ?? args.body.container?.channel_id;
  if (!channel) return;
  // A root message with replies carries its own ts as thread_ts: it is still in the channel.
  const message = args.body.message;
  const threadTs = message?.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : undefined;
  await args.client.chat.postEphemeral({ channel, user: args.body.user.id, ...slackMessage(text), ...(threadTs ? { thread_ts: threadTs } : {}) });
}

function changeIdOf(args: ButtonArgs): number {
  return Number(args.action.value);
}

function onButton(app: SlackListeners, services: SluiceServices, actionId: string, handle: (args: ButtonArgs, changeId: number) => Promise<void>): void {
  app.action<BlockAction<ButtonAction>>(actionId, async (args) => {
    await args.ack();
    const changeId = changeIdOf(args);
    try {
      if (!Number.isInteger(changeId)) throw new Error(`button ${actionId} carries no change id`);
      await handle(args, changeId);
    } catch (error) {
      services.logger.error({ action: actionId, changeId, user: args.body.user.id, err: error }, "button failed");
      await tellClicker(args, mrkdwn`:warning: ${userMessageFor(error)}`).catch(() => {});
    }
  });
}

async function answer(args: ButtonArgs, outcome: DecisionOutcome): Promise<void> {
  if (!outcome.ok) await tellClicker(args, mrkdwn`${outcome.reason}`);
}

export function registerChangeDecisions(app: SlackListeners, services: SluiceServices): void {
  const { workflow } = services;
  onButton(app, services, CHANGE_ACTIONS.approve, async (args, id) => answer(args, await workflow.approve(id, args.body.user.id)));
  onButton(app, services, CHANGE_ACTIONS.reject, async (args, id) => answer(args, await workflow.reject(id, args.body.user.id)));
  onButton(app, services, CHANGE_ACTIONS.retry, async (args, id) => answer(args, await workflow.retry(id, args.body.user.id)));
  onButton(app, services, CHANGE_ACTIONS.markDone, async (args, id) => answer(args, await workflow.markDone(id, args.body.user.id)));

  onButton(app, services, CHANGE_ACTIONS.override, async (args, id) => {
    const refusal = await workflow.decisionRefusal(id, args.body.user.id);
    if (refusal) return tellClicker(args, mrkdwn`${refusal}`);
    const change = await services.changes.get(id);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: overrideModal(change.key, change.id, change.reviews[0]?.errorCount ?? 0) });
  });

  onButton(app, services, CHANGE_ACTIONS.view, async (args, id) => {
    const change = await services.changes.get(id);
    const statements = await services.changes.shownStatements(change, STATEMENTS_IN_DETAIL_MODAL);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: changeDetailModal(change, statements, changeSchemaDiff(change)) });
  });

  onButton(app, services, CHANGE_ACTIONS.previewRollback, async (args, id) => {
    const outcome = await workflow.prepareRollback(id, args.body.user.id);
    if (!outcome.ok) return tellClicker(args, mrkdwn`${outcome.reason}`);
    if (outcome.created === false) await tellClicker(args, mrkdwn`The rollback is already prepared as ${outcome.change.key}.`);
  });

  onButton(app, services, CHANGE_ACTIONS.forceRollback, async (args, id) => {
    const refusal = await workflow.decisionRefusal(id, args.body.user.id, ["failed"]);
    if (refusal) return tellClicker(args, mrkdwn`${refusal}`);
    const change = await services.changes.get(id);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: forceRollbackModal(change.key, change.id) });
  });

  onReason(app, services, OVERRIDE_MODAL, "Say why the findings may be overridden (at least 10 characters).", (changeId, userId, reason) => workflow.approve(changeId, userId, reason));
  onReason(app, services, FORCE_ROLLBACK_MODAL, "Say why the rollback may overwrite later changes (at least 10 characters).", (changeId, userId, reason) =>
    workflow.forceRollback(changeId, userId, reason),
  );
}

/** A reason modal is submitted: the decision is made, and a refusal is told to the approver. */
function onReason(app: SlackListeners, services: SluiceServices, callbackId: string, tooShort: string, decide: (changeId: number, userId: string, reason: string) => Promise<DecisionOutcome>): void {
  app.view(callbackId, async ({ ack, view, body, client }) => {
    const reason = (view.state.values.reason?.value?.value ?? "").trim();
    if (reason.length < 10) {
      await ack({ response_action: "errors", errors: { reason: tooShort } });
      return;
    }
    await ack();
    const { changeId } = JSON.parse(view.private_metadata) as { changeId: number };
    const outcome = await decide(changeId, body.user.id, reason);
    if (!outcome.ok) {
      const change = await services.changes.get(changeId);
      if (change.slackChannel) await client.chat.postEphemeral({ channel: change.slackChannel, user: body.user.id, ...slackMessage(mrkdwn`${outcome.reason}`) });
    }
  });
}
