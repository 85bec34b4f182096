// The inverse of each binlog row: DELETE for an inserted row, INSERT for a deleted one, UPDATE back for an updated one.
import { forcedHeader, isHeader, TERMINATOR } from "../../rollback/script.ts";
import { EngineError } from "../errors.ts";
import type { RowsEvent, TableMap } from "./binlog-rows.ts";
import { quoteIdentifier } from "./quote.ts";
import type { RollbackTable } from "./rollback-catalog.ts";
import { splitStatements } from "./split.ts";
import { comparesAsText, EXACT_COLLATION, literalReader, type LiteralReader } from "./rollback-literals.ts";

const KEYLESS_END = " LIMIT 1" + TERMINATOR;
const COLLATED_END = EXACT_COLLATION + TERMINATOR;
const COLLATED_KEYLESS_END = EXACT_COLLATION + KEYLESS_END;
const INSERT_END = ")" + TERMINATOR;

/**
 * Where each column's value lay in the last row image read, and its literal. A bulk change repeats values (the
 * same new value on every row, the columns an UPDATE left alone): bytes equal to these are not decoded again.
 */
class ImageValues {
  readonly literals: string[];
  readonly buf: Array<Buffer | undefined>;
  readonly start: number[];
  readonly size: number[];

  constructor(columns: number) {
    this.literals = new Array<string>(columns).fill("NULL");
    this.buf = new Array<Buffer | undefined>(columns).fill(undefined);
    this.start = new Array<number>(columns).fill(0);
    this.size = new Array<number>(columns).fill(-1);
  }

  /** The literal kept for column i when the value at buf[pos, pos + size) has the same bytes. */
  same(i: number, buf: Buffer, pos: number, size: number): string | undefined {
    const kept = this.buf[i];
    if (kept === undefined || this.size[i] !== size) return undefined;
    const start = this.start[i]!;
    if (size > 16) return kept.compare(buf, pos, pos + size, start, start + size) === 0 ? this.literals[i] : undefined;
    for (let k = 0; k < size; k++) if (kept[start + k] !== buf[pos + k]) return undefined;
    return this.literals[i];
  }

  keep(i: number, buf: Buffer | undefined, pos: number, size: number, literal: string): void {
    this.buf[i] = buf;
    this.start[i] = pos;
    this.size[i] = size;
    this.literals[i] = literal;
  }
}

/**
 * The statements that undo rows of one table, from literals already written: quoted names and every constant piece
 * prepared once, so that writing a statement is collecting pieces into an array that the caller joins once.
 *
 * Each statement is the guarded form: it finds its row by the key and by every value the change left, so it touches
 * nothing that changed since. forcedStatement() derives the form keyed by the row's key only. Literals are given by
 * written column (every column but generated ones), in table order.
 */
export class RowInverses {
  private readonly text: boolean[];
  /** Per written column: `col = ` for SET and key conditions, `col <=> ` for guards, and as they follow another. */
  private readonly assign: string[];
  private readonly nextAssign: string[];
  private readonly andAssign: string[];
  private readonly compare: string[];
  private readonly andCompare: string[];
  /** The same after a text guard's collation, or starting a WHERE clause, or an UPDATE's SET. */
  private readonly collateAndCompare: string[];
  private readonly whereAssign: string[];
  private readonly whereCompare: string[];
  private readonly updateAssign: string[];
  private readonly deleteWhere: string;
  private readonly insertHead: string;
  private readonly keyIndexes: number[];
  /** Columns a guard compares beyond the key: every column when keyless, else every non-key column. */
  private readonly guardIndexes: number[];

  constructor(table: RollbackTable) {
    const written = table.columns.filter((column) => !column.generated);
    const name = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
    this.text = written.map((column) => comparesAsText(column));
    const quoted = written.map((column) => quoteIdentifier(column.name));
    this.assign = quoted.map((column) => `${column} = `);
    this.nextAssign = this.assign.map((assign) => `, ${assign}`);
    this.andAssign = this.assign.map((assign) => ` AND ${assign}`);
    this.compare = quoted.map((column) => `${column} <=> `);
    this.andCompare = this.compare.map((compare) => ` AND ${compare}`);
    this.collateAndCompare = this.andCompare.map((compare) => EXACT_COLLATION + compare);
    this.whereAssign = this.assign.map((assign) => ` WHERE ${assign}`);
    this.whereCompare = this.compare.map((compare) => ` WHERE ${compare}`);
    this.updateAssign = this.assign.map((assign) => `UPDATE ${name} SET ${assign}`);
    this.deleteWhere = `DELETE FROM ${name}`;
    this.insertHead = `INSERT INTO ${name} (${quoted.join(", ")}) VALUES (`;
    this.keyIndexes = table.key.map((key) => written.findIndex((column) => column.name === key));
    this.guardIndexes = quoted.map((_, i) => i).filter((i) => !this.keyIndexes.includes(i));
  }

