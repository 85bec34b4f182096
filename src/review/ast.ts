// The one place that knows node-sql-parser's AST shapes for both dialects.
import type { AstNode } from "./parse.ts";
import { CONSTANT_ROW } from "./postgres-ast.ts";

export const DML_TYPES = new Set(["select", "insert", "replace", "update", "delete"]);
export const DDL_TYPES = new Set(["create", "alter", "drop", "truncate", "rename"]);

/** Column name from a column_ref (MySQL keeps a string, PostgreSQL `{ expr: { value } }`). */
export function columnName(ref: unknown): string {
  if (typeof ref === "string") return ref;
  if (!ref || typeof ref !== "object") return "";
  const node = ref as AstNode;
  if (node.type === "column_ref") return columnName(node.column);
  if (node.expr) return columnName(node.expr);
  if (typeof node.value === "string") return node.value;
  return "";
}

/** `schema.table` or `table`, as written. */
export function tableName(table: AstNode | null | undefined): string {
  if (!table) return "";
  const name = typeof table.table === "string" ? table.table : columnName(table.table);
  const schema = table.db ?? table.schema;
  return schema ? `${schema}.${name}` : name;
}

/** The table an ALTER/CREATE INDEX/CREATE TABLE/UPDATE... is about. */
export function targetTable(node: AstNode): string {
  const table = Array.isArray(node.table) ? node.table[0] : node.table;
  return tableName(table);
}

let lastTableName = "";
let lastTableKey = "";

/**
 * Lower-cased unqualified table name, the key for "created earlier in this change". The last answer is kept: the
 * rules and the walk-through ask for one statement's table many times over (~33,000 times a pass of the PostgreSQL
 * corpus), and the same key string each time is hashed once for the maps it is looked up in.
 */
export function tableKey(name: string): string {
  if (name === lastTableName) return lastTableKey;
  const dot = name.lastIndexOf(".");
  lastTableKey = (dot < 0 ? name : name.slice(dot + 1)).toLowerCase();
  lastTableName = name;
  return lastTableKey;
}

