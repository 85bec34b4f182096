// A run's progress edits: in order, at most once a second plus the end, and never holding up the statements.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { RunProgress } from "../../src/changes/run-progress.ts";

describe("run progress on the root message", () => {
  test("the first step and the last are shown; steps in between within the second are not", async () => {
    const shown: string[] = [];
    const progress = new RunProgress(5, 0, async (done, total) => {
      shown.push(`${done}/${total}`);
    });
    for (let step = 0; step < 5; step++) progress.advance();
    await progress.settled();
    assert.deepEqual(shown, ["1/5", "5/5"]);
  });

  test("a slow edit does not hold up the run, and the edits arrive in order", async () => {
    const shown: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const progress = new RunProgress(300, 100, async (done, total) => {
      if (shown.length === 0) await slow;
      shown.push(`${done}/${total}`);
    });
    progress.advance(100);
    progress.advance(100);
    assert.deepEqual(shown, [], "advance returned before the edit was made");
    release();
    await progress.settled();
    assert.deepEqual(shown, ["200/300", "300/300"]);
  });

  test("counts that come while an edit is under way are coalesced to the latest: no queue of stale edits", async () => {
    const shown: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const progress = new RunProgress(10, 0, async (done, total) => {
      if (shown.length === 0) await slow;
      shown.push(`${done}/${total}`);
    });
    progress.advance();
    for (let step = 0; step < 2; step++) {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      progress.advance();
    }
    release();
    await progress.settled();
    assert.deepEqual(shown, ["1/10", "3/10"]);
  });
});
