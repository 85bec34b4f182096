// A run's progress on the change's root message, coalesced: at most one edit under way and one waiting (the latest
// count, whatever came between), at most about once a second, and always the last count once the run is through. A
// slow or rate-limited Slack never holds up the statements, and never builds a queue of stale edits.

const PROGRESS_INTERVAL_MS = 1_000;

export class RunProgress {
  private last = 0;
  private sending?: Promise<void>;
  /** A newer count than the edit under way shows is waiting for it to end. */
  private newer = false;

  /** `send` reports its own failures: a progress edit that does not arrive must not fail the run. */
  constructor(
    private readonly total: number,
    private done: number,
    private readonly send: (done: number, total: number) => Promise<void>,
  ) {}

  /** Counts statements that completed, and shows it if the last edit is a second old or the run is through. */
  advance(count = 1): void {
    this.done += count;
    if (Date.now() - this.last < PROGRESS_INTERVAL_MS && this.done !== this.total) return;
    this.last = Date.now();
    if (this.sending) {
      this.newer = true;
      return;
    }
    this.sending = this.showLatest();
  }

  /** Waits for the edits under way, so the run's final message is not overwritten by a late progress edit. */
  settled(): Promise<void> {
    return this.sending ?? Promise.resolve();
  }

  private async showLatest(): Promise<void> {
    do {
      this.newer = false;
      await this.send(this.done, this.total);
    } while (this.newer);
    this.sending = undefined;
  }
}
