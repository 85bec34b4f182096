// Issue 20: mrkdwn is safe by construction. Values are escaped unless already Mrkdwn, nothing outside text.ts can
// make one, and no Block Kit builder writes a mrkdwn text object by hand (database-text.test.ts has the attacks).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { codeBlock, codeBlocks, inlineCode, joinMrkdwn, mention, mrkdwn, Mrkdwn, section, slackDate } from "../../src/slack/blocks/text.ts";
import { repoRoot } from "../support/servers.ts";

const ATTACK = "<!channel> <https://evil|re-login> & co";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("mrkdwn", () => {
  test("values are escaped, Sluice's own markup and Mrkdwn values are kept", () => {
    const text = mrkdwn`*${ATTACK}* by ${mention("U1")} at ${slackDate(new Date(0))}: ${inlineCode("a`b")}`;
    assert.equal(text.text, "*&lt;!channel&gt; &lt;https://evil|re-login&gt; &amp; co* by <@U1> at <!date^0^{date_short_pretty} {time}|1970-01-01T00:00:00.000Z>: `aˋb`");
    assert.equal(joinMrkdwn([ATTACK, mrkdwn`*ok*`], " & ").text, "&lt;!channel&gt; &lt;https://evil|re-login&gt; &amp; co &amp; *ok*");
    assert.deepEqual(section(mrkdwn`${ATTACK}`), { type: "section", text: { type: "mrkdwn", text: "&lt;!channel&gt; &lt;https://evil|re-login&gt; &amp; co" } });
  });

  test("nothing outside text.ts can pass text off as Mrkdwn", () => {
    const Forged = Mrkdwn as unknown as new (key: symbol, text: string) => Mrkdwn;
    assert.throws(() => new Forged(Symbol("mrkdwn made by text.ts"), ATTACK), /made by the mrkdwn template/);
  });

  test("code blocks escape their text, and long text is split into blocks that each fit a section", () => {
    assert.equal(codeBlock("```<x>```").text.text, "```" + "`\u200b``&lt;x&gt;`\u200b``" + "```");
    const long = "<&>".repeat(2000);
    const blocks = codeBlocks(long);
    assert.ok(blocks.length > 1);
    for (const block of blocks) assert.ok(block.text.length <= 3000, `a block of ${block.text.length} characters`);
    const shown = blocks.map((block) => block.text.slice(3, -3).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")).join("");
    assert.equal(shown, long, "nothing is lost between the blocks");
  });

  test("no module but text.ts writes a mrkdwn text object: every builder goes through mrkdwnText", () => {
    const handWritten = sourceFiles(join(repoRoot, "src"))
      .filter((path) => !path.endsWith(join("slack", "blocks", "text.ts")))
      .filter((path) => /type:\s*["']mrkdwn["']/.test(readFileSync(path, "utf8")))
      .map((path) => relative(repoRoot, path));
    assert.deepEqual(handWritten, []);
  });
});
