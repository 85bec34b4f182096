// Reads a `/db query` statement with PostgreSQL's own parser (libpg-query) into the engine-neutral query shape.
// Only the forms whose value flow is known get a shape of their own; every other node is a computation over its parts.
import { parseSync } from "libpg-query";
import { CallRecorder, QueryShapeError, type ReadQueryShape, type ShapeClause, type ShapeExpr, type ShapeItem, type ShapeQuery, type ShapeSource } from "../query-shape.ts";

// libpg-query's JSON: every node is `{ Kind: fields }`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PgNode = Record<string, any>;

export type PostgresReadingStatement = { kind: "select" | "explain"; shape: ReadQueryShape } | { kind: "show" };

/** Parses one statement (libpg-query must be loaded: loadPostgresParser). Throws QueryShapeError when it is not a plain read. */
export function readPostgresQuery(text: string): PostgresReadingStatement {
  let stmts: PgNode[];
  try {
    stmts = (parseSync(text).stmts ?? []).map((raw: PgNode) => raw.stmt as PgNode);
  } catch (error) {
    throw new QueryShapeError(`PostgreSQL's parser refused it: ${(error as Error).message}`);
  }
  if (stmts.length !== 1) throw new QueryShapeError("it is not exactly one statement");
  const [kind, body] = nodeKind(stmts[0]!)!;
  if (kind === "VariableShowStmt") return { kind: "show" };
  const reader = new PostgresShapeReader();
  if (kind === "SelectStmt") return { kind: "select", shape: reader.calls.shape(reader.select(body)) };
  if (kind === "ExplainStmt") {
    const [inner, innerBody] = nodeKind(body.query)!;
    if (inner !== "SelectStmt") throw new QueryShapeError("EXPLAIN of anything but a SELECT is refused");
    return { kind: "explain", shape: reader.calls.shape(reader.select(innerBody)) };
  }
  throw new QueryShapeError(`a ${kind.replace(/Stmt$/, "")} statement is not a read`);
}

function nodeKind(node: unknown): [string, PgNode] | undefined {
  if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1 || !/^[A-Z]/.test(keys[0]!)) return undefined;
  return [keys[0]!, (node as PgNode)[keys[0]!] as PgNode];
}

function strings(list: unknown): string[] {
  return Array.isArray(list) ? list.map((item: PgNode) => item.String?.sval).filter((name): name is string => typeof name === "string") : [];
}

function items(list: unknown): PgNode[] {
  return Array.isArray(list) ? (list as PgNode[]) : list ? [list as PgNode] : [];
}

class PostgresShapeReader {
  readonly calls = new CallRecorder();

  select(s: PgNode): ShapeQuery {
    if (s.intoClause) throw new QueryShapeError("SELECT … INTO is refused; /db query only returns rows");
    if (items(s.lockingClause).length > 0) throw new QueryShapeError("locking reads (FOR UPDATE / FOR SHARE) are refused");
    const ctes = items(s.withClause?.ctes).map((node) => {
      const cte = node.CommonTableExpr as PgNode;
      const [kind, body] = nodeKind(cte.ctequery)!;
      if (kind !== "SelectStmt") throw new QueryShapeError(`a WITH query that is not a SELECT (${kind.replace(/Stmt$/, "")}) is refused`);
      return { name: String(cte.ctename), columns: strings(cte.aliascolnames), query: this.select(body) };
    });
    const recursive = Boolean(s.withClause?.recursive);
    const clauses: ShapeClause[] = [];
    const clause = (name: string, nodes: unknown, seesOutputNames = false): void => {
      const exprs = items(nodes).map((node) => (seesOutputNames ? this.outputReference(node) : this.expr(node)));
      if (exprs.length > 0) clauses.push({ clause: name, exprs, seesOutputNames });
    };
    clause("ORDER BY", items(s.sortClause).map((sort) => sort.SortBy?.node ?? sort), true);
    clause("LIMIT", s.limitCount);
    clause("OFFSET", s.limitOffset);
    if (s.op && s.op !== "SETOP_NONE") {
      const operator = `${String(s.op).replace("SETOP_", "")}${s.all ? " ALL" : ""}`;
      return { kind: "set", operator, keepsDuplicates: s.op === "SETOP_UNION" && Boolean(s.all), ctes, recursive, branches: [this.select(s.larg), this.select(s.rarg)], clauses };
    }
    if (s.valuesLists) {
      if (ctes.length > 0) throw new QueryShapeError("WITH … VALUES is refused");
      return { kind: "values", rows: items(s.valuesLists).map((row) => items(row.List?.items).map((node) => this.expr(node))), clauses };
    }
    const from = items(s.fromClause).map((node) => this.source(node));
    const selected = items(s.targetList).map((node) => this.item(node.ResTarget as PgNode));
    clause("WHERE", s.whereClause);
    clause("GROUP BY", s.groupClause, true);
    clause("HAVING", s.havingClause, true);
    clause("WINDOW", items(s.windowClause).flatMap((node) => [...items(node.WindowDef?.partitionClause), ...items(node.WindowDef?.orderClause).map((sort) => sort.SortBy?.node ?? sort)]));
    const distinctOn = items(s.distinctClause).filter((node) => nodeKind(node) !== undefined);
    clause("DISTINCT ON", distinctOn, true);
    return { kind: "select", ctes, recursive, from, items: selected, clauses, distinct: items(s.distinctClause).length > 0 };
  }

