// A receiver that acknowledges every request already waiting before the work handlers do after their ack().
// Node runs a handler's code after `await ack()` at once, ahead of the requests queued behind it; under a burst,
// each of those requests then waits for every earlier handler's work (store queries, building blocks, Web API
// calls) and Slack's 3-second deadline comes closer. Here that work resumes from a queue that lets one handler go
// per turn of the event loop, so between two of them the requests that arrived meanwhile are read and acknowledged.
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";

class AfterAckQueue {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  /** Resolves when it is this handler's turn to go on. */
  turn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.releaseNext();
    });
  }

  private releaseNext(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    // An immediate scheduled from an immediate runs on the next turn, after that turn's I/O (the new requests).
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()!();
      this.releaseNext();
    });
  }
}

/** How long stop() lets handlers already acknowledged finish their work before the store and Slack go away. */
const DRAIN_TIMEOUT_MS = 10_000;

export class AckFirstReceiver implements Receiver {
  private readonly afterAck = new AfterAckQueue();
  private readonly handling = new Set<Promise<void>>();

  constructor(private readonly inner: Receiver) {}

  init(app: App): void {
    const acksFirst = {
      processEvent: (event: ReceiverEvent) => {
        const handled = app.processEvent({
          ...event,
          ack: async (response) => {
            await event.ack(response);
            await this.afterAck.turn();
          },
        });
        this.handling.add(handled);
        void handled.catch(() => {}).finally(() => this.handling.delete(handled));
        return handled;
      },
    };
    // The receivers call nothing on the app but processEvent.
    this.inner.init(acksFirst as unknown as App);
  }

  start(...args: unknown[]): Promise<unknown> {
    return this.inner.start(...args);
  }

  /**
   * Stops taking requests, then waits for the work of those already acknowledged (a user who got a 200 is owed its
   * answer; cut off, that work would fail against a closed store and retry its Slack calls for half an hour).
   */
  async stop(...args: unknown[]): Promise<unknown> {
    const stopped = await this.inner.stop(...args);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
    });
    await Promise.race([Promise.allSettled([...this.handling]), timeout]);
    clearTimeout(timer);
    return stopped;
  }
}
