// Edits of one Slack message, one at a time and at most one a second: Slack rate-limits editing a message (about once
// a second; more is answered 429 with a Retry-After), and a run's progress and its status moves all edit the same
// root message.

/** Slack's pace for editing one message. */
export const MESSAGE_EDIT_INTERVAL_MS = 1_000;

interface Lane {
  tail: Promise<void>;
  /** When the last edit of the message came back. */
  lastAt: number;
  queued: number;
}

export class MessageEditPacer {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly intervalMs = MESSAGE_EDIT_INTERVAL_MS) {}

  /** Runs `edit` of the message `key` after the edits of it before, once `intervalMs` passed since the last came back. */
  edit<T>(key: string, edit: () => Promise<T>): Promise<T> {
    this.forgetIdle();
    const lane = this.lanes.get(key) ?? { tail: Promise.resolve(), lastAt: 0, queued: 0 };
    this.lanes.set(key, lane);
    lane.queued += 1;
    const result = lane.tail.then(async () => {
      const wait = lane.lastAt + this.intervalMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        return await edit();
      } finally {
        lane.lastAt = Date.now();
        lane.queued -= 1;
      }
    });
    lane.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Messages with nothing queued and no edit within the interval need no lane. */
  private forgetIdle(): void {
    const now = Date.now();
    for (const [key, lane] of this.lanes) if (lane.queued === 0 && now - lane.lastAt >= this.intervalMs) this.lanes.delete(key);
  }
}
