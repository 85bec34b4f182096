// The buttons of a drift alert: "Establish new baseline" (approvers of the database's environment only) and
// "View history" (the database's recent changes, shown only to the person who asked).
import type { BlockButtonAction } from "@slack/bolt";
import { isApprover } from "../../changes/policy.ts";
import { findAnomaly, recentChanges, StaleAnomalyError } from "../../drift/index.ts";
import type { RegisteredDatabase } from "../../projects/registry.ts";
import type { DriftAnomaly } from "../../store/generated/client.ts";
import { driftSubject } from "../../store/outbox.ts";
import { SlackApproverDirectory } from "../approver-directory.ts";
import { DRIFT_BASELINE_ACTION, DRIFT_HISTORY_ACTION, historyBlocks, historyText } from "../blocks/drift.ts";
import { mrkdwn, slackMessage } from "../blocks/text.ts";
import { replyError } from "../reply-error.ts";
import type { SlackListeners } from "../router.ts";
import type { SluiceServices } from "../services.ts";

export function registerDriftActions(app: SlackListeners, services: SluiceServices): void {
  app.action<BlockButtonAction>(DRIFT_BASELINE_ACTION, async ({ ack, action, body, client, respond }) => {
    await ack();
    const userId = body.user.id;
    try {
      const { anomaly, database } = await anomalyAndDatabase(services, action.value);
      if (!(await isApprover(database.environment, userId, new SlackApproverDirectory(client)))) {
        await respond({
          response_type: "ephemeral",
          replace_original: false,
          ...slackMessage(mrkdwn`Only approvers of ${database.environment.name} can establish a new baseline for ${database.label}; nothing changed. Ask one of them to look at this drift.`),
        });
        return;
      }
      const baseline = await services.drift.establishBaseline(database, anomaly.id, userId);
      await services.announcements.deliver(driftSubject(baseline.anomaly.id));
    } catch (error) {
      await replyError(services.logger, respond, error, { action: DRIFT_BASELINE_ACTION, user: userId });
    }
  });

  app.action<BlockButtonAction>(DRIFT_HISTORY_ACTION, async ({ ack, action, body, respond }) => {
    await ack();
    try {
      const { database } = await anomalyAndDatabase(services, action.value);
      const changes = await recentChanges(services.store.prisma, database.id);
      await respond({ response_type: "ephemeral", replace_original: false, ...slackMessage(historyText(database.label, changes), historyBlocks(database.label, changes)) });
    } catch (error) {
      await replyError(services.logger, respond, error, { action: DRIFT_HISTORY_ACTION, user: body.user.id });
    }
  });
}

async function anomalyAndDatabase(services: SluiceServices, value: string | undefined): Promise<{ anomaly: DriftAnomaly; database: RegisteredDatabase }> {
  const anomaly = value && /^\d+$/.test(value) ? await findAnomaly(services.store.prisma, Number(value)) : null;
  const database = anomaly ? services.registry.byId(anomaly.databaseId) : undefined;
  if (!anomaly || !database) {
    throw new StaleAnomalyError("This drift alert points at a database Sluice no longer knows; run `/db drift` to see the open anomalies.");
  }
  return { anomaly, database };
}
