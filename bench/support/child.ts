// Runs a TypeScript file in its own Node process (under tsx, or compiled), so its memory is its own: returns its stdout and
// its peak resident set as the kernel counted it (`/usr/bin/time -f %M`), or the child's own report when absent.
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
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
  return runNode([process.execPath, "--import", "tsx", script, ...args], script, input, env);
}

let built: string | undefined;

/**
 * Runs a bench file compiled to JavaScript (bench/tsconfig.json, built once per bench run), as `npm start` runs
 * Sluice: no TypeScript loader in the process, so a memory measure counts Sluice, not tsx.
 */
export function runBuiltChild(script: string, args: string[] = [], input?: string, env: Record<string, string> = {}): Promise<ChildRun> {
  if (!built) {
    execFileSync(process.execPath, [join(repoRoot, "scripts/build.mjs"), "bench/tsconfig.json"], { cwd: repoRoot, stdio: "inherit" });
    built = join(repoRoot, "bench/out/build");
  }
  const compiled = join(built, relative(repoRoot, script)).replace(/\.ts$/, ".js");
  return runNode([process.execPath, compiled, ...args], script, input, env);
}

function runNode(node: string[], script: string, input: string | undefined, env: Record<string, string>): Promise<ChildRun> {
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

/** In a child: the JSON its parent gave it on stdin (runTsChild's `input`, a service process's settings). */
export async function jsonFromStdin<T>(): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as T;
}
