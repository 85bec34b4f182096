// Turns a message the outbox holds into Slack calls, by its subject: a change's root message and thread
// (SlackChangeNotifier), a drift anomaly's alert and its updates (DriftAlertSender).
import type { StoredChangeEvent } from "../changes/notifier.ts";
import type { DriftMessage } from "../drift/index.ts";
import type { DeliverEntry } from "../outbox/reconciler.ts";
import type { ChangeRepository } from "../store/changes.ts";
import type { OutboxEntry } from "../store/outbox.ts";
import type { SlackChangeNotifier } from "./change-notifier.ts";
import type { DriftAlertSender } from "./drift-alerts.ts";

export interface OutboxDeliverers {
  changes: ChangeRepository;
  changeNotifier: SlackChangeNotifier;
  driftAlerts: DriftAlertSender;
}

export function slackDelivery({ changes, changeNotifier, driftAlerts }: OutboxDeliverers): DeliverEntry {
  return async (entry: OutboxEntry) => {
    const [kind, id] = entry.subject.split(":");
    const subjectId = Number(id);
    if (kind === "change" && Number.isInteger(subjectId)) {
      await changeNotifier.notify(await changes.get(subjectId), entry.payload as StoredChangeEvent, entry);
      return;
    }
    if (kind === "drift" && Number.isInteger(subjectId)) {
      await driftAlerts.send(subjectId, entry.payload as DriftMessage, entry);
      return;
    }
    throw new Error(`no deliverer for outbox subject "${entry.subject}"`);
  };
}