  /**
   * ` WHERE ` and the conditions that find the row: its key and the values the change left (keyless: every column,
   * one row of duplicates). Null-safe comparisons; text compares byte-exact (a change of case or accent counts).
   * Constant text next to each other is one piece, prepared in the constructor.
   */
  private where(parts: string[], start: number, after: readonly string[]): number {
    let n = start;
    let first = true;
    for (const i of this.keyIndexes) {
      parts[n++] = first ? this.whereAssign[i]! : this.andAssign[i]!;
      parts[n++] = after[i]!;
      first = false;
    }
    let collate = false;
    for (const i of this.guardIndexes) {
      parts[n++] = first ? this.whereCompare[i]! : collate ? this.collateAndCompare[i]! : this.andCompare[i]!;
      parts[n++] = after[i]!;
      collate = this.text[i]! && after[i] !== "NULL";
      first = false;
    }
    parts[n++] = this.keyIndexes.length === 0 ? (collate ? COLLATED_KEYLESS_END : KEYLESS_END) : collate ? COLLATED_END : TERMINATOR;
    return n;
  }

  /** Writes the pieces of the statement into `parts` from `start` on; returns where they end. */
  undoInsert(parts: string[], start: number, after: readonly string[]): number {
    parts[start] = this.deleteWhere;
    return this.where(parts, start + 1, after);
  }

  /** A row that has taken the key since makes this INSERT fail: the guard. */
  undoDelete(parts: string[], start: number, before: readonly string[]): number {
    let n = start;
    parts[n++] = this.insertHead;
    parts[n++] = before[0]!;
    for (let i = 1; i < before.length; i++) {
      parts[n++] = ", ";
      parts[n++] = before[i]!;
    }
    parts[n++] = INSERT_END;
    return n;
  }

  /** Writes nothing (returns `start`) when the row did not change: an UPDATE that set the values it had. */
  undoUpdate(parts: string[], start: number, before: readonly string[], after: readonly string[]): number {
    let n = start;
    for (let i = 0; i < before.length; i++) {
      if (before[i] === after[i]) continue;
      const assign = n === start ? this.updateAssign[i]! : this.nextAssign[i]!;
      parts[n++] = assign;
      parts[n++] = before[i]!;
    }
    return n === start ? start : this.where(parts, n, after);
  }
}

/**
 * A table prepared once for its binlog rows: a literal reader per column, and the statements that undo them. A
 * rollback writes one statement per row of changes that may be hundreds of thousands of rows long, so the per-row
 * work is reading literals straight from the event's bytes into two reused arrays, and collecting prepared pieces.
 */
export class InverseWriter {
  private readonly inverses: RowInverses;
  private readonly readers: LiteralReader[];
  /** Per column: the size of its values when fixed, else -1 (read from each value's length prefix). */
  private readonly widths: number[];
  /** Per binlog column: its place among the written columns, or -1 for a generated column (read, never written). */
  private readonly slots: number[];
  private readonly nullBytes: number;
  /** The before and after images of the row being read, so the per-row work allocates no arrays. */
  private readonly before: ImageValues;
  private readonly after: ImageValues;
  private readonly beforeLiterals: string[];
  private readonly afterLiterals: string[];
  /** The event being written: where each row starts, and its statements' pieces (`used` of them hold text). */
  private readonly rowStarts: number[] = [];
  private readonly parts: string[] = [];
  private used = 0;

  constructor(table: RollbackTable, map: TableMap) {
    if (map.types.length !== table.columns.length) {
      throw new EngineError(
        `the binlog describes ${map.schema}.${map.table} with ${map.types.length} columns but it has ${table.columns.length} now: was it altered since the change?`,
        { kind: "invalid" },
      );
    }
    const written = table.columns.filter((column) => !column.generated);
    this.inverses = new RowInverses(table);
    this.readers = table.columns.map((column, i) => literalReader(map.types[i]!, map.meta[i]!, column));
    this.widths = this.readers.map((reader) => reader.width ?? -1);
    this.slots = table.columns.map((column) => written.indexOf(column));
    this.nullBytes = (table.columns.length + 7) >> 3;
    this.before = new ImageValues(table.columns.length);
    this.after = new ImageValues(table.columns.length);
    this.beforeLiterals = new Array<string>(written.length);
    this.afterLiterals = new Array<string>(written.length);
  }

  /**
   * The inverses of one rows event, latest first, as one text of statements each ending in TERMINATOR. The rows'
   * places are found first, so the statements are written in their final order: no string is made per statement,
   * the pieces (names and literals, already made) are joined once.
   */
  write(event: RowsEvent): { text: string; statements: number; rows: number } {
    const { buf, end } = event;
    const { parts, rowStarts } = this;
    const update = event.kind === "update";
    let rows = 0;
    for (let pos = event.start; pos < end; ) {
      rowStarts[rows++] = pos;
      pos = this.skipImage(buf, pos);
      if (update) pos = this.skipImage(buf, pos);
    }
    // Written by index into arrays kept from event to event, so their capacity is not allocated again for each.
    let n = 0;
    let statements = 0;
    for (let row = rows - 1; row >= 0; row--) {
      const pos = rowStarts[row]!;
      if (event.kind === "insert") {
        this.readImage(buf, pos, this.after, this.afterLiterals, undefined);
        n = this.inverses.undoInsert(parts, n, this.afterLiterals);
      } else if (event.kind === "delete") {
        this.readImage(buf, pos, this.before, this.beforeLiterals, undefined);
        n = this.inverses.undoDelete(parts, n, this.beforeLiterals);
      } else {
        const afterImage = this.readImage(buf, pos, this.before, this.beforeLiterals, undefined);
        this.readImage(buf, afterImage, this.after, this.afterLiterals, this.before);
        const next = this.inverses.undoUpdate(parts, n, this.beforeLiterals, this.afterLiterals);
        if (next === n) continue;
        n = next;
      }
      statements++;
    }
    // Pieces left from a longer event are blanked, so the join takes this event's only.
    if (this.used > n) parts.fill("", n, this.used);
    this.used = n;
    return { text: parts.join(""), statements, rows };
  }

