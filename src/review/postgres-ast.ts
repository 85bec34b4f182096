// PostgreSQL's own parser (libpg-query), read into the AST vocabulary the rules and the walk-through catalog share
// (ast.ts): the one place that knows libpg-query's node shapes.
import { loadModule, parseSync, scanSync } from "libpg-query";
import type { AstNode } from "./parse.ts";

// libpg-query's JSON: every node is `{ Kind: fields }`; fields are loosely typed here and read through helpers.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PgNode = Record<string, any>;

let loaded: Promise<void> | undefined;

/** libpg-query compiles its WASM module once per process; parsing is synchronous after that. */
export function loadPostgresParser(): Promise<void> {
  return (loaded ??= loadModule());
}

export interface PostgresParse {
  nodes: AstNode[];
  notValid: boolean;
  /** No call, operator, test or query anywhere in it: its expression facts are all empty, without a walk. */
  plain: boolean;
}

/** Set while mapping when a node that expression facts read is made (a call, an operator, a NULL test, a query). */
let expressive = false;

export class PostgresSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the statement's text. */
    readonly offset: number,
  ) {
    super(message);
    this.name = "PostgresSyntaxError";
  }
}

/** Parses one statement's text (it may hold several) with PostgreSQL's grammar. */
export function parsePostgres(text: string): PostgresParse {
  let result;
  try {
    result = parseSync(text);
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    throw new PostgresSyntaxError((error as Error).message, Math.max(0, details?.cursorPosition ?? 0));
  }
  const state = { notValid: false };
  expressive = false;
  const nodes: AstNode[] = [];
  for (const raw of result.stmts ?? []) {
    const node = statement(raw.stmt as PgNode, state);
    if (node) nodes.push(node);
  }
  return { nodes, notValid: state.notValid, plain: !expressive };
}

/** Identifiers in the text longer than `limit` bytes: PostgreSQL truncates them while parsing, so the AST cannot tell. */
export function longIdentifiers(text: string, limit: number): string[] {
  if (!hasLongRun(text, limit)) return [];
  let tokens;
  try {
    tokens = scanSync(text).tokens;
  } catch {
    return [];
  }
  // The scanner's offsets count bytes.
  const bytes = Buffer.from(text);
  return tokens
    .filter((token) => token.tokenName === "IDENT" && token.end - token.start > limit)
    .map((token) => bytes.subarray(token.start, token.end).toString().replace(/^"|"$/g, ""))
    .filter((name) => Buffer.byteLength(name) > limit);
}

/**
 * Whether the text has a run of more than `limit` bytes (UTF-8, as PostgreSQL counts an identifier) that could be one
 * identifier: most statements have none. String literals are skipped (a long hash or URL in an INSERT is no identifier).
 */
function hasLongRun(text: string, limit: number): boolean {
  // A quick probe of a fraction of the text clears most statements.
  if (!mayHaveLongRun(text, limit)) return false;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 39) {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return false;
      i = close;
      run = 0;
    } else if (isSeparator(code)) {
      run = 0;
    } else if ((run += utf8Bytes(code)) > limit) {
      return true;
    }
  }
  return false;
}

/**
 * Whether the text may hold a run of more than `limit` bytes, quotes counted as run characters (so string literals only
 * make it say yes more often). Such a run is longer than `limit` code units in ASCII text, and than `limit / 3` in any
 * text (a code unit is at most 3 bytes), so it covers one of any `span` consecutive offsets: only every `span`th offset
 * is probed, and the run through it measured. In ASCII text, most statements, one offset in 64 is read.
 */