export function asArray<T>(value: T | T[] | null | undefined): T[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function functionName(node: AstNode): string {
  const name = node.name;
  if (typeof name === "string") return name.toLowerCase();
  const parts = asArray(name?.name as AstNode[]);
  return parts.map((part) => String(part.value)).join(".").toLowerCase();
}

/** Upper-cased data type with its suffixes, e.g. `INT UNSIGNED`. */
export function dataType(definition: AstNode | null | undefined): string {
  if (!definition) return "";
  return String(definition.dataType ?? "").toUpperCase();
}

const TYPE_SYNONYMS = new Map<string, string>(Object.entries({
  INTEGER: "INT",
  INT4: "INT",
  INT8: "BIGINT",
  INT2: "SMALLINT",
  SERIAL4: "SERIAL",
  SERIAL8: "BIGSERIAL",
  SERIAL2: "SMALLSERIAL",
  BOOL: "BOOLEAN",
  "CHARACTER VARYING": "VARCHAR",
  CHARACTER: "CHAR",
  DEC: "DECIMAL",
  FLOAT8: "DOUBLE PRECISION",
  FLOAT4: "REAL",
}));

/** One spelling per type, so `integer` and `INT` (or `int8` and `BIGINT`) compare equal. */
export function canonicalType(type: string): string {
  const upper = type.toUpperCase();
  return TYPE_SYNONYMS.get(upper) ?? upper;
}

/** Whether a data type carries that suffix (`UNSIGNED`, `ZEROFILL`, PostgreSQL's `WITH` of `WITH TIME ZONE`), in any case. */
export function hasTypeSuffix(definition: AstNode | null | undefined, suffix: string): boolean {
  const suffixes = definition?.suffix;
  if (suffixes === null || suffixes === undefined) return false;
  if (!Array.isArray(suffixes)) return String(suffixes).toUpperCase() === suffix;
  for (let i = 0; i < suffixes.length; i++) if (String(suffixes[i]).toUpperCase() === suffix) return true;
  return false;
}

/** UNSIGNED among a type's suffixes, or ZEROFILL, which implies UNSIGNED in MySQL. */
export function isUnsigned(definition: AstNode | null | undefined): boolean {
  return hasTypeSuffix(definition, "UNSIGNED") || hasTypeSuffix(definition, "ZEROFILL");
}

/** CREATE TABLE column definitions and ALTER TABLE ADD COLUMN / MODIFY / CHANGE clauses share this shape. */
export interface ColumnDefinition {
  name: string;
  node: AstNode;
  /** The definition's data type, as `dataType` reads it (many rules compare it). */
  type: string;
}

/**
 * The one empty list the review shares wherever a statement has none of something or a rule finds nothing, so the
 * common case allocates nothing. Readonly by type and never written. Not frozen: a frozen array has an elements kind of
 * its own, so every loop that also sees ordinary arrays became polymorphic, and a for-of over it was left unoptimized,
 * allocating an iterator result per step (~1.5 MB per review of the corpus).
 */
export const EMPTY: readonly never[] = [];

/** What a statement has none of. */
const NONE: readonly never[] = EMPTY;

/** CREATE TABLE's column definitions (read once per statement: the walk-through and many rules read them). */
export const createTableColumns: (node: AstNode) => readonly ColumnDefinition[] = readingOf(readCreateTableColumns);

function readCreateTableColumns(node: AstNode): readonly ColumnDefinition[] {
  const definitions = asArray(node.create_definitions as AstNode[]);
  let columns: ColumnDefinition[] | undefined;
  for (const definition of definitions) {
    if (definition.resource === "column") (columns ??= []).push(columnDefinition(definition));
  }
  return columns ?? NONE;
}

const columnDefinition = (node: AstNode): ColumnDefinition => ({ name: columnName(node.column), node, type: dataType(node.definition) });

/** CREATE TABLE's constraints and indexes (read once per statement). */
export const createTableConstraints: (node: AstNode) => readonly AstNode[] = readingOf(readCreateTableConstraints);

function readCreateTableConstraints(node: AstNode): readonly AstNode[] {
  const definitions = asArray(node.create_definitions as AstNode[]);
  let constraints: AstNode[] | undefined;
  for (const definition of definitions) {
    if (definition.resource === "constraint" || definition.resource === "index") (constraints ??= []).push(definition);
  }
  return constraints ?? NONE;
}

export function alterActions(node: AstNode): readonly AstNode[] {
  if (node.type !== "alter") return NONE;
  const actions = node.expr as AstNode[] | AstNode | null | undefined;
  if (Array.isArray(actions)) return actions;
  return actions === null || actions === undefined ? NONE : [actions];
}

/** The constraint or index an ALTER TABLE ADD clause adds (PostgreSQL nests it in create_definitions). */
export function addedConstraint(action: AstNode): AstNode | undefined {
  if (action.action !== "add") return undefined;
  if (action.resource === "constraint" || action.resource === "index" || action.resource === "key") {
    return (action.create_definitions as AstNode | undefined) ?? action;
  }
  return undefined;
}

export function isCreateTable(node: AstNode): boolean {
  return node.type === "create" && node.keyword === "table";
}

export function isCreateIndex(node: AstNode): boolean {
  return node.type === "create" && node.keyword === "index";
}

export function constraintType(constraint: AstNode): string {
  return String(constraint.constraint_type ?? constraint.keyword ?? "").toLowerCase();
}

export function hasDefault(column: AstNode): boolean {
  return Boolean(column.default_val);
}

export function isNotNull(column: AstNode): boolean {
  return column.nullable?.type === "not null";
}

export function isPrimaryKeyColumn(column: AstNode): boolean {
  return Boolean(column.primary_key) || column.unique === "primary key";
}

export function isAutoIncrement(column: AstNode): boolean {
  return Boolean(column.auto_increment);
}

/** Expression-level facts of a DML statement, gathered in one walk and shared by every rule. */
export interface ExpressionFacts {
  inListSizes: number[];
  likePatterns: string[];
  functionNames: string[];
  /** `SELECT *` (or `t.*`) anywhere in the statement. */
  selectsStar: boolean;
  orderByRandom: boolean;
}

const SKIPPED_KEYS = new Set(["loc", "_next"]);
/** Literals have nothing below them: the walks skip their fields (a large INSERT is mostly literals). */
const LITERAL_TYPES = new Set(["number", "single_quote_string", "double_quote_string", "string", "natural_string", "hex_string", "bit_string", "bool", "null", "param"]);

/** Whether a walk must look inside a value: an array, or a node that is not a literal (a bulk INSERT's shared empty row of constants has nothing below it). */
const holdsExpressions = (value: unknown): boolean =>
  value !== null && typeof value === "object" && value !== CONSTANT_ROW && !LITERAL_TYPES.has((value as AstNode).type);

export function expressionFacts(root: AstNode): ExpressionFacts {
  const facts: ExpressionFacts = {
    inListSizes: [],
    likePatterns: [],
    functionNames: [],
    selectsStar: false,
    orderByRandom: false,
  };
  // Literals are left out when their parent is read rather than pushed and popped: a bulk INSERT holds thousands.
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      // Indexed: a for-of here allocated an iterator result per item (~2 MB over the corpus).
      for (let i = 0; i < value.length; i++) if (holdsExpressions(value[i])) stack.push(value[i]);
      continue;
    }
    const node = value as AstNode;
    switch (node.type) {
      case "binary_expr": {
        const operator = String(node.operator).toUpperCase();
        if ((operator === "IN" || operator === "NOT IN") && node.right?.type === "expr_list") {
          facts.inListSizes.push(asArray(node.right.value).length);
        } else if (operator.endsWith("LIKE") && typeof node.right?.value === "string") {
          facts.likePatterns.push(node.right.value);
        }
        break;
      }
      case "function":
        facts.functionNames.push(functionName(node));
        break;
      case "select":
        if (node.columns === "*" || selectsStar(node.columns)) facts.selectsStar = true;
        break;
    }
    if (Array.isArray(node.orderby) && ordersByRandom(node.orderby)) facts.orderByRandom = true;
    for (const key in node) {
      const child = node[key];
      if (holdsExpressions(child) && !SKIPPED_KEYS.has(key)) stack.push(child);
    }
  }
  return facts;
}

