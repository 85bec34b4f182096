// Runs drift checks: on the cron schedule, for one database on request, and the first baseline of databases
// that have no snapshot yet. Every run holds the store's drift lock, so across replicas one run works at a time.
import { schedule, validate, type ScheduledTask } from "node-cron";
import type { Logger } from "../logger.ts";
import type { RegisteredDatabase } from "../projects/registry.ts";
import { advisoryLockKey, tryAdvisoryLock, withAdvisoryLock, type Store } from "../store/index.ts";
import { establishBaseline, type Baseline } from "./baseline.ts";
import { DriftDetector } from "./detector.ts";
import { DriftError } from "./errors.ts";
import type { DatabaseCheck, DriftEvent } from "./events.ts";
import type { ConnectLive, ReadFingerprints } from "./live-schema.ts";

export const DRIFT_LOCK = advisoryLockKey("sluice:drift");

export interface DriftMonitorOptions {
  store: Pick<Store, "prisma" | "pool">;
  databases: readonly RegisteredDatabase[];
  connect: ConnectLive;
  /** Reads a scheduled run's fingerprints together (see fingerprintsLive). */
  fingerprints?: ReadFingerprints;
  logger: Logger;
  concurrency?: number;
  /**
   * Called once a database's drift is resolved (a new baseline, or the schema went back to the snapshot), after its
   * events are delivered: changes the drift held may go on. Its failure is logged, never thrown.
   */
  onDriftResolved?: (database: RegisteredDatabase) => Promise<unknown>;
}

/** Turns events into messages; called inside the lock, in the order the events happened. */
export type DriftNotify = (events: DriftEvent[]) => Promise<void>;

export interface DriftRun {
  checked: number;
  events: DriftEvent[];
  failed: number;
}

export class DriftMonitor {
  private readonly detector: DriftDetector;
  private readonly inFlight = new Set<Promise<unknown>>();
  private task?: ScheduledTask;

  constructor(private readonly options: DriftMonitorOptions) {
    this.detector = new DriftDetector({ prisma: options.store.prisma, connect: options.connect, fingerprints: options.fingerprints, concurrency: options.concurrency });
  }

  /** Starts the cron job; the expression is checked here so a bad one stops start-up with a clear message. */
  startSchedule(expression: string, notify: DriftNotify): void {
    if (!validate(expression)) {
      throw new DriftError(`drift.schedule: "${expression}" is not a cron expression; use five fields, e.g. "*/10 * * * *".`);
    }
    this.task = schedule(expression, () => this.track(this.runScheduled(notify)), { name: "sluice-drift", noOverlap: true });
  }

  /** Takes the first baseline of databases without a snapshot, in the background; unreachable ones wait for the next run. */
  baselineInBackground(notify: DriftNotify): void {
    void this.track(this.runLocked(false, async () => {
      const missing = [];
      for (const database of this.options.databases) {
        const snapshot = await this.options.store.prisma.schemaSnapshot.findFirst({ where: { databaseId: database.id }, select: { id: true } });
        if (!snapshot) missing.push(database);
      }
      return this.checkMany(missing, notify);
    }));
  }

  /** One scheduled run over every database; undefined when another replica is already running one. */
  runScheduled(notify: DriftNotify): Promise<DriftRun | undefined> {
    return this.runLocked(false, () => this.checkMany(this.options.databases, notify));
  }

  /** Checks one database now, waiting for a run in progress to finish first. */
  async checkNow(database: RegisteredDatabase, notify: DriftNotify): Promise<DatabaseCheck> {
    return (await this.runLocked(true, async () => {
      const check = await this.detector.check(database);
      await this.deliver(check.events, notify);
      return check;
    }))!;
  }

  /**
   * Checks one database now, as checkNow does (an alert for a new drift is posted through `notify`); the id of its
   * open drift anomaly when its live schema differs from the latest snapshot. The drift gate asks this.
   */
  async openDrift(database: RegisteredDatabase, notify: DriftNotify): Promise<number | undefined> {
    const check = await this.checkNow(database, notify);
    return check.outcome === "drifted" ? check.anomaly?.id : undefined;
  }

  /** Establishes a new baseline under the drift lock, so a run in progress cannot re-alert the drift it answers. */
  async establishBaseline(database: RegisteredDatabase, anomalyId: number, userId: string): Promise<Baseline> {
    const { prisma } = this.options.store;
    const baseline = (await this.runLocked(true, () => establishBaseline({ prisma, connect: this.options.connect, database, anomalyId, userId })))!;
    await this.driftResolved(database);
    return baseline;
  }

  /** Stops the schedule and waits for the runs in progress, so the store is not closed under them. */
  async stop(): Promise<void> {
    await this.task?.destroy();
    await Promise.allSettled([...this.inFlight]);
  }

  private async checkMany(databases: readonly RegisteredDatabase[], notify: DriftNotify): Promise<DriftRun> {
    const results = await this.detector.checkAll(databases);
    const events: DriftEvent[] = [];
    let failed = 0;
    for (const result of results) {
      if ("error" in result) {
        failed += 1;
        this.options.logger.error({ err: result.error, database: result.database.label }, "drift check failed");
      } else {
        events.push(...result.events);
      }
    }
    await this.deliver(events, notify);
    return { checked: databases.length, events, failed };
  }

  private async deliver(events: DriftEvent[], notify: DriftNotify): Promise<void> {
    if (events.length === 0) return;
    try {
      await notify(events);
    } catch (error) {
      this.options.logger.error({ err: error, events: events.map((e) => `${e.type} ${e.database.label}`) }, "drift notification failed");
    }
    for (const event of events) if (event.type === "drift_resolved") await this.driftResolved(event.database);
  }

  private async driftResolved(database: RegisteredDatabase): Promise<void> {
    try {
      await this.options.onDriftResolved?.(database);
    } catch (error) {
      this.options.logger.error({ err: error, database: database.label }, "could not let go the changes a resolved drift held");
    }
  }

  private async runLocked<T>(wait: boolean, job: () => Promise<T>): Promise<T | undefined> {
    const { pool } = this.options.store;
    if (wait) return withAdvisoryLock(pool, DRIFT_LOCK, job);
    const result = await tryAdvisoryLock(pool, DRIFT_LOCK, job);
    if (!result.acquired) this.options.logger.info("drift run skipped: another run holds the drift lock");
    return result.acquired ? result.value : undefined;
  }

  private track<T>(run: Promise<T>): Promise<T | undefined> {
    const tracked = run.catch((error: unknown) => {
      this.options.logger.error({ err: error }, "drift run failed");
      return undefined;
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }
}
