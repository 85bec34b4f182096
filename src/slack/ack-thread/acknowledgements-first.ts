// Acknowledgements first. Sluice's work on a request that was answered at once waits, 20 ms at most, while the
// acknowledgement thread is still reading or answering others: on a machine of two cores a burst of clicks is then
// acknowledged before the work on each competes with it for the CPU. The wait is far inside the 3 s a trigger_id
// lasts, and a request waiting for Sluice's own answer (a modal submission) does not wait at all.

/** Atomics.waitAsync (Node 16 and later) is typed from lib ES2024 on; the project compiles against ES2022. */
type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** The longest Sluice's work on a request waits behind acknowledgements still under way. */
export const ACKNOWLEDGEMENTS_FIRST_MS = 20;

/** Resolves once `unanswered` (the acknowledgement thread's count) is 0, or after `maxWaitMs`. */
export async function afterAcknowledgements(unanswered: Int32Array, maxWaitMs = ACKNOWLEDGEMENTS_FIRST_MS): Promise<void> {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const count = Atomics.load(unanswered, 0);
    const left = deadline - performance.now();
    if (count <= 0 || left <= 0) return;
    const waited = waitAsync(unanswered, 0, count, left);
    if (!waited.async) continue;
    // A pending waitAsync keeps no event loop alive, and its timeout fires only in one that is: a timer holds it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([waited.value, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  }
}