  /** `ORDER BY 2` names the second select-list column. */
  private outputReference(node: PgNode): ShapeExpr {
    const constant = node.A_Const as PgNode | undefined;
    if (constant?.ival !== undefined) return { kind: "position", index: Number(constant.ival.ival ?? 0) };
    return this.expr(node);
  }

  private item(target: PgNode): ShapeItem {
    const column = target.val?.ColumnRef as PgNode | undefined;
    const fields = items(column?.fields);
    if (column && fields.length > 0 && fields[fields.length - 1]!.A_Star) return { kind: "star", qualifier: strings(fields) };
    const expr = this.expr(target.val);
    const name = typeof target.name === "string" ? target.name : implicitName(target.val);
    return name === undefined ? { kind: "expr", expr } : { kind: "expr", expr, name };
  }

  private source(node: PgNode): ShapeSource {
    const [kind, body] = nodeKind(node) ?? ["", {}];
    const alias = typeof body.alias?.aliasname === "string" ? (body.alias.aliasname as string) : undefined;
    const columns = strings(body.alias?.colnames);
    const named = <T extends object>(source: T): T => (alias === undefined ? source : { ...source, alias });
    switch (kind) {
      case "RangeVar":
        return named({ kind: "table", name: [body.catalogname, body.schemaname, body.relname].filter((part): part is string => typeof part === "string"), columns });
      case "RangeSubselect": {
        const [inner, innerBody] = nodeKind(body.subquery)!;
        if (inner !== "SelectStmt") throw new QueryShapeError("a subquery in FROM that is not a SELECT is refused");
        return named({ kind: "query", query: this.select(innerBody), columns });
      }
      case "RangeFunction": {
        const calls = items(body.functions).flatMap((pair) => items(pair.List?.items).filter((part) => nodeKind(part) !== undefined).map((part) => this.expr(part)));
        return named({ kind: "function", call: { kind: "computed", what: "a function in FROM", parts: calls }, columns });
      }
      case "RangeTableSample":
        return this.source(body.relation);
      case "JoinExpr":
        return {
          kind: "join",
          left: this.source(body.larg),
          right: this.source(body.rarg),
          on: body.quals ? [this.expr(body.quals)] : [],
          using: strings(body.usingClause),
          natural: Boolean(body.isNatural),
        };
      default:
        throw new QueryShapeError(`Sluice cannot follow a ${kind || "row source"} in FROM`);
    }
  }

