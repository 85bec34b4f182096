import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mrkdwn, renderBlock, renderBlocks } from "../../src/sandbox/assets/blocks.js";

const plain = (text: string) => ({ type: "plain_text", text });
const md = (text: string) => ({ type: "mrkdwn", text });

describe("the sandbox's Block Kit renderer", () => {
  test("mrkdwn: code blocks, inline code, bold around code, links, mentions, and Slack's escapes", () => {
    const html = mrkdwn("*`/db help`* by <@UAPPROVER>, see <https://x.test/a?b=1|docs>: 1 &lt; 2\n```SELECT '<b>'```", { users: { UAPPROVER: "approver" } });
    assert.match(html, /<b><code>\/db help<\/code><\/b>/);
    assert.match(html, /<span class="mention">@approver<\/span>/);
    assert.match(html, /<a href="https:\/\/x\.test\/a\?b=1"[^>]*>docs<\/a>/);
    assert.match(html, /1 &lt; 2/);
    assert.match(html, /<pre class="code">SELECT &#39;&lt;b&gt;&#39;<\/pre>/);
  });

  test("snake_case names and file names are not turned into italics", () => {
    assert.equal(mrkdwn("orders_archive and fix_1.sql"), "orders_archive and fix_1.sql");
  });

  test("each block type Sluice uses renders its content", () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: "header", text: plain("Title") }, /class="block header">Title/],
      [{ type: "section", text: md("*hi*"), fields: [md("a"), md("b")], accessory: { type: "button", action_id: "go", text: plain("Go") } }, /<b>hi<\/b>.*class="fields"><div>a<\/div><div>b<\/div>.*data-action=.*>Go<\/button>/s],
      [{ type: "context", elements: [md("_small_")] }, /class="block context"><span><i>small<\/i><\/span>/],
      [{ type: "divider" }, /<hr class="block divider">/],
      [{ type: "actions", block_id: "a", elements: [{ type: "button", action_id: "x", style: "danger", text: plain("Reject") }] }, /class="btn danger"[^>]*>Reject/],
      [{ type: "rich_text", elements: [{ type: "rich_text_preformatted", elements: [{ type: "text", text: "SELECT 1" }] }] }, /<pre class="code">SELECT 1<\/pre>/],
      [{ type: "input", block_id: "sql", label: plain("SQL"), element: { type: "plain_text_input", action_id: "t", multiline: true, initial_value: "x" } }, /<label class="label" for="el-1">SQL<\/label><textarea[^>]*>x<\/textarea>/],
      [{ type: "input", block_id: "f", label: plain("File"), element: { type: "file_input", action_id: "u" } }, /type="file" data-type="file_input"/],
    ];
    for (const [block, expected] of cases) assert.match(renderBlock(block), expected, String(block.type));
  });

  test("a button's confirm dialog travels with its action", () => {
    const confirm = { title: plain("Sure?"), text: md("Runs on *Prod*"), confirm: plain("Run"), deny: plain("No") };
    const html = renderBlock({ type: "actions", block_id: "d", elements: [{ type: "button", action_id: "approve", value: "7", text: plain("Approve"), confirm }] });
    const data = JSON.parse(/data-action="([^"]+)"/.exec(html)![1]!.replace(/&quot;/g, '"')) as Record<string, unknown>;
    assert.deepEqual(data.confirm, confirm);
    assert.equal(data.action_id, "approve");
    assert.equal(data.block_id, "d");
  });

  test("an unknown block or element is shown as its JSON, never dropped", () => {
    const html = renderBlocks([{ type: "video", title: plain("demo") }, { type: "actions", elements: [{ type: "workflow_button" }] }]);
    assert.match(html, /data-unknown="block video"[^>]*>\{\n  &quot;type&quot;: &quot;video&quot;/);
    assert.match(html, /data-unknown="element workflow_button"/);
  });

  test("a modal field error shows under its input", () => {
    const html = renderBlock({ type: "input", block_id: "d", label: plain("Description"), element: { type: "plain_text_input", action_id: "t" } }, { errors: { d: "Say why" } });
    assert.match(html, /has-error.*role="alert">Say why</s);
  });
});
