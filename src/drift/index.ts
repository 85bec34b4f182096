// Schema drift: snapshots, the detector, baselines and the monitor that schedules them. Never imports Slack.
export { recordSnapshot, latestSnapshot } from "./snapshots.ts";
export { openAnomalies, findAnomaly, attachAlert } from "./anomalies.ts";
export { recentChanges, type ChangeSummary } from "./history.ts";
export { DriftMonitor, type DriftNotify, type DriftRun } from "./monitor.ts";
export { DriftDetector } from "./detector.ts";
export { connectLive, fingerprintsLive, type ConnectLive, type ReadFingerprints } from "./live-schema.ts";
export { DriftError, StaleAnomalyError } from "./errors.ts";
export type { Baseline } from "./baseline.ts";
export type { CheckOutcome, DatabaseCheck, DriftEvent, DriftMessage } from "./events.ts";
