// How the workflow tells people what happened to a change; the Slack layer implements it.
import type { Logger } from "../logger.ts";
import type { ChangeDetail, ChangeRepository } from "../store/changes.ts";

export type ChangeEvent =
  | { kind: "submitted" }
  | { kind: "approved"; by: string; override?: string; automatic?: boolean }
  | { kind: "rejected"; by: string; reason?: string }
  | { kind: "progress"; done: number; total: number }
  | { kind: "done" }
  | { kind: "failed"; error: string }
  | { kind: "interrupted" }
  | { kind: "retried"; by: string }
  | { kind: "marked_done"; by: string }
  /** An open drift on the database holds the change (drift gate `block`). */
  | { kind: "held_by_drift" }
  /** The drift that held the change was resolved. */
  | { kind: "drift_released" };

export interface ChangeNotifier {
  notify(change: ChangeDetail, event: ChangeEvent): Promise<void>;
}

/**
 * Tells people about a change, given whole or by id (then read from the store first). Never throws: a Slack or
 * store hiccup is logged, and must not undo or stop what already happened to the change.
 */
export async function announce(
  deps: { notifier: ChangeNotifier; changes: ChangeRepository; logger: Logger },
  change: ChangeDetail | number,
  event: ChangeEvent,
): Promise<void> {
  const changeId = typeof change === "number" ? change : change.id;
  try {
    await deps.notifier.notify(typeof change === "number" ? await deps.changes.get(change) : change, event);
  } catch (error) {
    deps.logger.error({ changeId, event: event.kind, err: error }, "could not tell Slack about the change");
  }
}
