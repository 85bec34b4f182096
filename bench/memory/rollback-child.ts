// Child process of the memory bench: runs the rollback bench alone, so the peak RSS of its process is its own.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { applyHeapSettings } from "../../src/heap-settings.ts";
import { runRollbackBench } from "../rollback/rollback-bench.ts";

// The bench collects garbage before each preparation (global.gc), so each run's peak is its own, as on a server where
// changes are minutes apart; the child is started without --expose-gc, so it exposes the collector itself.
setFlagsFromString("--expose-gc");
globalThis.gc ??= runInNewContext("gc") as NonNullable<typeof globalThis.gc>;

// The preparation runs inside Sluice's runner, under the heap settings Sluice starts with.
applyHeapSettings();
process.stdout.write((await runRollbackBench()).markdown);
