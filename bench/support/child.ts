// Runs a TypeScript file in its own Node process (under tsx), so its memory is its own: returns its stdout and
// its peak resident set as the kernel counted it (`/usr/bin/time -f %M`), or the child's own report when absent.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const GNU_TIME = "/usr/bin/time";
const MARK = "BENCH_MAX_RSS_KB=";

export interface ChildRun {
  stdout: string;
  /** Peak RSS of the whole child process in MiB, when /usr/bin/time is installed. */
  maxRssMb: number | undefined;
}

export function runTsChild(script: string, args: string[] = [], input?: string, env: Record<string, string> = {}): Promise<ChildRun> {
  const node = [process.execPath, "--import", "tsx", script, ...args];
  const [command, ...commandArgs] = existsSync(GNU_TIME) ? [GNU_TIME, "-f", `${MARK}%M`, ...node] : node;
  return new Promise((resolve, reject) => {
    const child = execFile(
      command!,
      commandArgs,
      { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${script} failed: ${error.message}\n${stderr.slice(-4000)}`));
          return;
        }
        const kb = new RegExp(`${MARK}(\\d+)`).exec(stderr)?.[1];
        resolve({ stdout, maxRssMb: kb ? Number(kb) / 1024 : undefined });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
