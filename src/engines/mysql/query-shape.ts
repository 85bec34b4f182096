// Reads a `/db query` statement with node-sql-parser's MySQL grammar into the engine-neutral query shape. Only the forms
// whose value flow is known get a shape of their own; every other node is a computation over its parts.
import { astify, type AstNode } from "../../review/parse.ts";
import { CallRecorder, QueryShapeError, type ReadQueryShape, type ShapeClause, type ShapeExpr, type ShapeItem, type ShapeQuery, type ShapeSource } from "../query-shape.ts";

/** `EXPLAIN [EXTENDED | PARTITIONS | FORMAT = …]` before the statement it explains. */
const EXPLAIN_PREFIX = /^\s*(?:EXPLAIN|DESCRIBE|DESC)\s+(?:(?:EXTENDED|PARTITIONS)\s+|FORMAT\s*=\s*\w+\s+)?/i;

/** Parses one SELECT, or the SELECT an EXPLAIN explains. Throws QueryShapeError when it is not a plain read. */
export function readMysqlQuery(text: string, explain: boolean): ReadQueryShape {
  const select = explain ? text.replace(EXPLAIN_PREFIX, "") : text;
  let nodes: AstNode[];
  try {
    nodes = astify("mysql", select);
  } catch (error) {
    throw new QueryShapeError(`the MySQL parser refused it: ${(error as Error).message.split("\n")[0]}`);
  }
  if (nodes.length !== 1 || nodes[0]?.type !== "select") throw new QueryShapeError(explain ? "EXPLAIN of anything but a SELECT is refused" : "it is not one SELECT");
  const reader = new MysqlShapeReader();
  return reader.calls.shape(reader.query(nodes[0]!));
}

function nameOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const node = value as AstNode;
    if (node.expr) return nameOf(node.expr);
    if (typeof node.value === "string") return node.value;
    if (typeof node.column === "string" || typeof node.column === "object") return nameOf(node.column);
  }
  return "";
}

function functionName(node: AstNode): string {
  if (typeof node.name === "string") return node.name;
  const parts = Array.isArray(node.name?.name) ? (node.name.name as AstNode[]) : [];
  const schema = node.name?.schema?.value;
  return [...(typeof schema === "string" ? [schema] : []), ...parts.map((part) => String(part.value))].join(".");
}

class MysqlShapeReader {
  readonly calls = new CallRecorder();

  /** A SELECT and the set operations chained after it (`_next`). */
  query(node: AstNode): ShapeQuery {
    const chain: AstNode[] = [];
    for (let part: AstNode | undefined = node; part; part = part._next) chain.push(part);
    if (chain.length === 1) return this.select(node, true);
    // ORDER BY and LIMIT after the last branch belong to the whole set operation.
    const last = chain[chain.length - 1]!;
    let query = this.select(chain[0]!, false);
    for (let index = 1; index < chain.length; index++) {
      const operator = String(chain[index - 1]!.set_op ?? "union").toUpperCase().replace(/\s+/g, " ");
      query = { kind: "set", operator, keepsDuplicates: /^UNION ?ALL$/.test(operator), ctes: [], recursive: false, branches: [query, this.select(chain[index]!, index !== chain.length - 1)], clauses: [] };
    }
    if (query.kind === "set") {
      query.clauses = this.orderAndLimit(last);
      query.ctes = this.ctes(node);
      query.recursive = this.ctesAreRecursive(node);
    }
    return query;
  }

  private ctes(node: AstNode): Array<{ name: string; columns: string[]; query: ShapeQuery }> {
    return (Array.isArray(node.with) ? (node.with as AstNode[]) : []).map((cte) => {
      if (cte.stmt?.ast?.type !== "select") throw new QueryShapeError("a WITH query that is not a SELECT is refused");
      return { name: nameOf(cte.name), columns: (Array.isArray(cte.columns) ? (cte.columns as AstNode[]) : []).map(nameOf), query: this.query(cte.stmt.ast) };
    });
  }

  private ctesAreRecursive(node: AstNode): boolean {
    return Array.isArray(node.with) && (node.with as AstNode[]).some((cte) => Boolean(cte.recursive));
  }

  private orderAndLimit(node: AstNode): ShapeClause[] {
    const clauses: ShapeClause[] = [];
    const orderBy = (Array.isArray(node.orderby) ? (node.orderby as AstNode[]) : []).map((entry) => this.outputReference(entry.expr));
    if (orderBy.length > 0) clauses.push({ clause: "ORDER BY", exprs: orderBy, seesOutputNames: true });
    const limit = (Array.isArray(node.limit?.value) ? (node.limit.value as AstNode[]) : []).map((entry) => this.expr(entry));
    if (limit.length > 0) clauses.push({ clause: "LIMIT", exprs: limit, seesOutputNames: false });
    return clauses;
  }

  /** One SELECT; `ownOrder` is false for a branch of a set operation, whose ORDER BY and LIMIT the whole set takes. */
  private select(node: AstNode, ownOrder: boolean): ShapeQuery {
    if (node.type !== "select") throw new QueryShapeError(`a ${String(node.type).toUpperCase()} is not a read`);
    if (node.into && typeof node.into === "object" && node.into.position) throw new QueryShapeError("SELECT … INTO is refused; /db query only returns rows");
    if (node.locking_read) throw new QueryShapeError("locking reads (FOR UPDATE / LOCK IN SHARE MODE) are refused");
    const from = this.sources(Array.isArray(node.from) ? (node.from as AstNode[]) : []);
    const items: ShapeItem[] = node.columns === "*" ? [{ kind: "star", qualifier: [] }] : (node.columns as AstNode[]).map((column) => this.item(column));
    const clauses: ShapeClause[] = [];
    const clause = (name: string, exprs: ShapeExpr[], seesOutputNames = false): void => {
      if (exprs.length > 0) clauses.push({ clause: name, exprs, seesOutputNames });
    };
    if (node.where) clause("WHERE", [this.expr(node.where)]);
    const groupBy = Array.isArray(node.groupby) ? (node.groupby as AstNode[]) : Array.isArray(node.groupby?.columns) ? (node.groupby.columns as AstNode[]) : [];
    clause("GROUP BY", groupBy.map((entry) => this.outputReference(entry)), true);
    if (node.having) clause("HAVING", [this.expr(node.having)], true);
    if (node.window) clause("WINDOW", this.children(node.window));
    if (ownOrder) clauses.push(...this.orderAndLimit(node));
    return { kind: "select", ctes: this.ctes(node), recursive: this.ctesAreRecursive(node), from, items, clauses, distinct: Boolean(node.distinct) };
  }

