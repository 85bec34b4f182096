// How the workflow tells people what happened to a change; the Slack layer implements it.
import type { ChangeDetail } from "../store/changes.ts";

export type ChangeEvent =
  | { kind: "submitted" }
  | { kind: "approved"; by: string; override?: string; automatic?: boolean }
  | { kind: "rejected"; by: string; reason?: string }
  | { kind: "progress"; done: number; total: number }
  | { kind: "done" }
  | { kind: "failed"; error: string }
  | { kind: "interrupted" }
  | { kind: "retried"; by: string }
  | { kind: "marked_done"; by: string };

export interface ChangeNotifier {
  notify(change: ChangeDetail, event: ChangeEvent): Promise<void>;
}
