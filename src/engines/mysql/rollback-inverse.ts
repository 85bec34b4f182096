// The inverse of each binlog row: DELETE for an inserted row, INSERT for a deleted one, UPDATE back for an updated one.
import type { InverseStatement } from "../../rollback/types.ts";
import type { RowEvent } from "./binlog-reader.ts";
import { quoteIdentifier } from "./quote.ts";
import type { RollbackTable } from "./rollback-catalog.ts";
import { comparesAsText, EXACT_COLLATION, mysqlLiteralWriter } from "./rollback-literals.ts";

type Image = Record<string, unknown>;

/**
 * A table prepared once: quoted names, each column's literal writer, and which columns find a row. A rollback writes
 * one statement per row of changes that may be hundreds of thousands of rows long, so the per-row work is plain loops
 * and string concatenation over what was prepared here.
 */
export class InverseWriter {
  private readonly name: string;
  private readonly names: string[];
  private readonly writers: Array<(value: unknown) => string>;
  private readonly text: boolean[];
  /** `col = ` for SET and key conditions, `col <=> ` for guards, per column. */
  private readonly assign: string[];
  private readonly compare: string[];
  private readonly keyIndexes: number[];
  /** Columns a guard compares beyond the key: every column when keyless, else every non-key column. */
  private readonly guardIndexes: number[];
  private readonly columnList: string;

  constructor(table: RollbackTable) {
    this.name = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
    this.names = table.columns.map((column) => column.name);
    this.writers = table.columns.map((column) => mysqlLiteralWriter(column));
    this.text = table.columns.map((column) => comparesAsText(column));
    const quoted = table.columns.map((column) => quoteIdentifier(column.name));
    this.assign = quoted.map((name) => `${name} = `);
    this.compare = quoted.map((name) => `${name} <=> `);
    this.keyIndexes = table.key.map((name) => table.columns.findIndex((column) => column.name === name));
    this.guardIndexes = quoted.map((_, i) => i).filter((i) => !this.keyIndexes.includes(i));
    this.columnList = quoted.join(", ");
  }

  inverses(event: RowEvent): InverseStatement[] {
    const out: InverseStatement[] = [];
    if (event.kind === "update") {
      for (const row of event.rows as Array<{ before: Image; after: Image }>) {
        const inverse = this.undoUpdate(this.literals(row.before), row.after);
        if (inverse) out.push(inverse);
      }
    } else {
      for (const row of event.rows as Image[]) {
        out.push(event.kind === "insert" ? this.undoInsert(row) : this.undoDelete(this.literals(row)));
      }
    }
    return out;
  }

  private literals(image: Image): string[] {
    const out = new Array<string>(this.names.length);
    for (let i = 0; i < out.length; i++) out[i] = this.writers[i]!(image[this.names[i]!]);
    return out;
  }

  /** Finds the row by its key (or, keyless, by every column); the guarded form adds the values the change left. */
  private conditions(after: string[], image: Image): { key: string; guarded: string } {
    if (this.keyIndexes.length === 0) {
      const all = this.comparisons(after, image, this.guardIndexes) + " LIMIT 1";
      return { key: all, guarded: all };
    }
    let key = "";
    for (const i of this.keyIndexes) key += (key === "" ? "" : " AND ") + this.assign[i] + after[i];
    const guard = this.comparisons(after, image, this.guardIndexes);
    return { key, guarded: guard === "" ? key : `${key} AND ${guard}` };
  }

  /** Null-safe comparisons of the given columns; text compares byte-exact (a change of case or accent counts). */
  private comparisons(after: string[], image: Image, indexes: number[]): string {
    let out = "";
    for (const i of indexes) {
      out += (out === "" ? "" : " AND ") + this.compare[i] + after[i];
      if (this.text[i] && typeof image[this.names[i]!] === "string") out += EXACT_COLLATION;
    }
    return out;
  }

  private undoInsert(image: Image): InverseStatement {
    const where = this.conditions(this.literals(image), image);
    const head = `DELETE FROM ${this.name} WHERE `;
    return { guarded: head + where.guarded, forced: [head + where.key] };
  }

  private undoDelete(before: string[]): InverseStatement {
    const values = `(${this.columnList}) VALUES (${before.join(", ")})`;
    // A row that has taken the key since makes the plain INSERT fail (the guard); REPLACE overrides it.
    return { guarded: `INSERT INTO ${this.name} ${values}`, forced: [`${this.keyIndexes.length ? "REPLACE" : "INSERT"} INTO ${this.name} ${values}`] };
  }

  private undoUpdate(before: string[], image: Image): InverseStatement | undefined {
    const after = this.literals(image);
    let set = "";
    for (let i = 0; i < before.length; i++) {
      if (before[i] !== after[i]) set += (set === "" ? "" : ", ") + this.assign[i] + before[i];
    }
    if (set === "") return undefined;
    const where = this.conditions(after, image);
    const head = `UPDATE ${this.name} SET ${set} WHERE `;
    return { guarded: head + where.guarded, forced: [head + where.key] };
  }
}