  private item(column: AstNode): ShapeItem {
    const expr = column.expr as AstNode;
    if (expr?.type === "column_ref" && nameOf(expr.column) === "*") return { kind: "star", qualifier: [expr.db, expr.table].filter((part): part is string => typeof part === "string") };
    const name = column.as ? nameOf(column.as) : expr?.type === "column_ref" ? nameOf(expr.column) : undefined;
    const shaped = this.expr(expr);
    return name ? { kind: "expr", expr: shaped, name } : { kind: "expr", expr: shaped };
  }

  /** node-sql-parser lists joins flat; each join takes what stands before it as its left side. */
  private sources(entries: AstNode[]): ShapeSource[] {
    const sources: ShapeSource[] = [];
    for (const entry of entries) {
      const source = this.source(entry);
      if (entry.join && sources.length > 0) {
        if (/NATURAL/i.test(String(entry.join))) throw new QueryShapeError("NATURAL JOIN is refused");
        const using = (Array.isArray(entry.using) ? (entry.using as unknown[]) : []).map(nameOf);
        sources.push({ kind: "join", left: sources.pop()!, right: source, on: entry.on ? [this.expr(entry.on)] : [], using, natural: false });
      } else {
        sources.push(source);
      }
    }
    return sources;
  }

  private source(entry: AstNode): ShapeSource {
    const alias = entry.as ? nameOf(entry.as) : undefined;
    const named = <T extends object>(source: T): T => (alias === undefined ? source : { ...source, alias });
    if (typeof entry.table === "string" && !entry.expr) {
      return named({ kind: "table", name: [entry.db, entry.table].filter((part): part is string => typeof part === "string" && part !== ""), columns: [] });
    }
    if (entry.expr?.ast) return named({ kind: "query", query: this.query(entry.expr.ast), columns: [] });
    if (entry.expr?.type === "values") {
      const rows = (entry.expr.values as AstNode[]).map((row) => (Array.isArray(row.value) ? (row.value as AstNode[]) : [row]).map((value) => this.expr(value)));
      return named({ kind: "query", query: { kind: "values", rows, clauses: [] }, columns: [] });
    }
    throw new QueryShapeError("Sluice cannot follow this row source in FROM");
  }

  /** `ORDER BY 2` names the second select-list column. */
  private outputReference(node: AstNode): ShapeExpr {
    if (node?.type === "number") return { kind: "position", index: Number(node.value) };
    return this.expr(node);
  }

  expr(node: unknown): ShapeExpr {
    if (!node || typeof node !== "object") return { kind: "computed", what: "a value", parts: [] };
    const expr = node as AstNode;
    if (expr.ast) return { kind: "subquery", query: this.query(expr.ast), use: "value" };
    switch (expr.type) {
      case "column_ref": {
        const qualifier = [expr.db, expr.schema, expr.table].filter((part): part is string => typeof part === "string" && part !== "");
        const column = nameOf(expr.column);
        return column === "*" ? { kind: "row", qualifier } : { kind: "column", qualifier, column };
      }
      case "function":
      case "aggr_func": {
        const name = functionName(expr);
        const args = expr.args?.value;
        if (name.toUpperCase() === "EXISTS" && Array.isArray(args) && args.length === 1 && args[0]?.ast) {
          return { kind: "subquery", query: this.query(args[0].ast), use: "exists" };
        }
        const dot = name.lastIndexOf(".");
        this.calls.function(dot < 0 ? { name: name.toLowerCase() } : { schema: name.slice(0, dot).toLowerCase(), name: name.slice(dot + 1).toLowerCase() });
        return { kind: "computed", what: `${name}()`, parts: this.children(expr) };
      }
      case "unary_expr":
        if (/EXISTS/i.test(String(expr.operator)) && expr.expr?.ast) return { kind: "subquery", query: this.query(expr.expr.ast), use: "exists" };
        return { kind: "computed", what: `the operator ${String(expr.operator)}`, parts: this.children(expr) };
      case "binary_expr":
        return { kind: "computed", what: `the operator ${String(expr.operator)}`, parts: this.children(expr) };
      default:
        return { kind: "computed", what: expr.type ? String(expr.type).replace(/_/g, " ") : "an expression", parts: this.children(expr) };
    }
  }

  /** Every expression under a node, however it nests (argument lists, window specifications, ORDER BY inside). */
  private children(node: AstNode): ShapeExpr[] {
    const found: ShapeExpr[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        value.forEach(visit);
      } else if (value && typeof value === "object") {
        const inner = value as AstNode;
        // An argument list is its arguments: the function that takes them is what a message names.
        if (inner.type === "expr_list" && !inner.ast) visit(inner.value);
        else if (inner.ast || typeof inner.type === "string") found.push(this.expr(inner));
        else Object.values(inner).forEach(visit);
      }
    };
    for (const [key, value] of Object.entries(node)) if (key !== "name") visit(value);
    return found;
  }
}
