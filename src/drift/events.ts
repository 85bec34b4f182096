// What a drift check found, as events a notifier (Slack, a log, a test) turns into messages.
import type { DriftAnomaly } from "../store/generated/client.ts";
import type { RegisteredDatabase } from "../projects/registry.ts";

export type DriftEvent =
  /** The live schema differs from the latest snapshot and no open anomaly covered it: alert once. */
  | { type: "drift_detected"; database: RegisteredDatabase; anomaly: DriftAnomaly }
  /** An open drift changed further; `anomaly.diff` is the new snapshot-vs-live diff. */
  | { type: "drift_changed"; database: RegisteredDatabase; anomaly: DriftAnomaly }
  /** The live schema matches the snapshot again without a baseline: the drift went away by itself. */
  | { type: "drift_resolved"; database: RegisteredDatabase; anomaly: DriftAnomaly }
  /** The database could not be reached; reported once until it answers again. */
  | { type: "unreachable"; database: RegisteredDatabase; anomaly: DriftAnomaly; reason: string }
  | { type: "reachable_again"; database: RegisteredDatabase; anomaly: DriftAnomaly };

export type DriftEventType = DriftEvent["type"];

/**
 * The state of one database after a check. `busy`: a change of Sluice's is running on it, so its schema is moving
 * by Sluice's own hand and is not compared (the change records a snapshot when it ends).
 */
export type CheckOutcome = "in_sync" | "baselined" | "drifted" | "unreachable" | "busy";

export interface DatabaseCheck {
  database: RegisteredDatabase;
  outcome: CheckOutcome;
  events: DriftEvent[];
  /** False when the fingerprint differed and the schema was dumped and diffed. */
  fingerprintOnly: boolean;
  /** The open anomaly, when the outcome is drifted or unreachable. */
  anomaly?: DriftAnomaly;
}

/**
 * What Slack is to be told of an anomaly, kept in the outbox (src/store/outbox.ts) in the transaction that recorded
 * it, so an alert or its update that Slack does not take is tried again until it does. The diff is the one found by
 * the check (a later check may change the anomaly's).
 */
export type DriftMessage =
  | { type: "drift_detected"; diff: string }
  | { type: "drift_changed"; diff: string }
  | { type: "drift_resolved"; resolution: StoredResolution }
  | { type: "unreachable"; reason: string }
  | { type: "reachable_again" };

/** How a drift was resolved; when is the anomaly's `resolvedAt`. */
export type StoredResolution = { by: "baseline"; userId: string; changeKey: string } | { by: "went_away" };
