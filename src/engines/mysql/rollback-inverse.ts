// The inverse of each binlog row: DELETE for an inserted row, INSERT for a deleted one, UPDATE back for an updated one.
import type { InverseStatement } from "../../rollback/types.ts";
import type { RowEvent } from "./binlog-reader.ts";
import { quoteIdentifier } from "./quote.ts";
import type { RollbackColumn, RollbackTable } from "./rollback-catalog.ts";
import { mysqlGuardLiteral, mysqlLiteral } from "./rollback-literals.ts";

type Image = Record<string, unknown>;

/** A table prepared once: quoted names, and which columns find a row. */
export class InverseWriter {
  private readonly name: string;
  private readonly quoted: string[];
  private readonly keyIndexes: number[];
  private readonly columnList: string;

  constructor(private readonly table: RollbackTable) {
    this.name = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
    this.quoted = table.columns.map((column) => quoteIdentifier(column.name));
    this.keyIndexes = table.key.map((name) => table.columns.findIndex((column) => column.name === name));
    this.columnList = this.quoted.join(", ");
  }

  inverses(event: RowEvent): InverseStatement[] {
    const out: InverseStatement[] = [];
    if (event.kind === "update") {
      for (const row of event.rows as Array<{ before: Image; after: Image }>) {
        const inverse = this.undoUpdate(this.literals(row.before), this.literals(row.after), row.after);
        if (inverse) out.push(inverse);
      }
    } else {
      for (const row of event.rows as Image[]) {
        const literals = this.literals(row);
        out.push(event.kind === "insert" ? this.undoInsert(literals, row) : this.undoDelete(literals));
      }
    }
    return out;
  }

  private literals(image: Image): string[] {
    return this.table.columns.map((column) => mysqlLiteral(column, image[column.name]));
  }

  /** Finds the row by its key (or, keyless, by every column); the guard adds the values the change left. */
  private where(after: string[], image: Image, guarded: boolean): string {
    if (this.keyIndexes.length === 0) return this.allColumns(after, image) + " LIMIT 1";
    const key = this.keyIndexes.map((i) => `${this.quoted[i]} = ${after[i]}`).join(" AND ");
    const guard = guarded ? this.allColumns(after, image, true) : "";
    return guard === "" ? key : `${key} AND ${guard}`;
  }

  /** Every column's comparison; the key's own columns are left out when the key condition already holds them. */
  private allColumns(after: string[], image: Image, keyed = false): string {
    return this.table.columns
      .flatMap((column: RollbackColumn, i) =>
        keyed && this.keyIndexes.includes(i) ? [] : [`${this.quoted[i]} <=> ${mysqlGuardLiteral(column, image[column.name], after[i]!)}`],
      )
      .join(" AND ");
  }

  private undoInsert(after: string[], image: Image): InverseStatement {
    return {
      guarded: `DELETE FROM ${this.name} WHERE ${this.where(after, image, true)}`,
      forced: [`DELETE FROM ${this.name} WHERE ${this.where(after, image, false)}`],
    };
  }

  private undoDelete(before: string[]): InverseStatement {
    const values = `(${this.columnList}) VALUES (${before.join(", ")})`;
    // A row that has taken the key since makes the plain INSERT fail (the guard); REPLACE overrides it.
    return { guarded: `INSERT INTO ${this.name} ${values}`, forced: [`${this.keyIndexes.length ? "REPLACE" : "INSERT"} INTO ${this.name} ${values}`] };
  }

  private undoUpdate(before: string[], after: string[], image: Image): InverseStatement | undefined {
    const set = before.flatMap((literal, i) => (literal === after[i] ? [] : [`${this.quoted[i]} = ${literal}`])).join(", ");
    if (set === "") return undefined;
    const head = `UPDATE ${this.name} SET ${set} WHERE `;
    return { guarded: head + this.where(after, image, true), forced: [head + this.where(after, image, false)] };
  }
}
