// A bench service in a Node process of its own (under tsx): started with its settings on stdin, it prints its base
// URL on its first line of stdout and serves until killed.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface ServiceProcess {
  /** What the service printed first: its base URL. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startServiceProcess(script: string, settings: unknown, what: string): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin.end(JSON.stringify(settings));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before listening`)));
  });
  return {
    url: firstLine.trim(),
    pid: child.pid!,
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}
