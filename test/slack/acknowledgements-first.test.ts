// Acknowledgements first (src/slack/ack-thread/acknowledgements-first.ts): Sluice's work on an answered request waits
// while the acknowledgement thread is still answering others, and never longer than its bound.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { afterAcknowledgements } from "../../src/slack/ack-thread/acknowledgements-first.ts";

const counter = (value: number) => {
  const unanswered = new Int32Array(new SharedArrayBuffer(4));
  Atomics.store(unanswered, 0, value);
  return unanswered;
};

async function elapsed(work: Promise<void>): Promise<number> {
  const started = performance.now();
  await work;
  return performance.now() - started;
}

// The test's own timers fire by Node's cached loop clock, some ms behind performance.now() on a loaded machine: each
// bound below leaves room for that, and still tells the waits apart (quiet moment, answer, bound).
describe("acknowledgements first", () => {
  test("with nothing unanswered, the work goes on after the quiet moment, not after its bound", async () => {
    // A quiet moment of 200 ms, and 50 ms of leeway: Node fires a timer by its event loop's cached clock, which on a
    // loaded machine is some ms behind the performance.now() this test starts from.
    const waited = await elapsed(afterAcknowledgements(counter(0), 5_000, 200));
    assert.ok(waited >= 150, `went on after ${waited.toFixed(1)} ms, before the quiet moment`);
    assert.ok(waited < 1_000, `went on after ${waited.toFixed(1)} ms`);
  });

  test("a request that comes while the count is 0 holds the work until it is answered", async () => {
    // A burst: the thread had answered the first click when the next one arrived.
    const unanswered = counter(0);
    setTimeout(() => Atomics.store(unanswered, 0, 1), 5);
    setTimeout(() => {
      Atomics.store(unanswered, 0, 0);
      Atomics.notify(unanswered, 0);
    }, 150);
    const waited = await elapsed(afterAcknowledgements(unanswered, 5_000, 50));
    assert.ok(waited >= 120, `went on after ${waited.toFixed(1)} ms, while a request was still unanswered`);
    assert.ok(waited < 1_000, `went on after ${waited.toFixed(1)} ms`);
  });

  test("the work waits until the last acknowledgement under way is answered, not for its bound", async () => {
    const unanswered = counter(2);
    setTimeout(() => Atomics.store(unanswered, 0, 1), 10); // a change without notify: the wait looks again when woken
    setTimeout(() => {
      Atomics.store(unanswered, 0, 0);
      Atomics.notify(unanswered, 0);
    }, 200);
    const waited = await elapsed(afterAcknowledgements(unanswered, 5_000));
    assert.ok(waited >= 150, `went on after ${waited.toFixed(1)} ms, before the acknowledgements were answered`);
    assert.ok(waited < 1_000, `went on after ${waited.toFixed(1)} ms: it waited for its bound, not for the answer`);
  });

  test("a count that does not fall holds the work no longer than the bound", async () => {
    const waited = await elapsed(afterAcknowledgements(counter(3), 30));
    assert.ok(waited >= 29, `went on after ${waited.toFixed(1)} ms`);
    assert.ok(waited < 1_000, `held ${waited.toFixed(1)} ms`);
  });
});
