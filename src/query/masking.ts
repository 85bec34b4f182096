// Which result columns carry sensitive data. A column is masked when the server says it comes from a sensitive
// column, when its select-list expression reads one (through aliases, functions, subqueries, derived tables and
// CTEs), when its name looks sensitive, or when Sluice cannot tell and the query reads anything sensitive.
import type { MaskingConfig } from "../config/schema.ts";
import type { QueryColumn } from "../engines/engine.ts";
import type { AstNode } from "../review/parse.ts";
import { walk } from "./guard.ts";

export const MASK = "••••••";

export class SensitiveColumns {
  private readonly patterns: RegExp[];

  constructor(
    private readonly config: MaskingConfig,
    private readonly database: string,
  ) {
    this.patterns = config.patterns.map((pattern) => new RegExp(pattern, "i"));
  }

  /** `table` undefined means "some table": any rule naming the column matches. */
  isSensitive(table: string | undefined, column: string): boolean {
    const bareColumn = column.toLowerCase();
    if (this.patterns.some((pattern) => pattern.test(bareColumn))) return true;
    const bareTable = table?.slice(table.lastIndexOf(".") + 1).toLowerCase();
    return this.config.columns.some(
      (rule) =>
        rule.column.toLowerCase() === bareColumn &&
        (rule.database === undefined || rule.database.toLowerCase() === this.database.toLowerCase()) &&
        (rule.table === undefined || bareTable === undefined || rule.table.toLowerCase() === bareTable),
    );
  }
}

type Source = { kind: "table"; name: string } | { kind: "derived"; select: AstNode };

/** Every table, derived table and CTE the statement names, by alias and by name (scopes merged: conservative). */
function sourcesOf(ast: AstNode): Map<string, Source[]> {
  const sources = new Map<string, Source[]>();
  const add = (name: unknown, source: Source): void => {
    if (typeof name !== "string" || name === "") return;
    const key = name.toLowerCase();
    sources.set(key, [...(sources.get(key) ?? []), source]);
  };
  walk(ast, (node) => {
    for (const cte of Array.isArray(node.with) ? node.with : []) {
      const name = typeof cte.name === "string" ? cte.name : cte.name?.value;
      if (cte.stmt?.ast) add(name, { kind: "derived", select: cte.stmt.ast });
    }
    for (const from of Array.isArray(node.from) ? node.from : []) {
      if (from.expr?.ast) add(from.as, { kind: "derived", select: from.expr.ast });
      else if (typeof from.table === "string") {
        add(from.as, { kind: "table", name: from.table });
        add(from.table, { kind: "table", name: from.table });
      }
    }
  });
  return sources;
}

function refName(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const node = value as AstNode;
    if (node.expr) return refName(node.expr);
    if (typeof node.value === "string") return node.value;
  }
  return "";
}

/** The branches of a set operation (UNION, INTERSECT, EXCEPT), each a SELECT. */
function branches(select: AstNode): AstNode[] {
  const all: AstNode[] = [];
  for (let node: AstNode | undefined = select; node; node = node._next) all.push(node);
  return all;
}

function itemName(item: AstNode): string {
  if (item.as) return refName(item.as);
  return item.expr?.type === "column_ref" ? refName(item.expr.column) : "";
}

function isStar(item: AstNode): boolean {
  return item.expr?.type === "column_ref" && refName(item.expr.column) === "*";
}

export class MaskingAnalysis {
  private readonly sources: Map<string, Source[]>;
  private readonly depthLimit = 8;

  constructor(
    private readonly ast: AstNode | undefined,
    private readonly rules: SensitiveColumns,
  ) {
    this.sources = ast ? sourcesOf(ast) : new Map();
  }

  /** One flag per result column: true means its values are masked. */
  maskedColumns(columns: QueryColumn[]): boolean[] {
    const ast = this.ast;
    const parts = ast ? branches(ast) : [];
    const positional = parts.length > 0 && parts.every((part) => Array.isArray(part.columns) && part.columns.length === columns.length && !part.columns.some(isStar));
    const readsAnythingSensitive = ast !== undefined && this.exprReadsSensitive(ast, 0);
    return columns.map((column, index) => {
      if (this.rules.isSensitive(undefined, column.name)) return true;
      if (column.column !== undefined && this.refIsSensitive(column.table, column.column, 0)) return true;
      if (!ast) return false;
      if (positional) return parts.some((part) => this.exprReadsSensitive(part.columns[index].expr, 0));
      // A `*` or a select list Sluice cannot line up with the result: mask whatever the server did not trace to a table.
      return readsAnythingSensitive && (column.column === undefined || parts.length > 1);
    });
  }

  /** Whether an expression reads a sensitive column anywhere inside it, subqueries included. */
  private exprReadsSensitive(expr: unknown, depth: number): boolean {
    let found = false;
    walk(expr, (node) => {
      if (found || node.type !== "column_ref") return;
      const column = refName(node.column);
      const table = typeof node.table === "string" ? node.table : undefined;
      // `t.*` or a bare table alias inside an expression (row_to_json(u), JSON_OBJECT(u.*)) passes a whole row.
      if (column === "*" || (table === undefined && this.sources.has(column.toLowerCase()))) {
        found = true;
        return;
      }
      if (this.refIsSensitive(table, column, depth)) found = true;
    });
    return found;
  }

  private refIsSensitive(table: string | undefined, column: string, depth: number): boolean {
    if (this.rules.isSensitive(table, column)) return true;
    if (depth >= this.depthLimit) return true;
    const candidates = table === undefined ? [...this.sources.values()].flat() : (this.sources.get(table.toLowerCase()) ?? []);
    return candidates.some((source) =>
      source.kind === "table" ? this.rules.isSensitive(source.name, column) : this.derivedColumnIsSensitive(source.select, column, depth + 1),
    );
  }

  /** A column of a derived table or CTE: sensitive when the item that produces it reads something sensitive. */
  private derivedColumnIsSensitive(select: AstNode, column: string, depth: number): boolean {
    const wanted = column.toLowerCase();
    return branches(select).some((part) =>
      ((part.columns as AstNode[] | undefined) ?? []).some((item) => {
        if (!isStar(item)) return itemName(item).toLowerCase() === wanted && this.exprReadsSensitive(item.expr, depth);
        const from = (Array.isArray(part.from) ? part.from : []) as AstNode[];
        return from.some((entry) => this.refIsSensitive(refName(entry.as) || refName(entry.table) || undefined, column, depth));
      }),
    );
  }
}

/** Replaces every value of a masked column. */
export function applyMask(rows: unknown[][], masked: boolean[]): unknown[][] {
  if (!masked.includes(true)) return rows;
  return rows.map((row) => row.map((value, index) => (masked[index] ? MASK : value)));
}
