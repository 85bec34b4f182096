// The drift gate: a schema change written against the schema Sluice last saw does not run over a database someone
// altered out of band until the drift is explained (a new baseline) or gone. What it does per environment is its
// `drift.gate`; the check itself is the drift detector's, run when a change is submitted, approved and about to run.
import type { EnvironmentConfig } from "../config/schema.ts";
import type { RegisteredDatabase } from "../projects/registry.ts";
import type { ChangeType } from "../store/changes.ts";

/** Checks a database's live schema against its latest snapshot now; the open drift anomaly's id when they differ. */
export interface DriftWatch {
  openDrift(database: RegisteredDatabase): Promise<number | undefined>;
}

/**
 * What an open drift means for a change: `hold` it until the drift is resolved, `mention` it on the change, or
 * `skip` the check. Only schema changes are held; data changes (and rollbacks, which are data) only mention it.
 * Creating a database or recording a baseline has no schema to drift from.
 */
export type DriftGateAction = "hold" | "mention" | "skip";

export function driftGateAction(environment: Pick<EnvironmentConfig, "drift">, type: ChangeType): DriftGateAction {
  if (environment.drift.gate === "off") return "skip";
  if (type === "schema") return environment.drift.gate === "block" ? "hold" : "mention";
  if (type === "data" || type === "rollback") return "mention";
  return "skip";
}

/** Why an approver's click is refused while the drift holds the change (shown only to them). */
export function driftRefusal(database: string, changeKey: string): string {
  return (
    `${changeKey} is held: the live schema of ${database} drifted from the snapshot Sluice took after its last change, so nothing ran. ` +
    "Look at the drift alert: establish a new baseline there if the out-of-band change should stay, or revert it; then approve again."
  );
}