/** A SELECT list with `*` or `t.*` in it. */
function selectsStar(columns: unknown): boolean {
  for (const column of asArray(columns as AstNode[])) if (column?.expr?.type === "column_ref" && columnName(column.expr) === "*") return true;
  return false;
}

/** ORDER BY RAND() / random(). */
function ordersByRandom(orderBy: AstNode[]): boolean {
  for (const order of orderBy) {
    const expr = order?.expr as AstNode | undefined;
    if (expr?.type !== "function") continue;
    const name = functionName(expr);
    if (name === "rand" || name === "random") return true;
  }
  return false;
}

/** Tables named by a DML statement's target (UPDATE/DELETE/INSERT). */
export function dmlTargets(node: AstNode): string[] {
  let targets = asArray(node.table as AstNode[]);
  // A DELETE without a target list deletes from the tables of its FROM.
  if (node.type === "delete" && targets.length === 0) targets = asArray(node.from as AstNode[]);
  const names: string[] = [];
  for (const target of targets) {
    const name = tableName(target);
    if (name) names.push(name);
  }
  return names;
}

const COMPARED_LITERALS = new Set(["number", "single_quote_string", "string", "bool"]);
const isLiteral = (side: AstNode | undefined): boolean => Boolean(side && COMPARED_LITERALS.has(String(side.type)));

/** A WHERE clause that is constant true (`1=1`, `true`, `1`), i.e. no filter at all. */
export function isConstantTrue(where: AstNode | null | undefined): boolean {
  if (!where) return false;
  if (where.type === "bool") return where.value === true;
  if (where.type === "number") return Number(where.value) !== 0;
  if (where.type === "binary_expr") {
    const operator = String(where.operator).toUpperCase();
    if (operator === "OR") return isConstantTrue(where.left) || isConstantTrue(where.right);
    if (operator === "AND") return isConstantTrue(where.left) && isConstantTrue(where.right);
    if (operator === "=" && isLiteral(where.left) && isLiteral(where.right)) return where.left.value === where.right.value;
  }
  return false;
}

