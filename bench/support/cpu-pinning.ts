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
  return execFileSync("taskset", ["-c", "-p", String(id)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split(": ").pop()!;
}

function setAffinity(target: PinTarget, list: string): void {
  execFileSync("taskset", [...(target.allThreads ? ["-a"] : []), "-c", "-p", list, String(target.id)], { stdio: ["ignore", "ignore", "pipe"] });
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

/** A process or thread that ended meanwhile: nothing of it is left to pin or give back. */
function isGone(error: unknown): boolean {
  const { code, stderr } = error as { code?: string; stderr?: Buffer | string };
  return code === "ENOENT" || String(stderr ?? "").includes("No such process");
}

/**
 * Applies the pinnings in order (a later one wins for a thread an earlier one covered) and returns how to undo them.
 * A process gone meanwhile is skipped; one that cannot be pinned (another user's, without the right) is named in
 * `refused`, so the report can say its side was not as the round describes.
 */
export function pin(pinnings: Array<{ target: PinTarget; cpus: string }>): { refused: number[]; restore(): void } {
  const saved: Array<{ target: PinTarget; list: string }> = [];
  const refused: number[] = [];
  for (const { target, cpus: list } of pinnings) {
    try {
      const threads = target.allThreads ? readdirSync(`/proc/${target.id}/task`).map(Number) : [target.id];
      for (const thread of threads) saved.push({ target: { id: thread, allThreads: false }, list: affinity(thread) });
      setAffinity(target, list);
    } catch (error) {
      if (!isGone(error)) refused.push(target.id);
    }
  }
  return {
    refused,
    restore() {
      for (const { target, list } of saved.reverse()) {
        try {
          setAffinity(target, list);
        } catch {
          // gone meanwhile, or refused as it was when pinned
        }
      }
    },
  };
}