  expr(node: unknown): ShapeExpr {
    const [kind, body] = nodeKind(node) ?? ["", {}];
    switch (kind) {
      case "ColumnRef": {
        const fields = items(body.fields);
        const names = strings(fields);
        if (fields.length > 0 && fields[fields.length - 1]!.A_Star) return { kind: "row", qualifier: names };
        return { kind: "column", qualifier: names.slice(0, -1), column: names[names.length - 1] ?? "" };
      }
      case "SelectStmt":
        return { kind: "subquery", query: this.select(body), use: "compare" };
      case "SubLink": {
        const query = this.select(nodeKind(body.subselect)![1]);
        if (body.subLinkType === "EXPR_SUBLINK") return { kind: "subquery", query, use: "value" };
        if (body.subLinkType === "EXISTS_SUBLINK") return { kind: "subquery", query, use: "exists" };
        const parts: ShapeExpr[] = [{ kind: "subquery", query, use: "compare" }];
        if (body.testexpr) parts.unshift(this.expr(body.testexpr));
        return { kind: "computed", what: "a comparison with a subquery", parts };
      }
      case "FuncCall": {
        const name = strings(body.funcname);
        const call = name.length > 1 ? { schema: name[name.length - 2]!, name: name[name.length - 1]! } : { name: name[0] ?? "" };
        this.calls.function(call);
        return { kind: "computed", what: `${call.name}()`, parts: this.children(body) };
      }
      case "A_Expr": {
        const operator = strings(body.name).pop() ?? "";
        if (operator !== "") this.calls.operator(operator);
        return { kind: "computed", what: EXPRESSION_KINDS[String(body.kind)] ?? `the operator ${operator}`, parts: this.children(body) };
      }
      case "TypeCast":
        return { kind: "computed", what: "a cast", parts: this.children(body) };
      default:
        return { kind: "computed", what: describe(kind), parts: this.children(body) };
    }
  }

  /** Every expression under a node, however it nests (lists, window definitions, type names). */
  private children(body: unknown): ShapeExpr[] {
    const found: ShapeExpr[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        value.forEach(visit);
      } else if (value && typeof value === "object") {
        if (nodeKind(value)) found.push(this.expr(value));
        else Object.values(value).forEach(visit);
      }
    };
    Object.values(body as object).forEach(visit);
    return found;
  }
}

/** How A_Expr kinds read in a message (their operator names, such as ~~ for LIKE, do not). */
const EXPRESSION_KINDS: Record<string, string> = {
  AEXPR_LIKE: "LIKE",
  AEXPR_ILIKE: "ILIKE",
  AEXPR_SIMILAR: "SIMILAR TO",
  AEXPR_IN: "IN",
  AEXPR_BETWEEN: "BETWEEN",
  AEXPR_NOT_BETWEEN: "NOT BETWEEN",
  AEXPR_BETWEEN_SYM: "BETWEEN SYMMETRIC",
  AEXPR_NOT_BETWEEN_SYM: "NOT BETWEEN SYMMETRIC",
  AEXPR_DISTINCT: "IS DISTINCT FROM",
  AEXPR_NOT_DISTINCT: "IS NOT DISTINCT FROM",
  AEXPR_NULLIF: "NULLIF",
};

const DESCRIPTIONS: Record<string, string> = {
  CaseExpr: "CASE",
  BoolExpr: "AND/OR/NOT",
  NullTest: "IS NULL",
  CoalesceExpr: "COALESCE",
  MinMaxExpr: "GREATEST/LEAST",
  A_ArrayExpr: "ARRAY[…]",
  RowExpr: "ROW(…)",
  A_Indirection: "a field or subscript",
  CollateClause: "COLLATE",
  SortBy: "an ordering",
};

function describe(kind: string): string {
  return DESCRIPTIONS[kind] ?? (kind ? kind.replace(/_/g, " ") : "an expression");
}

/** The name PostgreSQL gives an unnamed select-list item. */
function implicitName(node: unknown): string | undefined {
  const [kind, body] = nodeKind(node) ?? ["", {}];
  if (kind === "ColumnRef") return strings(body.fields).pop();
  if (kind === "FuncCall") return strings(body.funcname).pop();
  if (kind === "TypeCast") return implicitName(body.arg);
  return undefined;
}
