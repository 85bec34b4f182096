// Lays a result out as an aligned monospace table, counting wide characters (CJK, emoji) as two columns.
import { cellText } from "../../query/cells.ts";

/** Widest a column may be; longer cells end in an ellipsis. */
export const MAX_CELL_WIDTH = 40;
const ELLIPSIS = "…";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const WIDE = /\p{Extended_Pictographic}|[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]+$/u;

function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH.test(grapheme)) return 0;
  return WIDE.test(grapheme) ? 2 : 1;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += graphemeWidth(segment);
  return width;
}

/**
 * A grapheme holds at most a handful of code units in practice; a text longer than this many per column of width is
 * cut before it is measured, so the work is linear in what is shown, not in the cell (a 20 MB cell costs no more).
 */
const CODE_UNITS_PER_COLUMN = 8;

/** Cuts text to at most `width` columns, never inside a grapheme, marking the cut with an ellipsis. */
export function truncateToWidth(text: string, width: number): string {
  const limit = (width + 1) * CODE_UNITS_PER_COLUMN;
  if (text.length > limit) return cutToWidth(text.slice(0, limit), width);
  if (displayWidth(text) <= width) return text;
  return cutToWidth(text, width);
}

function cutToWidth(text: string, width: number): string {
  let out = "";
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return out + ELLIPSIS;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** The header line, a rule, and one line per row; cells are cut to MAX_CELL_WIDTH before anything else reads them. */
export function tableLines(columns: string[], rows: unknown[][]): string[] {
  const header = columns.map((name) => truncateToWidth(oneLine(name), MAX_CELL_WIDTH));
  const body = rows.map((row) => columns.map((_, index) => truncateToWidth(cellText(row[index], SHOWN_CODE_UNITS), MAX_CELL_WIDTH)));
  const widths = header.map((name, index) => Math.max(displayWidth(name), ...body.map((cells) => displayWidth(cells[index]!))));
  const line = (cells: string[]): string => cells.map((cell, index) => pad(cell, widths[index]!)).join(" │ ").trimEnd();
  return [line(header), widths.map((width) => "─".repeat(width)).join("─┼─"), ...body.map(line)];
}

/** How much of a value a cell ever reads (cellText cuts there before any replacing). */
const SHOWN_CODE_UNITS = (MAX_CELL_WIDTH + 1) * CODE_UNITS_PER_COLUMN + 1;

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ");
}
