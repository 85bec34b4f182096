// Drives the sandbox page in a real browser (Debian's chromium through playwright-core): the steps a person takes.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";
export const artifactsDir = fileURLToPath(new URL("../artifacts/", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Why the browser tests cannot run here, or undefined when they can. On CI a missing browser is a failure. */
export function browserSkipReason(): string | undefined {
  if (existsSync(chromiumPath) || process.env.CI) return undefined;
  return `${chromiumPath} is absent: install it with \`apt-get install -y chromium\` to run the sandbox browser tests`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

export interface SandboxProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `npm start`'s program with no Slack token: sandbox mode, demo databases, embedded store in `dataDir`; `settings`
 * (a SLUICE_CONFIG, a DATABASE_URL) replace the demo world or the embedded store.
 */
export async function startSandboxProcess(dataDir: string, settings: NodeJS.ProcessEnv = {}): Promise<SandboxProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn" };
  for (const name of ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLUICE_CONFIG", "DATABASE_URL"]) delete env[name];
  Object.assign(env, settings);
  // cwd is the data dir, so a developer's own ./sluice.yml never replaces the demo configuration here.
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), join(repoRoot, "src/main.ts")], { cwd: dataDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}/sandbox`;
  // A first start builds the demo databases; on a loaded 2-core machine that took 91 s (10-20 s when idle).
  const deadline = Date.now() + 180_000;
  while (!output.includes(url)) {
    if (child.exitCode !== null) throw new Error(`the sandbox exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the sandbox did not start within 180 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export async function screenshot(page: Page, name: string, dir = artifactsDir): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/**
 * What went wrong on the page, for a walk that failed somewhere: script errors, console errors, requests that failed
 * or were answered 4xx/5xx, each with the time since the page opened.
 */
export function recordPageProblems(page: Page): () => string[] {
  const problems: string[] = [];
  const started = Date.now();
  const note = (what: string) => problems.push(`+${((Date.now() - started) / 1000).toFixed(1)}s ${what}`);
  page.on("pageerror", (error) => note(`page error: ${error.message}`));
  page.on("console", (entry) => entry.type() === "error" && note(`console: ${entry.text()}`));
  page.on("requestfailed", (request) => note(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`));
  page.on("response", (response) => response.status() >= 400 && note(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`));
  return () => problems;
}

/** Types a slash command in the composer and waits until the page shows it was sent. */
export async function runCommand(page: Page, text: string): Promise<void> {
  const before = await page.locator("#messages .message").count();
  await page.fill("#composer", text);
  await page.press("#composer", "Enter");
  await page.waitForFunction((n) => document.querySelectorAll("#messages .message").length > n, before);
  await page.waitForFunction(() => !document.body.classList.contains("busy"));
}

/** The last message in the channel (or the open thread) that contains `text`. */
export function message(page: Page, text: string | RegExp, where: "#messages" | "#thread-body" = "#messages") {
  return page.locator(`${where} .message`, { hasText: text }).last();
}

/** Clicks the last button labelled `label` (in the open modal when there is one, else in the channel). */
export async function clickButton(page: Page, label: string, scope = "body"): Promise<void> {
  await page.locator(`${scope} button.btn`, { hasText: label }).last().click();
}

/** Answers the confirm dialog a button asked for. */
export async function confirm(page: Page, answer: "yes" | "no" = "yes"): Promise<void> {
  await page.locator(answer === "yes" ? "#confirm-yes" : "#confirm-no").click();
}

export async function switchUser(page: Page, userId: string): Promise<void> {
  await page.selectOption("#user", userId);
  await page.waitForFunction((id) => document.body.dataset.user === id, userId);
}

export type ModalValue = string | string[] | { file: string; content: string };

/** Fills the open modal's inputs by their labels: text, a select's or a radio's option label, checkbox labels, a file. */
export async function fillModal(page: Page, values: Record<string, ModalValue>): Promise<void> {
  for (const [label, value] of Object.entries(values)) {
    const block = page.locator(`#modal .block.input[data-label="${label}"]`);
    const element = block.locator(".el").first();
    const type = await element.getAttribute("data-type");
    if (type === "static_select" || type === "users_select") await element.selectOption({ label: String(value) });
    else if (type === "multi_static_select") await element.selectOption((value as string[]).map((label) => ({ label })));
    else if (type === "radio_buttons") await block.getByLabel(String(value), { exact: true }).check();
    else if (type === "checkboxes") for (const option of value as string[]) await block.getByLabel(option, { exact: true }).check();
    else if (type === "file_input") {
      const file = value as { file: string; content: string };
      await element.setInputFiles({ name: file.file, mimeType: "text/plain", buffer: Buffer.from(file.content) });
      await block.locator(".uploaded", { hasText: file.file }).waitFor();
    } else await element.fill(String(value));
  }
}

export async function submitModal(page: Page): Promise<void> {
  await page.click("#modal-submit");
  await page.waitForFunction(() => !document.body.classList.contains("busy"));
}

/** The input element of the open modal's input block labelled `label`. */
export function modalInput(page: Page, label: string) {
  return page.locator(`#modal .block.input[data-label="${label}"] .el`).first();
}

export function modal(page: Page) {
  return page.locator("#modal .modal");
}
