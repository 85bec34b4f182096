// Errors the drift capability raises on purpose; each message says what the person can do next.
import { SluiceError } from "../errors.ts";

export class DriftError extends SluiceError {}

/** The anomaly a button or command points at is gone or already resolved: nothing was changed. */
export class StaleAnomalyError extends DriftError {}
