// What `/db query`'s masking and function rules need to know about a read query, whichever engine's parser read it:
// where each column reference sits (a selected value, a clause, a computation), the row sources, the functions called.

/** An expression, reduced to how values flow through it. */
export type ShapeExpr =
  /** `c`, `t.c`, `s.t.c`; on PostgreSQL a bare name may also be a whole row (`SELECT t FROM t`). */
  | { kind: "column"; qualifier: string[]; column: string }
  /** A whole row: `t.*` or `*` inside an expression. */
  | { kind: "row"; qualifier: string[] }
  /** `ORDER BY 1`, `GROUP BY 2`: a select-list position. */
  | { kind: "position"; index: number }
  /**
   * A subquery: `value` passes its one column on as it is (`(SELECT c …)`), `exists` only tests for rows, `compare`
   * compares or computes with its values (`IN`, `ANY`, `ARRAY(…)`).
   */
  | { kind: "subquery"; query: ShapeQuery; use: "value" | "exists" | "compare" }
  /** Anything else (a function, an operator, a cast, CASE, a literal): a value computed from its parts. */
  | { kind: "computed"; what: string; parts: ShapeExpr[] };

export type ShapeItem = { kind: "expr"; expr: ShapeExpr; name?: string } | { kind: "star"; qualifier: string[] };

/** A clause that decides which rows come out or in what order: WHERE, JOIN … ON, GROUP BY, HAVING, ORDER BY, LIMIT… */
export interface ShapeClause {
  clause: string;
  exprs: ShapeExpr[];
  /** ORDER BY, GROUP BY and HAVING may name a select-list column by its output name or position. */
  seesOutputNames: boolean;
}

export interface ShapeCte {
  name: string;
  columns: string[];
  query: ShapeQuery;
}

export type ShapeSource =
  | { kind: "table"; name: string[]; alias?: string; columns: string[] }
  | { kind: "query"; query: ShapeQuery; alias?: string; columns: string[] }
  /** A set-returning or table function in FROM (`unnest(…)`, `generate_series(…)`, `JSON_TABLE(…)`). */
  | { kind: "function"; call: ShapeExpr; alias?: string; columns: string[] }
  | { kind: "join"; left: ShapeSource; right: ShapeSource; on: ShapeExpr[]; using: string[]; natural: boolean };

export type ShapeQuery =
  | {
      kind: "select";
      ctes: ShapeCte[];
      recursive: boolean;
      from: ShapeSource[];
      items: ShapeItem[];
      clauses: ShapeClause[];
      distinct: boolean;
    }
  | {
      kind: "set";
      /** UNION ALL keeps every row; UNION, INTERSECT and EXCEPT compare rows. */
      operator: string;
      keepsDuplicates: boolean;
      ctes: ShapeCte[];
      recursive: boolean;
      branches: [ShapeQuery, ShapeQuery];
      clauses: ShapeClause[];
    }
  | { kind: "values"; rows: ShapeExpr[][]; clauses: ShapeClause[] };

/** A function as called: `name(…)` or `schema.name(…)`, names as the server folds them. */
export interface FunctionCall {
  schema?: string;
  name: string;
}

export interface ReadQueryShape {
  query: ShapeQuery;
  /** Every function the text calls, in FROM, the select list, clauses and subqueries alike; each once. */
  functions: FunctionCall[];
  /** Every operator the text uses (PostgreSQL operators are functions too). */
  operators: string[];
}

/** The parser read something the shape cannot describe: the query is refused, never guessed at. */
export class QueryShapeError extends Error {}

/** Collects calls and operators once each while a reader walks the tree. */
export class CallRecorder {
  private readonly functions = new Map<string, FunctionCall>();
  private readonly operators = new Set<string>();

  function(call: FunctionCall): void {
    this.functions.set(`${call.schema ?? ""}.${call.name}`, call);
  }

  operator(name: string): void {
    this.operators.add(name);
  }

  shape(query: ShapeQuery): ReadQueryShape {
    return { query, functions: [...this.functions.values()], operators: [...this.operators] };
  }
}
