// The docs hold together: every relative link and image resolves to a file (and a heading, where it names one),
// and the README keeps the order a newcomer reads it in.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/servers.ts";

const docs = ["README.md", "CONTRIBUTING.md", "SECURITY.md", "bench/RESULTS.md", ...readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's heading anchors: lower case, punctuation dropped (but `-` and `_`), spaces to `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsIn(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) inFence = !inFence;
    const heading = !inFence && /^#{1,6} (.+)$/.exec(line);
    if (heading) anchors.add(anchorOf(heading[1]!));
  }
  return anchors;
}

/** Markdown links and images outside code: `[text](target)` and `![alt](target)`. */
function linksIn(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...withoutCode.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

test("every relative link and image in the docs resolves, anchors included", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const doc of docs) {
    const path = join(repoRoot, doc);
    const markdown = readFileSync(path, "utf8");
    for (const link of linksIn(markdown)) {
      if (/^(https?:|mailto:)/.test(link)) continue;
      checked += 1;
      const [file, anchor] = link.split("#") as [string, string | undefined];
      const target = file === "" ? path : join(dirname(path), file);
      if (!existsSync(target)) {
        broken.push(`${doc}: ${link} (no file ${relative(repoRoot, target)})`);
        continue;
      }
      if (anchor !== undefined && target.endsWith(".md") && !anchorsIn(readFileSync(target, "utf8")).has(anchor)) {
        broken.push(`${doc}: ${link} (no heading #${anchor} in ${relative(repoRoot, target)})`);
      }
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked >= 15, `only ${checked} links checked: the link reader is broken`);
});

test("the README reads in a newcomer's order: what it is with a screenshot, two commands, commands, install, configuration, tests", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
  assert.deepEqual(sections, ["Try it (two commands)", "Commands", "Install in your workspace", "Configuration", "Tests"]);
  const screenshot = /!\[[^\]]+\]\((docs\/[^)]+\.png)\)/.exec(readme);
  assert.ok(screenshot && screenshot.index < readme.indexOf("## Try it"), "a screenshot of the sandbox comes before the first section");
  assert.ok(existsSync(join(repoRoot, screenshot[1]!)));
  for (const doc of ["docs/architecture.md", "CONTRIBUTING.md", "bench/RESULTS.md", "SECURITY.md", "docs/review.md"]) {
    assert.ok(readme.includes(`](${doc}`), `the README links ${doc}`);
  }
});

test("benchmark figures live in bench/RESULTS.md, not in the README's prose", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const figures = readme.match(/\b\d+(\.\d+)?× (the|faster|a bare|node-sql|`mariadb)/g) ?? [];
  assert.deepEqual(figures, []);
});
