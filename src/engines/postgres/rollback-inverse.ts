// The inverse of each backed-up PostgreSQL row, from literals the server wrote itself (quote_nullable).
import type { InverseStatement } from "../../rollback/types.ts";
import type { BackupTable } from "./backup-catalog.ts";
import { quoteIdentifier } from "./quote.ts";

/** Literals of one row, in the table's column order (BackupTable.columns); 'NULL' for null. */
export type RowLiterals = string[];

export class PostgresInverseWriter {
  readonly name: string;
  readonly quoted: string[];
  private readonly keyIndexes: number[];

  constructor(private readonly table: BackupTable) {
    this.name = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
    this.quoted = table.columns.map(quoteIdentifier);
    this.keyIndexes = table.key.map((name) => table.columns.indexOf(name));
  }

  /** Select-list of quote_nullable for each column, qualified by a table alias when given. */
  literalsOf(alias: string | undefined, prefix: string): string {
    const qualifier = alias ? `${alias}.` : "";
    return this.quoted.map((column, i) => `quote_nullable(${qualifier}${column}) AS ${prefix}${i}`).join(", ");
  }

  /** Join condition between a backup (alias b) and the table (alias t) on the key. */
  keyJoin(): string {
    return this.keyIndexes.map((i) => `b.${this.quoted[i]} = t.${this.quoted[i]}`).join(" AND ");
  }

  undoInsert(after: RowLiterals): InverseStatement {
    return {
      guarded: `DELETE FROM ${this.name} WHERE ${this.where(after, true)}`,
      forced: [`DELETE FROM ${this.name} WHERE ${this.where(after, false)}`],
    };
  }

  undoDelete(before: RowLiterals): InverseStatement {
    const insert = `INSERT INTO ${this.name} (${this.quoted.join(", ")})${this.table.identityAlways ? " OVERRIDING SYSTEM VALUE" : ""} VALUES (${before.join(", ")})`;
    if (this.keyIndexes.length === 0) return { guarded: insert, forced: [insert] };
    // A row that took the key since makes the guarded insert do nothing; the forced one removes it first.
    return { guarded: `${insert} ON CONFLICT DO NOTHING`, forced: [`DELETE FROM ${this.name} WHERE ${this.keyCondition(before)}`, insert] };
  }

  undoUpdate(before: RowLiterals, after: RowLiterals): InverseStatement | undefined {
    const set = before.flatMap((literal, i) => (literal === after[i] ? [] : [`${this.quoted[i]} = ${literal}`])).join(", ");
    if (set === "") return undefined;
    const head = `UPDATE ${this.name} SET ${set} WHERE `;
    return { guarded: head + this.where(after, true), forced: [head + this.where(after, false)] };
  }

  private keyCondition(row: RowLiterals): string {
    return this.keyIndexes.map((i) => `${this.quoted[i]} = ${row[i]}`).join(" AND ");
  }

  /** Text comparison: exact for every type, including those without an equality operator (json, point). */
  private guard(row: RowLiterals): string {
    return this.quoted.map((column, i) => `(${column})::text IS NOT DISTINCT FROM ${row[i]}`).join(" AND ");
  }

  private where(after: RowLiterals, guarded: boolean): string {
    if (this.keyIndexes.length === 0) return `ctid = (SELECT ctid FROM ${this.name} WHERE ${this.guard(after)} LIMIT 1)`;
    return guarded ? `${this.keyCondition(after)} AND ${this.guard(after)}` : this.keyCondition(after);
  }
}
