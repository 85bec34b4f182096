// Acknowledgements first. Sluice's work on a request that was answered at once waits, 20 ms at most, while the
// acknowledgement thread is still reading or answering others, and until none has come for 2 ms: on a machine of two
// cores a burst of clicks is then acknowledged before the work on each competes with it for the CPU, including the
// clicks of the burst still on their way when the thread had answered the first. The wait is far inside the 3 s a
// trigger_id lasts, and a request waiting for Sluice's own answer (a modal submission) does not wait at all.

/** Atomics.waitAsync (Node 16 and later) is typed from lib ES2024 on; the project compiles against ES2022. */
type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** The longest Sluice's work on a request waits behind acknowledgements still under way. */
export const ACKNOWLEDGEMENTS_FIRST_MS = 20;

/**
 * How long the count must stay 0 before the work goes on. The requests of a burst reach the thread within a ms or two
 * of each other, and the thread answers each in a fraction of one: the count falls to 0 between them. In the ack
 * bench's bursts of 10 and 50 this wait took the rounds where Sluice's p99 was over 1.2× the bare app's from 17 of 54
 * to 5 of 66 (bench/RESULTS.md).
 */
export const QUIET_MS = 2;

/** Resolves once `unanswered` (the acknowledgement thread's count) is 0 and still 0 `quietMs` later, or after `maxWaitMs`. */
export async function afterAcknowledgements(unanswered: Int32Array, maxWaitMs = ACKNOWLEDGEMENTS_FIRST_MS, quietMs = QUIET_MS): Promise<void> {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const count = Atomics.load(unanswered, 0);
    const left = deadline - performance.now();
    if (left <= 0) return;
    if (count <= 0) {
      // A request that came meanwhile and was answered already holds nothing up: only one still being read does.
      await new Promise((resolve) => setTimeout(resolve, Math.min(quietMs, left)));
      if (Atomics.load(unanswered, 0) <= 0) return;
      continue;
    }
    const waited = waitAsync(unanswered, 0, count, left);
    if (!waited.async) continue;
    // A pending waitAsync keeps no event loop alive, and its timeout fires only in one that is: a timer holds it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([waited.value, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  }
}
