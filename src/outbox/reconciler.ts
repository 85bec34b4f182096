// Drains the outbox (src/store/outbox.ts): right after the transaction that wrote a message, and, for whatever that
// could not deliver (Slack down or rate-limited, the store hiccuping, a process killed in between), at start-up and
// every sweep. A message that fails is tried again later, waiting twice as long each time up to `maxDelayMs`.
import { redactSecrets, type Logger } from "../logger.ts";
import type { Outbox, OutboxEntry } from "../store/outbox.ts";

/** Tells Slack one message; throws when Slack did not take it. */
export type DeliverEntry = (entry: OutboxEntry) => Promise<void>;

export interface ReconcilerOptions {
  outbox: Outbox;
  /** Names this process in the rows it claims. */
  owner: string;
  deliver: DeliverEntry;
  logger: Logger;
  /** The longest wait between two tries of one message, and how often the outbox is swept. */
  maxDelayMs: number;
  /**
   * How long a claim lasts unless renewed: a delivery renews its claim while it goes on, so this is how long the
   * message of a process that died mid-delivery waits before another process takes it.
   */
  leaseMs?: number;
}

const FIRST_RETRY_MS = 1_000;
const DEFAULT_LEASE_MS = 30_000;
/** Rows claimed at a time by a sweep. */
const SWEEP_BATCH = 20;

export class OutboxReconciler {
  private timer?: NodeJS.Timeout;
  private timerDueAt = Infinity;
  private stopped = true;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: ReconcilerOptions) {}

  /**
   * Delivers what is due, in order: about one subject (after the transaction that wrote it), or every subject (a
   * sweep). Never throws: what could not be delivered stays in the outbox for a later sweep. Returns how many
   * messages went out.
   */
  deliver(subject?: string): Promise<number> {
    const run = this.drain(subject);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** Sweeps now (what an earlier process left undelivered) and then every `maxDelayMs`. */
  start(): Promise<number> {
    this.stopped = false;
    return this.sweep();
  }

  /** Stops sweeping and waits for the deliveries under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async sweep(): Promise<number> {
    const delivered = await this.deliver();
    this.wakeIn(this.options.maxDelayMs);
    return delivered;
  }

  private async drain(subject?: string): Promise<number> {
    const { outbox, owner, logger } = this.options;
    const leaseMs = this.options.leaseMs ?? DEFAULT_LEASE_MS;
    let delivered = 0;
    try {
      for (;;) {
        const entries = await outbox.claim(owner, leaseMs, subject === undefined ? SWEEP_BATCH : 1, subject);
        if (entries.length === 0) return delivered;
        for (const entry of entries) if (await this.deliverOne(entry)) delivered += 1;
      }
    } catch (error) {
      logger.warn({ err: error, subject }, "could not read the outbox of messages owed to Slack; a later sweep delivers them");
      this.wakeIn(this.options.maxDelayMs);
      return delivered;
    }
  }

  private async deliverOne(entry: OutboxEntry): Promise<boolean> {
    const { outbox, owner, logger } = this.options;
    const leaseMs = this.options.leaseMs ?? DEFAULT_LEASE_MS;
    const renewal = setInterval(() => {
      outbox.extend(entry.id, owner, leaseMs).catch((error: unknown) => logger.warn({ err: error, subject: entry.subject }, "could not renew the claim on a message for Slack"));
    }, leaseMs / 3);
    try {
      await this.options.deliver(entry);
    } catch (error) {
      const delayMs = Math.min(this.options.maxDelayMs, FIRST_RETRY_MS * 2 ** Math.min(entry.attempts - 1, 20));
      logger.warn({ err: error, subject: entry.subject, attempts: entry.attempts, retryInMs: delayMs }, "could not tell Slack; trying again later");
      await outbox.retryLater(entry.id, owner, delayMs, errorText(error));
      this.wakeIn(delayMs);
      return false;
    } finally {
      clearInterval(renewal);
    }
    if (!(await outbox.delivered(entry.id, owner))) {
      logger.warn({ subject: entry.subject }, "a message owed to Slack was delivered after its claim ran out");
    }
    return true;
  }

  /** Sweeps in `delayMs`, unless a sweep is already due sooner. */
  private wakeIn(delayMs: number): void {
    if (this.stopped) return;
    const dueAt = Date.now() + delayMs;
    if (this.timer && this.timerDueAt <= dueAt) return;
    clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueAt = Infinity;
      void this.sweep();
    }, delayMs);
    this.timer.unref();
  }
}

function errorText(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error)).slice(0, 2_000);
}