  /** The position after a row image, its values unread. */
  private skipImage(buf: Buffer, start: number): number {
    let pos = start + this.nullBytes;
    for (let i = 0; i < this.readers.length; i++) {
      if (((buf[start + (i >> 3)]! >> (i & 7)) & 1) === 0) {
        const width = this.widths[i]!;
        pos += width >= 0 ? width : this.readers[i]!.size(buf, pos);
      }
    }
    return pos;
  }

  /**
   * One full row image (a null bitmap over every column, then each non-NULL value) into `out`, by written column.
   * A value is decoded only when its bytes differ from the same column's in the last image of this kind and, for
   * an update's after image, in its before image. Returns the position after the image.
   */
  private readImage(buf: Buffer, start: number, image: ImageValues, out: string[], before: ImageValues | undefined): number {
    let pos = start + this.nullBytes;
    for (let i = 0; i < this.readers.length; i++) {
      const slot = this.slots[i]!;
      if ((buf[start + (i >> 3)]! >> (i & 7)) & 1) {
        image.keep(i, undefined, pos, 0, "NULL");
        if (slot >= 0) out[slot] = "NULL";
        continue;
      }
      const reader = this.readers[i]!;
      const width = this.widths[i]!;
      const size = width >= 0 ? width : reader.size(buf, pos);
      if (slot >= 0) {
        let literal = image.same(i, buf, pos, size);
        if (literal === undefined) {
          literal = before?.same(i, buf, pos, size) ?? reader.literal(buf, pos);
          image.keep(i, buf, pos, size, literal);
        }
        out[slot] = literal;
      }
      pos += size;
    }
    return pos;
  }
}

/**
 * The forced form of a guarded script, or of a piece of one (cut between statements), derived when an approver
 * overrides rows changed since: the header, when it holds it, says so, and each statement is forcedStatement's.
 */
export function forcedRollbackScript(script: string): string {
  const headerEnd = isHeader(script) ? script.indexOf("\n") + 1 : 0;
  const statements = splitStatements(script.slice(headerEnd)).map((statement) => forcedStatement(statement.text) + TERMINATOR);
  return forcedHeader(script.slice(0, headerEnd)) + statements.join("");
}

/**
 * The forced form of a guarded statement, for an approver who overrides rows changed since: keyed by the row's key
 * only (the guard's `<=>` comparisons, which follow the key's `=` conditions, are cut), and REPLACE for INSERT so a
 * row that took the key since is overridden. Keyless statements find their row by every column and stay as they are.
 */
export function forcedStatement(guarded: string): string {
  if (guarded.startsWith("INSERT INTO ")) return "REPLACE" + guarded.slice("INSERT".length);
  const where = outsideQuotes(guarded, " WHERE ", 0);
  if (where < 0) return guarded;
  const first = where + " WHERE ".length;
  // Each condition starts with its column's name; what follows the name tells a key (=) from a guard (<=>).
  for (let condition = first; ; ) {
    const nameEnd = identifierEnd(guarded, condition);
    if (guarded.startsWith(" <=> ", nameEnd)) return condition === first ? guarded : guarded.slice(0, condition - " AND ".length);
    const next = outsideQuotes(guarded, " AND ", nameEnd);
    if (next < 0) return guarded;
    condition = next + " AND ".length;
  }
}

/** Where `word` first occurs from `from` on outside quoted text ('…' with backslash escapes) and identifiers (`…`). */
function outsideQuotes(sql: string, word: string, from: number): number {
  let quote = "";
  for (let i = from; i < sql.length; i++) {
    const char = sql[i];
    if (quote !== "") {
      if (char === "\\" && quote === "'") i++;
      else if (char === quote) quote = "";
    } else if (char === "'" || char === "`") {
      quote = char;
    } else if (char === word[0] && sql.startsWith(word, i)) {
      return i;
    }
  }
  return -1;
}

/** The index just past the backtick-quoted identifier at `start` (a doubled backtick stays inside it). */
function identifierEnd(sql: string, start: number): number {
  for (let i = start + 1; ; ) {
    const close = sql.indexOf("`", i);
    if (close < 0) return sql.length;
    if (sql[close + 1] !== "`") return close + 1;
    i = close + 2;
  }
}
