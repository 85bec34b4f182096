// `npm start` compiles dist/ only when its inputs changed: a start with an up-to-date dist/ does not rebuild it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/servers.ts";

const prestart = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.prestart!;
const build = () => execFileSync("bash", ["-c", prestart], { cwd: repoRoot, stdio: "pipe" });
const builtAt = () => statSync(join(repoRoot, "dist/src/main.js")).mtimeMs;
const stamp = join(repoRoot, "dist/.build-inputs");

test("npm start's prestart skips the build when dist/ was built from the current sources, and rebuilds when not", () => {
  build();
  const first = builtAt();
  build();
  assert.equal(builtAt(), first, "an up-to-date dist/ was rebuilt");
  // A stamp that no longer matches the inputs (an edit, a checkout) makes the next start build again.
  writeFileSync(stamp, "stale");
  build();
  assert.notEqual(builtAt(), first, "a stale dist/ was not rebuilt");
  assert.notEqual(readFileSync(stamp, "utf8"), "stale");
});