function mayHaveLongRun(text: string, limit: number): boolean {
  const span = NON_ASCII.test(text) ? Math.floor(limit / 3) + 1 : limit + 1;
  for (let probe = span - 1; probe < text.length; probe += span) {
    if (isSeparator(text.charCodeAt(probe))) continue;
    let start = probe;
    while (start > 0 && !isSeparator(text.charCodeAt(start - 1))) start--;
    let end = probe + 1;
    while (end < text.length && !isSeparator(text.charCodeAt(end))) end++;
    if (end - start < span) continue;
    let bytes = 0;
    for (let i = start; i < end && bytes <= limit; i++) bytes += utf8Bytes(text.charCodeAt(i));
    if (bytes > limit) return true;
  }
  return false;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-8 bytes of one UTF-16 code unit, at most: a surrogate half counts 3 (a pair takes 4), so no run is undercounted. */
const utf8Bytes = (code: number): number => (code < 0x80 ? 1 : code < 0x800 ? 2 : 3);

const isSeparator = (code: number): boolean => code < 128 && SEPARATORS[code] === 1;

/** Characters that end a run hasLongRun counts: whitespace and control characters, `(`, `)`, `,`, `.`, `;`. */
const SEPARATORS = new Uint8Array(128);
for (let code = 0; code <= 32; code++) SEPARATORS[code] = 1;
for (const char of "(),.;") SEPARATORS[char.charCodeAt(0)] = 1;

/** The bare parse, for the benchmark's baseline. */
export function parsePostgresBare(text: string): unknown {
  return parseSync(text);
}

/** A node's one key (its kind), read without building the array of its keys (this runs on every node). */
function kindOf(node: PgNode | undefined): string | undefined {
  if (node) for (const key in node) return key;
  return undefined;
}

const EMPTY: PgNode = Object.freeze({});

/** A node's fields; nothing when there is no node. */
function inner(node: PgNode | undefined): PgNode {
  if (node) for (const key in node) return node[key] as PgNode;
  return node ? (undefined as unknown as PgNode) : EMPTY;
}
const list = (value: unknown): PgNode[] => (Array.isArray(value) ? value : value ? [value as PgNode] : []);
const strings = (value: unknown): string[] => list(value).map((item) => String(inner(item).sval ?? ""));

function relation(range: PgNode | undefined): AstNode {
  return { db: range?.schemaname ?? null, table: range?.relname ?? "" };
}

const columnRef = (name: string, table?: string): AstNode => ({ type: "column_ref", table: table ?? null, column: name });

/** libpg-query's internal type names, in the SQL spelling the rules compare with. */
const TYPE_NAMES = new Map<string, string>(Object.entries({
  int4: "INT",
  int8: "BIGINT",
  int2: "SMALLINT",
  bpchar: "CHAR",
  varchar: "VARCHAR",
  bool: "BOOLEAN",
  float8: "DOUBLE PRECISION",
  float4: "REAL",
  timestamptz: "TIMESTAMP",
  timetz: "TIME",
}));

function dataType(typeName: PgNode | undefined): AstNode {
  const names = strings(typeName?.names);
  const name = names.at(-1) ?? "";
  const mods = list(typeName?.typmods).map((mod) => inner(mod).ival?.ival ?? 0);
  // One shape for every type (see columnDefinition).
  return {
    dataType: (TYPE_NAMES.get(name) ?? name).toUpperCase(),
    suffix: name === "timestamptz" || name === "timetz" ? WITH_TIME_ZONE : NO_SUFFIX,
    length: mods.length > 0 && name !== "timestamptz" && name !== "timestamp" ? mods[0] : undefined,
    scale: mods.length > 1 ? mods[1] : undefined,
    array: list(typeName?.arrayBounds).length > 0 ? true : undefined,
  };
}

function constant(value: PgNode): AstNode {
  if (value.isnull) return { type: "null", value: null };
  if (value.ival !== undefined) return { type: "number", value: value.ival.ival ?? 0 };
  if (value.fval !== undefined) return { type: "number", value: Number(value.fval.fval) };
  if (value.boolval !== undefined) return { type: "bool", value: Boolean(value.boolval.boolval) };
  if (value.sval !== undefined) return { type: "single_quote_string", value: value.sval.sval ?? "" };
  if (value.bsval !== undefined) return { type: "bit_string", value: value.bsval.bsval };
  return { type: "null", value: null };
}

const OPERATORS = new Map<string, string>(Object.entries({ "~~": "LIKE", "!~~": "NOT LIKE", "~~*": "ILIKE", "!~~*": "NOT ILIKE" }));

function fn(name: string, args: AstNode[]): AstNode {
  expressive = true;
  return { type: "function", name: { name: [{ type: "default", value: name }] }, args: { type: "expr_list", value: args } };
}

/** An expression, in the shapes the WHERE rules (anyWhereExpression) and expressionFacts read: binary_expr, column_ref, function, literals. */
function expression(node: PgNode | undefined): AstNode | undefined {
  if (!node) return undefined;
  const kind = kindOf(node);
  const value = inner(node);
  switch (kind) {
    case "A_Const":
      return constant(value);
    case "ColumnRef": {
      const fields = list(value.fields);
      const last = fields.at(-1);
      const column = kindOf(last) === "A_Star" ? "*" : String(inner(last).sval ?? "");
      const table = fields.length > 1 ? String(inner(fields.at(-2)).sval ?? "") : undefined;
      return columnRef(column, table);
    }
    case "FuncCall": {
      const name = strings(value.funcname).at(-1) ?? "";
      const args = value.agg_star ? [{ type: "star", value: "*" }] : list(value.args).map(expression).filter(Boolean);
      return fn(name, args as AstNode[]);
    }
    case "SQLValueFunction":
      return fn(String(value.op ?? "").replace(/^SVFOP_/, "").toLowerCase().replace(/_n$/, ""), []);
    case "TypeCast":
      return expression(value.arg);
    case "A_Expr": {
      expressive = true;
      const operator = strings(value.name).at(-1) ?? "";
      const left = expression(value.lexpr);
      if (value.kind === "AEXPR_IN") {
        return { type: "binary_expr", operator: operator === "<>" ? "NOT IN" : "IN", left, right: { type: "expr_list", value: list(inner(value.rexpr).items ?? value.rexpr).map(expression) } };
      }
      if (value.kind === "AEXPR_BETWEEN" || value.kind === "AEXPR_NOT_BETWEEN") {
        return { type: "binary_expr", operator: value.kind === "AEXPR_BETWEEN" ? "BETWEEN" : "NOT BETWEEN", left, right: { type: "expr_list", value: list(inner(value.rexpr).items ?? value.rexpr).map(expression) } };
      }
      return { type: "binary_expr", operator: OPERATORS.get(operator) ?? operator.toUpperCase(), left, right: expression(value.rexpr) };
    }
    case "BoolExpr": {
      expressive = true;
      const args = list(value.args).map(expression);
      if (value.boolop === "NOT_EXPR") return { type: "unary_expr", operator: "NOT", expr: args[0] };
      const operator = value.boolop === "AND_EXPR" ? "AND" : "OR";
      return args.slice(1).reduce((left, right) => ({ type: "binary_expr", operator, left, right }), args[0]);
    }
    case "NullTest":
      expressive = true;
      return { type: "binary_expr", operator: value.nulltesttype === "IS_NULL" ? "IS" : "IS NOT", left: expression(value.arg), right: { type: "null", value: null } };
    case "SubLink":
      return { type: "subquery", ast: select(inner(value.subselect)), left: expression(value.testexpr) };
    case "CaseExpr":
      return { type: "case", args: [...list(value.args).map((when) => ({ cond: expression(inner(when).expr), result: expression(inner(when).result) })), { result: expression(value.defresult) }] };
    case "CoalesceExpr":
      return fn("coalesce", list(value.args).map(expression) as AstNode[]);
    case "RowExpr":
    case "List":
      return { type: "expr_list", value: list(value.args ?? value.items).map(expression) };
    case "ParamRef":
      return { type: "param", value: value.number };
    default:
      return { type: "expression", kind };
  }
}

/** FROM items as tables (joins flattened, subqueries kept as ASTs so their SELECTs are walked). */
function fromItems(items: unknown): AstNode[] {
  return list(items).flatMap((item): AstNode[] => {
    const value = inner(item);
    switch (kindOf(item)) {
      case "RangeVar":
        return [relation(value)];
      case "JoinExpr":
        return [...fromItems(value.larg), ...fromItems(value.rarg).map((table) => joinedOn(table, expression(value.quals)))];
      case "RangeSubselect":
        return [{ expr: { ast: select(inner(value.subquery)) } }];
      case "RangeFunction":
        return [{ expr: { type: "function_table" } }];
      default:
        return [];
    }
  });
}

/**
 * A FROM item with its join condition. Written field by field: a spread of items of several shapes made V8 a new object
 * shape for each join (logged with `--log-maps`), which every function reading the item then met as a stranger.
 */
function joinedOn(item: AstNode, on: AstNode | undefined): AstNode {
  return item.expr !== undefined ? { expr: item.expr, on } : { db: item.db, table: item.table, on };
}

function limit(value: PgNode): AstNode {
  const count = expression(value.limitCount);
  const offset = expression(value.limitOffset);
  return { seperator: offset ? "offset" : "", value: [count, offset].filter(Boolean) };
}

/** A VALUES row of constants only (most rows of a bulk INSERT): rules read nothing in it but that it is a row. */
export const CONSTANT_ROW: AstNode = Object.freeze({ type: "expr_list", value: Object.freeze([]) });

const isConstant = (item: PgNode): boolean => item.A_Const !== undefined || (item.TypeCast !== undefined && item.TypeCast.arg?.A_Const !== undefined);

function valuesRow(row: PgNode): AstNode {
  // A row is a List node; read it by name (inner's for-in costs more on the thousands of rows of a bulk INSERT).
  const items = list((row.List ?? inner(row)).items);
  return items.every(isConstant) ? CONSTANT_ROW : { type: "expr_list", value: items.map(expression) };
}

function select(value: PgNode): AstNode {
  expressive = true;
  if (value.op && value.op !== "SETOP_NONE") {
    return { ...select(inner({ SelectStmt: value.larg })), _union: select(inner({ SelectStmt: value.rarg })) };
  }
  if (value.valuesLists) return { type: "values", values: list(value.valuesLists).map(valuesRow) };
  return {
    type: "select",
    with: value.withClause ? list(value.withClause.ctes).map((cte) => ({ stmt: { ast: statement(inner(cte).ctequery, { notValid: false }) } })) : null,
    columns: list(value.targetList).map((target) => ({ expr: expression(inner(target).val), as: inner(target).name ?? null })),
    from: fromItems(value.fromClause),
    where: expression(value.whereClause) ?? null,
    groupby: value.groupClause ? { columns: list(value.groupClause).map(expression) } : null,
    having: expression(value.havingClause) ?? null,
    orderby: value.sortClause ? list(value.sortClause).map((sort) => ({ expr: expression(inner(sort).node) })) : null,
    limit: limit(value),
  };
}

const FK_ACTIONS = new Map<string, string>(Object.entries({ a: "no action", r: "restrict", c: "cascade", n: "set null", d: "set default" }));

function reference(constraint: PgNode): AstNode {
  const onAction = [
    ["on delete", constraint.fk_del_action],
    ["on update", constraint.fk_upd_action],
  ]
    .filter(([, action]) => action && action !== "a")
    .map(([type, action]) => ({ type, value: { type: "origin", value: FK_ACTIONS.get(action!) ?? action } }));
  return { table: [relation(constraint.pktable)], definition: strings(constraint.pk_attrs).map((name) => columnRef(name)), on_action: onAction };
}

const CONSTRAINT_TYPES = new Map<string, string>(Object.entries({
  CONSTR_PRIMARY: "primary key",
  CONSTR_UNIQUE: "unique",
  CONSTR_FOREIGN: "foreign key",
  CONSTR_CHECK: "check",
  CONSTR_EXCLUSION: "exclude",
}));

/** A table constraint (CREATE TABLE element or ALTER TABLE ... ADD CONSTRAINT). */
function tableConstraint(value: PgNode, state: { notValid: boolean }): AstNode | undefined {
  const type = CONSTRAINT_TYPES.get(value.contype);
  if (!type) return undefined;
  if (value.skip_validation) state.notValid = true;
  const keys = value.contype === "CONSTR_FOREIGN" ? strings(value.fk_attrs) : strings(value.keys);
  return {
    resource: "constraint",
    constraint_type: type,
    constraint: value.conname ?? null,
    keyword: value.conname ? "constraint" : null,
    definition: keys.map((name) => columnRef(name)),
    reference_definition: value.contype === "CONSTR_FOREIGN" ? reference(value) : undefined,
    index: value.indexname ?? null,
  };
}

/** Shared by every column that states them: rules and the walk-through only read an AST. */
const NOT_NULL: AstNode = Object.freeze({ type: "not null", value: "not null" });
const NULLABLE: AstNode = Object.freeze({ type: "null", value: "null" });
const NO_SUFFIX: unknown[] = Object.freeze([]) as unknown as unknown[];
const WITH_TIME_ZONE: unknown[] = Object.freeze(["WITH", "TIME", "ZONE"]) as unknown as unknown[];

/** A column definition, with its inline constraints spread into the fields rules read. */
function columnDefinition(value: PgNode, name: string, state: { notValid: boolean }): AstNode {
  // Every field set, in one order, absent ones undefined: every column node then has one shape, and the rules and the
  // walk-through that read thousands of them read each field at one place in memory rather than looking it up by name.
  const column: AstNode = {
    column: columnRef(name),
    definition: dataType(value.typeName),
    resource: "column",
    collate: value.collClause ? { type: "collate", collate: { name: { type: "double_quote_string", value: strings(value.collClause.collname).at(-1) } } } : undefined,
    nullable: undefined,
    default_val: undefined,
    primary_key: undefined,
    unique: undefined,
    reference_definition: undefined,
    generated: undefined,
  };
  for (const raw of list(value.constraints)) {
    const constraint = inner(raw);
    switch (constraint.contype) {
      case "CONSTR_NOTNULL":
        column.nullable = NOT_NULL;
        break;
      case "CONSTR_NULL":
        column.nullable = NULLABLE;
        break;
      case "CONSTR_DEFAULT":
        column.default_val = { type: "default", value: expression(constraint.raw_expr) };
        break;
      case "CONSTR_PRIMARY":
        column.primary_key = "primary key";
        break;
      case "CONSTR_UNIQUE":
        column.unique = "unique";
        break;
      case "CONSTR_FOREIGN":
        if (constraint.skip_validation) state.notValid = true;
        column.reference_definition = reference(constraint);
        break;
      case "CONSTR_IDENTITY":
      case "CONSTR_GENERATED":
        column.generated = { type: constraint.contype === "CONSTR_IDENTITY" ? "identity" : "stored" };
        break;
    }
  }
  return column;
}

function createTable(value: PgNode, state: { notValid: boolean }): AstNode {
  const definitions: AstNode[] = [];
  let like: AstNode | undefined;
  for (const element of list(value.tableElts)) {
    const kind = kindOf(element);
    const body = inner(element);
    if (kind === "ColumnDef") definitions.push(columnDefinition(body, body.colname, state));
    else if (kind === "Constraint") {
      const constraint = tableConstraint(body, state);
      if (constraint) definitions.push(constraint);
    } else if (kind === "TableLikeClause") like = { table: [relation(body.relation)] };
  }
  return {
    type: "create",
    keyword: "table",
    temporary: value.relation?.relpersistence === "t" ? "temporary" : null,
    if_not_exists: value.if_not_exists ? "if not exists" : null,
    table: [relation(value.relation)],
    create_definitions: definitions,
    table_options: value.partspec ? [{ keyword: "partition by", value: "" }] : [],
    like: like ?? null,
    partition_of: value.partbound ? { table: relation(inner(list(value.inhRelations)[0])) } : null,
    query_expr: null,
  };
}

/** One ALTER TABLE subcommand, as the action shapes MySQL's grammar gives and the rules read. */
function alterCommand(value: PgNode, node: AstNode, state: { notValid: boolean }): AstNode {
  const column = value.name ? columnRef(value.name) : undefined;
  if (value.behavior === "DROP_CASCADE") node.cascade = true;
  switch (value.subtype) {
    case "AT_AddColumn": {
      const definition = inner(value.def);
      // The clause is the column node itself with three more fields (a spread copy of it cost ~3 µs a clause).
      const clause = columnDefinition(definition, definition.colname, state);
      clause.action = "add";
      clause.type = "alter";
      clause.if_not_exists = value.missing_ok ? "if not exists" : null;
      return clause;
    }
    case "AT_DropColumn":
      return { action: "drop", resource: "column", column, type: "alter" };
    case "AT_AlterColumnType": {
      const definition = columnDefinition(inner(value.def), value.name, state);
      return { action: "alter", resource: "column", column, definition: definition.definition, collate: definition.collate ?? null, type: "alter" };
    }
    case "AT_SetNotNull":
      return { action: "alter", resource: "column", column, nullable: { type: "not null", value: "not null", action: "set" }, type: "alter" };
    case "AT_DropNotNull":
      return { action: "alter", resource: "column", column, nullable: { type: "not null", value: "not null", action: "drop" }, type: "alter" };
    case "AT_ColumnDefault":
      return { action: "alter", resource: "column", column, default_change: value.def ? "set" : "drop", type: "alter" };
    case "AT_AddConstraint": {
      const constraint = tableConstraint(inner(value.def), state);
      return constraint ? { action: "add", resource: "constraint", create_definitions: constraint, type: "alter" } : { action: "add", resource: "other", type: "alter" };
    }
    case "AT_DropConstraint":
      return { action: "drop", resource: "constraint", keyword: "constraint", constraint: value.name, type: "alter" };
    case "AT_ValidateConstraint":
      return { action: "validate", resource: "constraint", constraint: value.name, type: "alter" };
    case "AT_AttachPartition":
      return { action: "attach", resource: "partition", type: "alter" };
    default:
      return { action: String(value.subtype ?? "").replace(/^AT_/, "").toLowerCase(), resource: "other", type: "alter" };
  }
}

function alterTable(value: PgNode, state: { notValid: boolean }): AstNode {
  const keyword = value.objtype === "OBJECT_VIEW" || value.objtype === "OBJECT_MATVIEW" ? "view" : value.objtype === "OBJECT_INDEX" ? "index" : "table";
  if (keyword === "index") return { type: "alter_index", index: value.relation?.relname };
  const node: AstNode = { type: "alter", keyword, table: [relation(value.relation)], expr: [] };
  node.expr = list(value.cmds).map((command) => alterCommand(inner(command), node, state));
  return node;
}

function rename(value: PgNode): AstNode {
  const table = [relation(value.relation)];
  switch (value.renameType) {
    case "OBJECT_TABLE":
      return { type: "alter", keyword: "table", table, expr: [{ type: "alter", action: "rename", resource: "table", table: value.newname }] };
    case "OBJECT_COLUMN":
      return { type: "alter", keyword: "table", table, expr: [{ type: "alter", action: "rename", resource: "column", old_column: columnRef(value.subname), column: columnRef(value.newname) }] };
    case "OBJECT_INDEX":
      return { type: "alter_index", index: value.relation?.relname, rename: value.newname };
    case "OBJECT_VIEW":
    case "OBJECT_MATVIEW":
      return { type: "alter", keyword: "view", table, expr: [] };
    default:
      return { type: "rename_other" };
  }
}

const DROP_KEYWORDS = new Map<string, string>(Object.entries({
  OBJECT_TABLE: "table",
  OBJECT_INDEX: "index",
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "materialized view",
  OBJECT_SEQUENCE: "sequence",
  OBJECT_SCHEMA: "schema",
  OBJECT_EXTENSION: "extension",
  OBJECT_TRIGGER: "trigger",
  OBJECT_FUNCTION: "function",
  OBJECT_PROCEDURE: "procedure",
  OBJECT_TYPE: "type",
  OBJECT_DOMAIN: "domain",
}));

function drop(value: PgNode): AstNode {
  const keyword = DROP_KEYWORDS.get(value.removeType) ?? String(value.removeType ?? "").replace(/^OBJECT_/, "").toLowerCase();
  const names = list(value.objects).map((object) => {
    const parts = kindOf(object) === "List" ? strings(inner(object).items) : [String(inner(object).sval ?? "")];
    return { db: parts.length > 1 ? parts.at(-2) : null, table: parts.at(-1) ?? "" };
  });
  return { type: "drop", keyword, name: names, prefix: value.concurrent ? "CONCURRENTLY" : "", cascade: value.behavior === "DROP_CASCADE" };
}

const COMMENT_TARGETS = new Map<string, string>(Object.entries({ OBJECT_TABLE: "table", OBJECT_COLUMN: "column", OBJECT_INDEX: "index", OBJECT_VIEW: "view" }));

function comment(value: PgNode): AstNode {
  const type = COMMENT_TARGETS.get(value.objtype) ?? String(value.objtype ?? "").replace(/^OBJECT_/, "").toLowerCase();
  const parts = kindOf(value.object) === "List" ? strings(inner(value.object).items) : [String(inner(value.object).sval ?? "")];
  const name =
    type === "column"
      ? { type: "column_ref", schema: parts.length > 2 ? parts.at(-3) : null, table: parts.at(-2) ?? "", column: parts.at(-1) ?? "" }
      : { db: parts.length > 1 ? parts.at(-2) : null, table: parts.at(-1) ?? "" };
  const text = value.comment;
  return { type: "comment", target: { type, name }, expr: { expr: text === undefined ? { type: "null", value: null } : { type: "single_quote_string", value: text } } };
}

function variableSet(value: PgNode): AstNode {
  const name = String(value.name ?? "").toLowerCase();
  if (name === "role" || name === "session_authorization") return { type: "set_role" };
  if (value.kind === "VAR_SET_MULTI" && name === "transaction") return { type: "set", expr: [] };
  return { type: "set", expr: [{ type: "assign", left: { type: "var", name }, right: expression(list(value.args)[0]) }] };
}

const TRANSACTIONS = new Map<string, string>(Object.entries({
  TRANS_STMT_BEGIN: "begin",
  TRANS_STMT_START: "begin",
  TRANS_STMT_COMMIT: "commit",
  TRANS_STMT_ROLLBACK: "rollback",
  TRANS_STMT_SAVEPOINT: "savepoint",
  TRANS_STMT_RELEASE: "release",
  TRANS_STMT_ROLLBACK_TO: "rollback",
  TRANS_STMT_PREPARE: "prepare transaction",
  TRANS_STMT_COMMIT_PREPARED: "commit prepared",
  TRANS_STMT_ROLLBACK_PREPARED: "rollback prepared",
}));

const optionNames = (options: unknown): string[] => list(options).map((option) => String(inner(option).defname ?? "").toLowerCase());

function insert(value: PgNode): AstNode {
  const source = value.selectStmt ? select(inner(value.selectStmt)) : { type: "values", values: [] };
  return {
    type: "insert",
    table: [relation(value.relation)],
    columns: list(value.cols).map((target) => inner(target).name),
    values: source,
    on_conflict: value.onConflictClause ? {} : null,
  };
}

/** One libpg-query statement as an AST node; undefined for nothing (an empty statement). */
function statement(raw: PgNode | undefined, state: { notValid: boolean }): AstNode | undefined {
  const kind = kindOf(raw);
  const value = inner(raw);
  switch (kind) {
    case undefined:
      return undefined;
    case "CreateStmt":
      return createTable(value, state);
    case "CreateTableAsStmt":
      return value.objtype === "OBJECT_MATVIEW"
        ? { type: "create", keyword: "view", materialized: true }
        : { type: "create", keyword: "table", table: [relation(value.into?.rel)], create_definitions: [], table_options: [], query_expr: { ast: select(inner(value.query)) } };
    case "AlterTableStmt":
      return alterTable(value, state);
    case "RenameStmt":
      return rename(value);
    case "IndexStmt":
      return {
        type: "create",
        keyword: "index",
        index: value.idxname ?? null,
        index_type: value.unique ? "unique" : null,
        table: relation(value.relation),
        index_columns: list(value.indexParams).map((param) => {
          const element = inner(param);
          return element.name ? columnRef(element.name) : expression(element.expr);
        }),
        index_using: value.accessMethod && value.accessMethod !== "btree" ? value.accessMethod : null,
        concurrently: value.concurrent ? "concurrently" : null,
        if_not_exists: value.if_not_exists ? "if not exists" : null,
      };
    case "DropStmt":
      return drop(value);
    case "DropdbStmt":
      return { type: "drop", keyword: "database", name: [{ db: null, table: value.dbname }] };
    case "TruncateStmt":
      return { type: "truncate", name: list(value.relations).map((range) => relation(inner(range))), cascade: value.behavior === "DROP_CASCADE" };
    case "InsertStmt":
      return insert(value);
    case "UpdateStmt":
      return {
        type: "update",
        table: [relation(value.relation)],
        set: list(value.targetList).map((target) => ({ column: inner(target).name, value: expression(inner(target).val) })),
        from: fromItems(value.fromClause),
        where: expression(value.whereClause) ?? null,
      };
    case "DeleteStmt":
      return {
        type: "delete",
        table: [relation(value.relation)],
        from: [relation(value.relation), ...fromItems(value.usingClause)],
        where: expression(value.whereClause) ?? null,
      };
    case "SelectStmt":
      return select(value);
    case "VariableSetStmt":
      return variableSet(value);
    case "TransactionStmt":
      return { type: "transaction", expr: { action: { value: TRANSACTIONS.get(value.kind) ?? "begin" } } };
    case "LockStmt":
      return { type: "lock" };
    case "GrantStmt":
    case "GrantRoleStmt":
      return { type: value.is_grant ? "grant" : "revoke" };
    case "CreateRoleStmt":
    case "AlterRoleStmt":
    case "DropRoleStmt":
      return { type: "account" };
    case "CommentStmt":
      return comment(value);
    case "VacuumStmt":
      return value.is_vacuumcmd ? { type: "vacuum", full: optionNames(value.options).includes("full") } : { type: "analyze" };
    case "ClusterStmt":
      return { type: "cluster", table: value.relation ? [relation(value.relation)] : [] };
    case "ReindexStmt":
      return { type: "reindex", keyword: String(value.kind ?? "").replace(/^REINDEX_OBJECT_/, "").toLowerCase(), concurrently: optionNames(value.params).includes("concurrently") };
    case "AlterEnumStmt":
      return { type: "alter_type", addValue: value.newVal };
    case "CreateExtensionStmt":
      return { type: "create", keyword: "extension" };
    case "CreatedbStmt": {
      const encoding = list(value.options).find((option) => String(inner(option).defname).toLowerCase() === "encoding");
      const argument = inner(encoding).arg;
      return { type: "create", keyword: "database", encoding: argument ? String(inner(argument).sval ?? inner(argument).ival ?? "") : undefined };
    }
    case "CreateTableSpaceStmt":
      return { type: "create", keyword: "tablespace" };
    case "DropTableSpaceStmt":
      return { type: "drop", keyword: "tablespace", name: [] };
    case "CreateSchemaStmt":
      return { type: "create", keyword: "schema" };
    case "CreateSeqStmt":
      return { type: "create", keyword: "sequence", sequence: [relation(value.sequence)] };
    case "ViewStmt":
      return { type: "create", keyword: "view" };
    case "CreateTrigStmt":
      return { type: "create", keyword: "trigger", table: [relation(value.relation)] };
    case "CreateFunctionStmt":
      return { type: "create", keyword: value.is_procedure ? "procedure" : "function" };
    case "DoStmt":
      return { type: "do" };
    default:
      return { type: kind.replace(/Stmt$/, "").toLowerCase() };
  }
}
