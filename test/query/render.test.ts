// Results read correctly in Slack: NULLs, unicode (emoji, wide CJK), wide columns, bytes, big numbers, and
// Slack's limits (3000 characters a section, 50 blocks a message).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EngineName } from "../../src/engines/engine.ts";
import { toCsv } from "../../src/query/cells.ts";
import { runQuery, type QueryTable } from "../../src/query/run-query.ts";
import { MESSAGE_BLOCK_LIMIT, resultMessage, SECTION_TEXT_LIMIT } from "../../src/slack/blocks/query-result.ts";
import { displayWidth, MAX_CELL_WIDTH, tableLines } from "../../src/slack/blocks/query-table.ts";
import { DEVELOPER, openQueryWorld, type QueryWorld } from "./support.ts";

const table = (columns: string[], rows: unknown[][]): QueryTable => ({
  columns,
  rows,
  masked: columns.map(() => false),
  truncated: false,
  cutAtBytes: false,
  durationMs: 12,
  rowLimit: 1000,
  maxResultBytes: 10 * 1024 * 1024,
});

/** Display columns at which each "│" starts, per line: equal on every line when the table is aligned. */
const separatorColumns = (line: string): number[] => {
  const positions: number[] = [];
  let width = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(line)) {
    if (segment === "│" || segment === "┼") positions.push(width);
    width += displayWidth(segment);
  }
  return positions;
};

describe("the result table", () => {
  test("wide characters count as two columns, so emoji and CJK rows stay aligned", () => {
    assert.equal(displayWidth("漢字"), 4);
    assert.equal(displayWidth("🎉"), 2);
    assert.equal(displayWidth("👩‍👩‍👧"), 2);
    assert.equal(displayWidth("é"), 1);
    const lines = tableLines(["id", "label"], [[1, "漢字テスト"], [2, "🎉 party"], [3, "plain"], [4, null]]);
    const expected = separatorColumns(lines[0]!);
    for (const line of lines) assert.deepEqual(separatorColumns(line), expected, line);
    assert.match(lines.at(-1)!, /NULL/);
  });

  test("long cells are cut visibly at the column limit, never inside an emoji", () => {
    const long = "🎉".repeat(60);
    const [, , row] = tableLines(["x"], [[long]]);
    assert.ok(row!.endsWith("…"));
    assert.ok(displayWidth(row!) <= MAX_CELL_WIDTH);
    assert.ok(!row!.includes("\uFFFD"));
  });

  test("a large, wide result fits Slack's limits and says how many rows it shows", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i, "x".repeat(80), "漢".repeat(30), null]);
    const message = resultMessage(table(["id", "wide", "cjk", "nothing"], rows), { database: "shop", whereTheRestIs: "See the CSV." });
    assert.ok(message.blocks.length <= MESSAGE_BLOCK_LIMIT);
    for (const block of message.blocks) {
      const text = (block as { text?: { text: string } }).text?.text ?? "";
      assert.ok(text.length <= SECTION_TEXT_LIMIT, `section of ${text.length} characters`);
    }
    assert.ok(message.shownRows > 0 && message.shownRows < 1000);
    assert.match(JSON.stringify(message.blocks), new RegExp(`Showing ${message.shownRows} of 1,000 rows\\. See the CSV\\.`));
  });

  test("cells cannot break out of the code block or Slack's markup", () => {
    const message = resultMessage(table(["x"], [["```<!channel> & <@U1>```"]]), { database: "shop", whereTheRestIs: "" });
    const text = JSON.stringify(message.blocks);
    assert.ok(!text.includes("<!channel>"));
    assert.ok(text.includes("&lt;!channel&gt; &amp;"));
    assert.equal((text.match(/```/g) ?? []).length, 2);
  });

  test("CSV quotes what needs quoting and defuses spreadsheet formulas", () => {
    const csv = toCsv(["a", "b"], [["x,y", 'say "hi"'], [null, "=HYPERLINK(1)"], [-5, Buffer.from([0, 255])]]);
    assert.equal(csv, 'a,b\r\n"x,y","say ""hi"""\r\n,\'=HYPERLINK(1)\r\n-5,0x00ff\r\n');
  });
});

for (const engine of ["mysql", "postgres"] as EngineName[]) {
  describe(`real values from ${engine}`, () => {
    let world: QueryWorld;
    before(async () => {
      world = await openQueryWorld();
    });
    after(async () => {
      await world.close();
    });

    test("big numbers stay exact, bytes show as hex, NULL and unicode read as they are", async () => {
      const answer = await runQuery({ actorId: DEVELOPER, database: world.databaseFor(engine), sql: "SELECT big, amount, raw, label FROM samples ORDER BY id" }, world.deps);
      const lines = tableLines(answer.columns, answer.rows);
      const text = lines.join("\n");
      assert.match(text, /18446744073709551615/);
      assert.match(text, /12345678901234567890\.1234567890/);
      assert.match(text, /0x00ff10/);
      assert.match(text, /naïve café 🎉 漢字テスト/);
      assert.equal((lines[3]!.match(/NULL/g) ?? []).length, 4);
      const expected = separatorColumns(lines[0]!);
      for (const line of lines) assert.deepEqual(separatorColumns(line), expected, line);
      assert.match(toCsv(answer.columns, answer.rows), /18446744073709551615,12345678901234567890\.1234567890,0x00ff10,naïve café 🎉 漢字テスト/);
    });

    test("the row limit cuts the result and says so", async () => {
      const sql = engine === "mysql" ? "SELECT seq FROM seq_1_to_200" : "SELECT g FROM generate_series(1, 200) g";
      const answer = await runQuery({ actorId: DEVELOPER, database: world.databaseFor(engine), sql }, world.deps);
      assert.equal(answer.rows.length, 50);
      assert.equal(answer.truncated, true);
      assert.match(resultMessage(answer, { database: "x", whereTheRestIs: "" }).text.text, /cut at the 50-row limit/);
    });
  });
}
