// Pins processes and threads to CPUs with taskset (util-linux), so a bench can give the threads it compares one core
// and everything else the other. Linux only; every pinning is undone by `restore()`, back to each one's own list.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

/** A process (`allThreads`: every thread of it, as taskset -a) or one thread, by its Linux id. */
export interface PinTarget {
  id: number;
  allThreads: boolean;
}

/** Why pinning cannot be done here, or undefined when it can. */
export function pinningUnavailable(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (cpus().length < 2) return "one CPU";
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return undefined;
  } catch {
    return "taskset (util-linux) is not installed";
  }
}

function affinity(id: number): string {
  // "pid 123's current affinity list: 0,1"
  return execFileSync("taskset", ["-c", "-p", String(id)], { encoding: "utf8" }).trim().split(": ").pop()!;
}

function setAffinity(target: PinTarget, list: string): void {
  execFileSync("taskset", [...(target.allThreads ? ["-a"] : []), "-c", "-p", list, String(target.id)], { stdio: "ignore" });
}

/** Every PostgreSQL server process (the store), the postmaster too (its new backends take its pinning). */
export function postgresProcesses(): PinTarget[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
      } catch {
        return false; // gone meanwhile
      }
    })
    .map((pid) => ({ id: Number(pid), allThreads: true }));
}

/**
 * Applies the pinnings in order (a later one wins for a thread an earlier one covered) and returns how to undo them.
 * A process gone meanwhile is skipped.
 */
export function pin(pinnings: Array<{ target: PinTarget; cpus: string }>): { restore(): void } {
  const saved: Array<{ target: PinTarget; list: string }> = [];
  for (const { target, cpus: list } of pinnings) {
    try {
      const threads = target.allThreads ? readdirSync(`/proc/${target.id}/task`).map(Number) : [target.id];
      for (const thread of threads) saved.push({ target: { id: thread, allThreads: false }, list: affinity(thread) });
      setAffinity(target, list);
    } catch {
      // gone meanwhile
    }
  }
  return {
    restore() {
      for (const { target, list } of saved.reverse()) {
        try {
          setAffinity(target, list);
        } catch {
          // gone meanwhile
        }
      }
    },
  };
}
