// CPU time of processes as Linux counts it (/proc/<pid>/stat: user + system, in clock ticks of 10 ms), to tell how
// much CPU each side of a bench used over a stretch of it. Elsewhere than Linux every reading is 0.
import { readdirSync, readFileSync } from "node:fs";

const MS_PER_TICK = 10;

/** CPU the process has used so far (ms), 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command's closing parenthesis, from the third: utime is the 14th field, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return 0;
  }
}

/** CPU used so far by every process whose command line starts with `command` (PostgreSQL's server processes, say). */
export function commandCpuMs(command: string): number {
  let total = 0;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith(command)) total += processCpuMs(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
