// Child process of the memory bench: runs the rollback bench alone, so the peak RSS of its process is its own.
import { runRollbackBench } from "../rollback/rollback-bench.ts";

process.stdout.write((await runRollbackBench()).markdown);