/**
 * A value several rules (and the walk-through) read of one statement, computed once: the reader remembers the last
 * holder (a statement's node, or its view) and what it read of it. A review reads one statement at a time, so one entry
 * is enough; a second review interleaved at an await only recomputes. Nothing is written onto the AST, so nodes keep
 * the shape the mapping gave them (a symbol-keyed slot per reading made their shapes many, and every load of them slow).
 */
export function readingOf<H extends object, T>(read: (holder: H) => T): (holder: H) => T {
  let lastHolder: H | undefined;
  let lastValue: T | undefined;
  return (holder) => {
    if (holder !== lastHolder) {
      lastValue = read(holder);
      lastHolder = holder;
    }
    return lastValue as T;
  };
}

/** Columns a statement defines: CREATE TABLE columns and ALTER TABLE ADD/MODIFY/CHANGE COLUMN clauses (read once per statement, by many rules). */
export const definedColumns: (node: AstNode) => readonly ColumnDefinition[] = readingOf(readDefinedColumns);

function readDefinedColumns(node: AstNode): readonly ColumnDefinition[] {
  if (isCreateTable(node)) return createTableColumns(node);
  let columns: ColumnDefinition[] | undefined;
  for (const action of alterActions(node)) {
    if (action.resource === "column" && (action.action === "add" || action.action === "modify" || action.action === "change") && action.definition) {
      (columns ??= []).push(columnDefinition(action));
    }
  }
  return columns ?? NONE;
}

const SCOPE_PREFIX = /^@@(session\.|global\.)?/;

/** The variable a SET assignment sets, lower-cased, without `@@session.` / `@@global.`. */
export const settingName = (assignment: AstNode): string => String(assignment.left?.name ?? "").toLowerCase().replace(SCOPE_PREFIX, "");

/** SELECTs (the statement and every subquery) that read a table without a WHERE clause. */
export function unfilteredSelects(root: AstNode): number {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (!value || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    const node = value as AstNode;
    if (node.type === "select" && !node.where && readsTable(node)) count++;
    for (const key in node) if (key !== "loc" && node[key] && typeof node[key] === "object") stack.push(node[key]);
  }
  return count;
}

/** A SELECT with a table in its FROM list. */
function readsTable(select: AstNode): boolean {
  for (const from of asArray(select.from as AstNode[])) if (from?.table) return true;
  return false;
}

const NO_COMMENT: readonly string[] = EMPTY;

/** The text of a PostgreSQL COMMENT ON TABLE/COLUMN/... of the given kind (any kind when omitted); none for IS NULL. */
export function commentOn(node: AstNode, kind?: string): readonly string[] {
  if (node.type !== "comment" || (kind && node.target?.type !== kind)) return NO_COMMENT;
  const value = node.expr?.expr;
  return value && value.type !== "null" ? [String(value.value ?? "")] : NO_COMMENT;
}

/**
 * The FROM lists of a query or data change, each with the tables it joins: the statement's own (UPDATE's table list,
 * DELETE's FROM, INSERT ... SELECT's FROM) and those of the derived tables inside them.
 */
export function joinLists(node: AstNode): AstNode[][] {
  const lists: AstNode[][] = [];
  if (node.type === "select") addJoinList(lists, node.from);
  else if (node.type === "update") addJoinList(lists, node.table);
  else if (node.type === "delete") addJoinList(lists, node.from);
  else if ((node.type === "insert" || node.type === "replace") && node.values?.type === "select") addJoinList(lists, node.values.from);
  return lists;
}

/** A FROM list's tables, then those of the derived tables in it. */
function addJoinList(lists: AstNode[][], list: unknown): void {
  const items: AstNode[] = [];
  for (const item of asArray(list as AstNode[])) if (item && typeof item === "object") items.push(item);
  if (items.length === 0) return;
  lists.push(items);
  for (const item of items) if (item.expr?.ast?.type === "select") addJoinList(lists, item.expr.ast.from);
}
