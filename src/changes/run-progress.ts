// A run's progress on the change's root message: edits go out in the background, in order, at most once a second
// and at the end, so a slow Slack never holds up the statements.

const PROGRESS_INTERVAL_MS = 1_000;

export class RunProgress {
  private last = 0;
  private sending: Promise<void> = Promise.resolve();

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
    const done = this.done;
    this.sending = this.sending.then(() => this.send(done, this.total));
  }

  /** Waits for the edits under way, so the run's final message is not overwritten by a late progress edit. */
  settled(): Promise<void> {
    return this.sending;
  }
}
