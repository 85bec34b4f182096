// How the workflow tells people what happened to a change; the Slack layer implements it.
import type { ChangeDetail } from "../store/changes.ts";
import { changeSubject } from "../store/outbox.ts";

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

/** An event that is stored with the move it reports (the outbox), so that Slack always hears of it. */
export type StoredChangeEvent = Exclude<ChangeEvent, { kind: "progress" }>;

export interface ChangeNotifier {
  notify(change: ChangeDetail, event: ChangeEvent): Promise<void>;
}

/** Delivers what the outbox holds; never throws (what is not delivered waits for the reconciler's next sweep). */
export interface Announcements {
  deliver(subject?: string): Promise<number>;
}

/**
 * Tells Slack what the transaction that moved a change wrote for it in the outbox (and anything still owed about the
 * change before that), in order. A Slack or store hiccup leaves it in the outbox; it must not undo or stop what
 * already happened to the change.
 */
export async function announce(deps: { announcements: Announcements }, changeId: number): Promise<void> {
  await deps.announcements.deliver(changeSubject(changeId));
}
