import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatSlackDate, mrkdwn, renderBlock, renderBlocks } from "../../src/sandbox/assets/blocks.js";

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

  test("Slack's date tokens are drawn as dates in the reader's time zone, the fallback only when the token is bad", () => {
    const ctx = { now: new Date("2026-12-03T15:00:00Z"), timeZone: "UTC" };
    const at = Date.parse("2026-12-03T09:05:07Z") / 1000;
    const html = mrkdwn(`<!date^${at}^{date_short_pretty} at {time}|2026-12-03 09:05 UTC>`, ctx);
    assert.match(html, /<time datetime="2026-12-03T09:05:07.000Z"[^>]*>Today at 9:05 AM<\/time>/);
    assert.doesNotMatch(html, /date_short_pretty|@date/);
    const earlier = Date.parse("2026-11-20T21:30:00Z") / 1000;
    assert.equal(formatSlackDate(earlier, "{date_short_pretty} {time_secs}", ctx), "Nov 20, 2026 9:30:00 PM");
    assert.equal(formatSlackDate(earlier, "{date_num} · {date} · {date_long}", ctx), "2026-11-20 · November 20th, 2026 · Friday, November 20th, 2026");
    assert.equal(formatSlackDate(at - 86_400, "{date_pretty}", ctx), "Yesterday");
    assert.match(mrkdwn("<!date^nonsense^{date}|the fallback>", ctx), />the fallback</);
  });

  test("a multi_static_select is a multiple select with its initial options chosen, not JSON", () => {
    const option = (value: string) => ({ text: plain(value), value });
    const html = renderBlock({ type: "input", block_id: "primary_key", optional: true, label: plain("Primary key"), element: { type: "multi_static_select", action_id: "primary_key", options: [option("id"), option("name")], initial_options: [option("id")] } });
    assert.doesNotMatch(html, /data-unknown/);
    assert.match(html, /<select[^>]* multiple[^>]*data-type="multi_static_select"[^>]*><option value="0" selected>id<\/option><option value="1">name<\/option><\/select>/);
  });

  test("an overflow is a … menu whose options send the element's action with selected_option", () => {
    const html = renderBlock({ type: "section", block_id: "column_1", text: md("*city*"), accessory: { type: "overflow", action_id: "menu", options: [{ text: plain("Change"), value: "edit:1" }, { text: plain("Drop column…"), value: "drop:1" }] } });
    assert.match(html, /<details class="overflow"><summary[^>]*>…<\/summary>/);
    const actions = [...html.matchAll(/data-action="([^"]+)"/g)].map((m) => JSON.parse(m[1]!.replace(/&quot;/g, '"')) as Record<string, unknown>);
    assert.deepEqual(actions.map((a) => [a.type, a.action_id, a.block_id, (a.selected_option as { value: string }).value]), [["overflow", "menu", "column_1", "edit:1"], ["overflow", "menu", "column_1", "drop:1"]]);
  });

  test("a required input is marked so the page refuses an empty one before sending, as Slack does", () => {
    const required = renderBlock({ type: "input", block_id: "db", label: plain("Database"), element: { type: "static_select", action_id: "db", options: [] } });
    const optional = renderBlock({ type: "input", block_id: "d", optional: true, label: plain("Description"), element: { type: "plain_text_input", action_id: "d" } });
    assert.match(required, /data-required="true"/);
    assert.doesNotMatch(optional, /data-required/);
  });
});
