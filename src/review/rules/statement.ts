// Statement rules: what a DML or utility statement does, independent of the schema.
import { alterActions, asArray, columnName, DDL_TYPES, DML_TYPES, dmlTargets, isConstantTrue, isCreateTable, settingName, targetTable, unfilteredSelects } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ChangeContext, ChangeReader, ChangeStatement, ReaderHit, ReviewRule, RuleHit } from "../types.ts";
import { BOTH, changeRule, MYSQL, NO_HITS, POSTGRES, statementRule } from "./define.ts";

const isUpdateOrDelete = (node: AstNode): boolean => node.type === "update" || node.type === "delete";
const isInsert = (node: AstNode): boolean => node.type === "insert" || node.type === "replace";
const transactionAction = (node: AstNode): string =>
  node.type === "transaction" ? String(node.expr?.action?.value ?? "").toLowerCase() : "";

/** The SELECT of INSERT ... SELECT, or undefined. */
const insertSelect = (node: AstNode): AstNode | undefined => (isInsert(node) && node.values?.type === "select" ? node.values : undefined);

/** The WHERE clause of a data change: UPDATE/DELETE's own, or INSERT ... SELECT's. */
const dataChangeWhere = (node: AstNode): AstNode | undefined => (isUpdateOrDelete(node) ? node.where : insertSelect(node)?.where) ?? undefined;

/** The WHERE clause of a query or data change. */
const statementWhere = (node: AstNode): AstNode | undefined => (node.type === "select" ? node.where : dataChangeWhere(node)) ?? undefined;

const COMPARISONS = new Set(["=", "<>", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "LIKE", "NOT LIKE", "BETWEEN", "IS", "IS NOT"]);

/** Whether a binary expression of a WHERE tree, not inside a subquery, passes the test. */
function anyWhereExpression(where: AstNode | undefined, test: (expression: AstNode) => boolean): boolean {
  if (!where) return false;
  const stack: unknown[] = [where];
  while (stack.length > 0) {
    const value = stack.pop() as AstNode | undefined;
    if (!value || typeof value !== "object" || value.type === "select" || value.ast) continue;
    if (value.type === "binary_expr") {
      if (test(value)) return true;
      stack.push(value.left, value.right);
    } else if (Array.isArray(value.value)) {
      for (const item of value.value) stack.push(item);
    } else if (value.type === "unary_expr" || value.parentheses) {
      stack.push(value.expr);
    }
  }
  return false;
}

function referencesColumn(node: AstNode | undefined): boolean {
  if (!node || typeof node !== "object") return false;
  if (node.type === "column_ref") return true;
  if (node.type === "function") {
    for (const arg of asArray(node.args?.value as AstNode[])) if (referencesColumn(arg)) return true;
    return false;
  }
  if (node.type === "binary_expr") return referencesColumn(node.left) || referencesColumn(node.right);
  return false;
}

/** A comparison with a function or calculation over a column on one side. */
const comparesComputedColumn = (expression: AstNode): boolean =>
  COMPARISONS.has(String(expression.operator).toUpperCase()) && (isComputedColumn(expression.left) || isComputedColumn(expression.right));

const isComputedColumn = (side: AstNode | undefined): boolean => (side?.type === "function" || side?.type === "binary_expr") && referencesColumn(side);

const isOr = (expression: AstNode): boolean => String(expression.operator).toUpperCase() === "OR";

const EQUALITIES = new Set(["=", "<>", "!="]);
const comparesEqualToNull = (expression: AstNode): boolean =>
  EQUALITIES.has(String(expression.operator)) && (expression.right?.type === "null" || expression.left?.type === "null");

/** asArray(value).length, without making the array. */
const listLength = (value: unknown): number => (Array.isArray(value) ? value.length : value === null || value === undefined ? 0 : 1);

/** Tables in a FROM/USING list. */
function tableCount(list: unknown): number {
  let count = 0;
  for (const table of asArray(list as AstNode[])) if (table && typeof table === "object") count++;
  return count;
}

/** Tables a DML statement reads or writes together: its FROM/USING list and its JOINs. */
function joinedTables(node: AstNode): number {
  // SELECT lists only its FROM; a DML statement's own target is counted with its joins.
  if (node.type === "update") return tableCount(node.table) + tableCount(node.from);
  if (node.type === "delete") return tableCount(node.from);
  return tableCount(insertSelect(node)?.from ?? node.from);
}

/** The row count of LIMIT: `LIMIT n`, `LIMIT n OFFSET m`, or MySQL's `LIMIT offset, n`. */
const limitValue = (node: AstNode): number | undefined => {
  if (!node.limit) return undefined;
  const values = asArray(node.limit.value as AstNode[]);
  const value = node.limit.seperator === "," ? values[1] : values[0];
  return value?.type === "number" ? Number(value.value) : undefined;
};

/** Reports the first statement that `matches`, in a change of more than one statement (alone, it is harmless). */
function firstAmongSeveral(ctx: ChangeContext, matches: (statement: ChangeStatement) => boolean, message: string): ChangeReader {
  return new FirstAmongSeveral(ctx.statementCount, matches, message);
}

// The change rules' readers are classes, not objects of closures made per review: V8 keeps the optimized code of a closure
// only while one lives, so each review after a full collection compiled them again (see FindingList in review.ts).

class FirstAmongSeveral implements ChangeReader {
  private found = -1;

  constructor(
    private readonly statementCount: number,
    private readonly matches: (statement: ChangeStatement) => boolean,
    private readonly message: string,
  ) {}

  read(statement: ChangeStatement): void {
    if (this.found < 0 && this.statementCount >= 2 && this.matches(statement)) this.found = statement.ordinal;
  }

  finish(): readonly ReaderHit[] {
    return this.found < 0 ? NO_HITS : [{ ordinal: this.found, message: this.message }];
  }
}

const isNonTransactional = ({ statement, parsed }: ChangeStatement): boolean =>
  parsed.failure ? NON_TRANSACTIONAL.test(statement.text) : parsed.nodes.some(runsOutsideTransaction);

const addsEnumValue = ({ parsed }: ChangeStatement): boolean => parsed.nodes.some((node) => node.type === "alter_type" && node.addValue !== undefined);

/** The first DDL and the first data change of the change (SELECT is neither). */
class MixedDdlDml implements ChangeReader {
  private firstDdl = -1;
  private firstDml = -1;

  read({ ordinal, parsed }: ChangeStatement): void {
    for (const node of parsed.nodes) {
      if (this.firstDdl < 0 && DDL_TYPES.has(node.type)) this.firstDdl = ordinal;
      if (this.firstDml < 0 && DML_TYPES.has(node.type) && node.type !== "select") this.firstDml = ordinal;
    }
  }

  finish(): readonly ReaderHit[] {
    return this.firstDdl < 0 || this.firstDml < 0 ? NO_HITS : [{ ordinal: Math.max(this.firstDdl, this.firstDml), message: "The change mixes DDL and DML statements." }];
  }
}

/** Needs nothing from the statements: the count is known before the first. */
class StatementCount implements ChangeReader {
  constructor(
    private readonly statementCount: number,
    private readonly maxStatements: number,
  ) {}

  read(): void {}

  finish(): readonly ReaderHit[] {
    return this.statementCount > this.maxStatements
      ? [{ ordinal: this.maxStatements, message: `The change has ${this.statementCount} statements (max ${this.maxStatements}).` }]
      : NO_HITS;
  }
}

/** The second CREATE/ALTER TABLE statement on a table. */
class AlterMerge implements ChangeReader {
  private readonly seen = new Map<string, number>();
  private readonly hits: ReaderHit[] = [];

  read({ ordinal, parsed }: ChangeStatement): void {
    for (const node of parsed.nodes) {
      if (!(node.type === "alter" && node.keyword !== "view") && !isCreateTable(node)) continue;
      const table = targetTable(node).toLowerCase();
      if (!table) continue;
      const count = (this.seen.get(table) ?? 0) + 1;
      this.seen.set(table, count);
      if (count === 2) this.hits.push({ ordinal, message: `Table ${table} is altered by more than one statement.` });
    }
  }

  finish(): readonly ReaderHit[] {
    return this.hits;
  }
}

/** The first query or data change, unless a SET max_execution_time comes before it. */
class MaxExecutionTime implements ChangeReader {
  private settled = false;
  private hits: readonly ReaderHit[] = NO_HITS;

  read({ ordinal, parsed }: ChangeStatement): void {
    if (this.settled) return;
    if (parsed.nodes.some((node) => node.type === "set" && asArray(node.expr as AstNode[]).some((assignment) => settingName(assignment) === "max_execution_time"))) {
      this.settled = true;
    } else if (parsed.nodes.some((node) => DML_TYPES.has(node.type))) {
      this.settled = true;
      this.hits = [{ ordinal, message: "max_execution_time is not set before this statement." }];
    }
  }

  finish(): readonly ReaderHit[] {
    return this.hits;
  }
}

/** Whether any statement of the change is a SET ROLE. */
class SetRole implements ChangeReader {
  private setsRole = false;

  constructor(private readonly statementCount: number) {}

  read({ parsed }: ChangeStatement): void {
    this.setsRole ||= parsed.nodes.some((node) => node.type === "set_role");
  }

  finish(): readonly ReaderHit[] {
    return this.statementCount > 0 && !this.setsRole ? [{ ordinal: 0, message: "No SET ROLE in the change." }] : NO_HITS;
  }
}

function startsWithWildcard(patterns: readonly string[]): boolean {
  for (const pattern of patterns) if (pattern.startsWith("%")) return true;
  return false;
}

function truncateCascades(node: AstNode): boolean {
  for (const suffix of asArray(node.suffix as AstNode[])) if (String(suffix.value).toUpperCase() === "CASCADE") return true;
  return false;
}

/** A DROP whose CASCADE reads as the alias of a dropped name. */
function dropCascades(node: AstNode): boolean {
  for (const name of asArray(node.name as AstNode[])) if (String(name?.as ?? "").toUpperCase() === "CASCADE") return true;
  return false;
}

const NON_TRANSACTIONAL = /\bCONCURRENTLY\b|^\s*VACUUM\b/i;
/** PostgreSQL statements that refuse to run inside a transaction block. */
const runsOutsideTransaction = (node: AstNode): boolean =>
  node.type === "vacuum" ||
  node.type === "altersystem" ||
  Boolean(node.concurrently) ||
  (node.type === "drop" && String(node.prefix ?? "").toUpperCase() === "CONCURRENTLY") ||
  ((node.type === "create" || node.type === "drop") && ["database", "tablespace"].includes(String(node.keyword))) ||
  (node.type === "reindex" && ["database", "system"].includes(String(node.keyword)));

/** MySQL: an ALTER TABLE that does not state its ALGORITHM= or LOCK= clause (off by default). */
function alterClauseRule(spec: { id: string; description: string; advice: string; clause: "algorithm" | "lock" }): ReviewRule {
  const shown = spec.clause.toUpperCase();
  return statementRule({
    id: spec.id,
    category: "statement",
    engines: MYSQL,
    description: spec.description,
    advice: spec.advice,
    defaults: { test: "off", prod: "off" },
    on: ["alter"],
    check: ({ node }) =>
      node.type === "alter" && node.keyword !== "view" && targetTable(node) && !alterActions(node).some((action) => action.resource === spec.clause)
        ? [{ message: `ALTER TABLE ${targetTable(node)} without ${shown}=.` }]
        : NO_HITS,
  });
}

export const statementRules: ReviewRule[] = [
  {
    scope: "parse",
    id: "statement.parse",
    category: "statement",
    engines: BOTH,
    description: "The statement cannot be parsed, so no rule could check it: manual review required.",
    advice: "Have a reviewer read this statement; rewrite it in a form the reviewer understands if you can.",
    defaults: { test: "warning", prod: "error" },
  },
  statementRule({
    id: "statement.where.require",
    category: "statement",
    engines: BOTH,
    description: "UPDATE or DELETE without a WHERE clause touches every row.",
    advice: "Add a WHERE clause; to really empty a table, say so with TRUNCATE in a reviewed change.",
    defaults: { test: "warning", prod: "error" },
    on: ["update", "delete"],
    check: ({ node }) =>
      isUpdateOrDelete(node) && !node.where ? [{ message: `${node.type.toUpperCase()} on ${dmlTargets(node).join(", ")} has no WHERE clause.` }] : NO_HITS,
  }),
  statementRule({
    id: "statement.where.no-tautology",
    category: "statement",
    engines: BOTH,
    description: "UPDATE or DELETE whose WHERE is always true (e.g. WHERE 1=1) touches every row.",
    advice: "Filter on the rows you mean to change.",
    defaults: { test: "warning", prod: "error" },
    on: ["update", "delete"],
    check: ({ node }) =>
      isUpdateOrDelete(node) && isConstantTrue(node.where)
        ? [{ message: `${node.type.toUpperCase()} has a WHERE clause that is always true.` }]
        : NO_HITS,
  }),
  statementRule({
    id: "statement.select.no-star",
    category: "statement",
    engines: BOTH,
    description: "SELECT * (in a query, INSERT ... SELECT *, CREATE TABLE ... AS SELECT *) depends on column order and reads columns nobody needs.",
    advice: "List the columns explicitly.",
    defaults: { test: "warning", prod: "warning" },
    on: ["select", "insert", "replace", "update", "delete", "create"],
    check: (ctx) =>
      (DML_TYPES.has(ctx.node.type) || (ctx.node.type === "create" && (ctx.node.keyword !== "table" || ctx.node.query_expr))) && ctx.facts().selectsStar ? [{ message: "SELECT * used." }] : NO_HITS,
  }),
  statementRule({
    id: "statement.insert.column-list",
    category: "statement",
    engines: BOTH,
    description: "INSERT without a column list breaks when columns are added or reordered.",
    advice: "Name the target columns: INSERT INTO t (a, b) VALUES ...",
    defaults: { test: "warning", prod: "error" },
    on: ["insert", "replace"],
    check: ({ node }) =>
      isInsert(node) && listLength(node.columns) === 0 && node.set === undefined
        ? [{ message: `INSERT into ${targetTable(node)} has no column list.` }]
        : NO_HITS,
  }),
  statementRule({
    id: "statement.insert.max-rows",
    category: "statement",
    engines: BOTH,
    description: "INSERT ... VALUES with more rows than `maxInsertRows` in one statement.",
    advice: "Split the insert into batches, or load the data with a bulk-import tool.",
    defaults: { test: "warning", prod: "warning" },
    on: ["insert", "replace"],
    check: ({ node, options }) => {
      if (!isInsert(node) || node.values?.type !== "values") return NO_HITS;
      const rows = listLength(node.values.values);
      return rows > options.maxInsertRows
        ? [{ message: `INSERT has ${rows} rows in one VALUES list (max ${options.maxInsertRows}).` }]
        : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.where.max-in-list",
    category: "statement",
    engines: BOTH,
    description: "IN (...) list longer than `maxInListSize`.",
    advice: "Use a temporary table and a join, or split the change into batches.",
    defaults: { test: "warning", prod: "warning" },
    on: ["select", "insert", "replace", "update", "delete"],
    check: (ctx) => {
      if (!DML_TYPES.has(ctx.node.type)) return NO_HITS;
      let largest = 0;
      for (const size of ctx.facts().inListSizes) if (size > largest) largest = size;
      const { options } = ctx;
      return largest > options.maxInListSize
        ? [{ message: `IN list has ${largest} values (max ${options.maxInListSize}).` }]
        : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.where.no-leading-wildcard",
    category: "statement",
    engines: BOTH,
    description: "LIKE '%...' cannot use an index and scans the whole table.",
    advice: "Anchor the pattern at the start, or use a full-text index.",
    defaults: { test: "warning", prod: "warning" },
    on: ["select", "insert", "replace", "update", "delete"],
    check: (ctx) =>
      DML_TYPES.has(ctx.node.type) && startsWithWildcard(ctx.facts().likePatterns)
        ? [{ message: "LIKE pattern starts with a wildcard." }]
        : NO_HITS,
  }),
  statementRule({
    id: "statement.order-by-random",
    category: "statement",
    engines: BOTH,
    description: "ORDER BY RAND()/random() sorts the whole result.",
    advice: "Pick rows by key ranges or a sampled id instead.",
    defaults: { test: "warning", prod: "warning" },
    on: ["select", "insert", "replace", "update", "delete"],
    check: (ctx) =>
      DML_TYPES.has(ctx.node.type) && ctx.facts().orderByRandom ? [{ message: "ORDER BY a random function." }] : NO_HITS,
  }),
  statementRule({
    id: "statement.dml.no-limit",
    category: "statement",
    engines: MYSQL,
    description: "UPDATE/DELETE/INSERT ... SELECT with LIMIT changes an unpredictable set of rows and is unsafe for replication.",
    advice: "Select the rows by key in the WHERE clause.",
    defaults: { test: "warning", prod: "error" },
    on: ["update", "delete", "insert", "replace"],
    check: ({ node }) => {
      const target = isUpdateOrDelete(node) ? node : insertSelect(node);
      return target && listLength(target.limit?.value) > 0 ? [{ message: `${node.type.toUpperCase()} uses LIMIT.` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.dml.no-order-by",
    category: "statement",
    engines: MYSQL,
    description: "UPDATE/DELETE with ORDER BY sorts rows for nothing, or hides a LIMIT-based batch.",
    advice: "Remove ORDER BY; select rows by key in the WHERE clause.",
    defaults: { test: "warning", prod: "warning" },
    on: ["update", "delete"],
    check: ({ node }) =>
      isUpdateOrDelete(node) && listLength(node.orderby) > 0
        ? [{ message: `${node.type.toUpperCase()} uses ORDER BY.` }]
        : NO_HITS,
  }),
  statementRule({
    id: "statement.transaction.no-control",
    category: "statement",
    engines: BOTH,
    description: "BEGIN/COMMIT/ROLLBACK inside a change fights the transaction Sluice runs it in.",
    advice: "Remove transaction control; Sluice decides how the change is committed.",
    defaults: { test: "warning", prod: "error" },
    on: ["transaction"],
    check: ({ node }) => {
      const action = transactionAction(node);
      return action ? [{ message: `${action.toUpperCase()} inside a change.` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.lock-tables",
    category: "statement",
    engines: BOTH,
    description: "LOCK TABLE(S) blocks other sessions for the rest of the change.",
    advice: "Rely on row locks taken by the statements themselves.",
    defaults: { test: "warning", prod: "error" },
    on: ["lock"],
    check: ({ node }) => (node.type === "lock" ? [{ message: "Explicit table lock." }] : NO_HITS),
  }),
  statementRule({
    id: "statement.grant",
    category: "statement",
    engines: BOTH,
    description: "GRANT/REVOKE changes privileges: an access change, not a schema change.",
    advice: "Request privilege changes through your access process.",
    defaults: { test: "warning", prod: "error" },
    on: ["grant", "revoke"],
    check: ({ node }) => (node.type === "grant" || node.type === "revoke" ? [{ message: "Privilege change in a change." }] : NO_HITS),
  }),
  statementRule({
    id: "statement.account",
    category: "statement",
    engines: BOTH,
    description: "CREATE/ALTER/DROP USER or ROLE inside a change.",
    advice: "Manage accounts through your access process.",
    defaults: { test: "warning", prod: "error" },
    on: ["account", "create user", "create role"],
    check: ({ node }) =>
      node.type === "account" || (node.type === "create" && (node.keyword === "user" || node.keyword === "role"))
        ? [{ message: "Account management in a change." }]
        : NO_HITS,
  }),
  changeRule({
    id: "statement.ddl-dml.mixed",
    category: "statement",
    engines: BOTH,
    description: "A change that mixes schema changes (DDL) and data changes (DML).",
    advice: "Split it into a schema change and a data change; they roll back differently.",
    defaults: { test: "warning", prod: "error" },
    reader: () => new MixedDdlDml(),
  }),
  changeRule({
    id: "statement.max-count",
    category: "statement",
    engines: BOTH,
    description: "A change with more statements than `maxStatements`.",
    advice: "Split the change; a reviewer cannot really read that many statements.",
    defaults: { test: "warning", prod: "error" },
    reader: ({ statementCount, options }) => new StatementCount(statementCount, options.maxStatements),
  }),
  changeRule({
    id: "statement.alter.merge",
    category: "statement",
    engines: BOTH,
    description: "Several CREATE/ALTER TABLE statements on the same table: each ALTER may rebuild or lock it.",
    advice: "Merge them into one ALTER TABLE with several clauses.",
    defaults: { test: "warning", prod: "warning" },
    reader: () => new AlterMerge(),
  }),
  statementRule({
    id: "statement.dynamic-sql",
    category: "statement",
    engines: MYSQL,
    description: "PREPARE ... FROM runs SQL built at run time, which no rule can check.",
    advice: "Write the statements out in the change; have a reviewer read the SQL the variable holds.",
    defaults: { test: "warning", prod: "error" },
    on: ["prepare"],
    check: ({ node }) => (node.type === "prepare" ? [{ message: `PREPARE ${node.name} FROM ${String(node.source).slice(0, 60)}: dynamic SQL is not reviewed.` }] : NO_HITS),
  }),
  statementRule({
    id: "statement.insert.select-where",
    category: "statement",
    engines: BOTH,
    description: "INSERT ... SELECT without a WHERE clause copies every row of the source.",
    advice: "Add a WHERE clause that selects the rows you mean to copy, or copy in batches.",
    defaults: { test: "warning", prod: "warning" },
    on: ["insert", "replace"],
    check: ({ node }) => {
      const select = insertSelect(node);
      return select && listLength(select.from) > 0 && !select.where ? [{ message: `INSERT into ${targetTable(node)} copies every row of its SELECT.` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.insert.on-duplicate-key",
    category: "statement",
    engines: MYSQL,
    description: "INSERT ... ON DUPLICATE KEY UPDATE: updates rows it happens to collide with, and logs unsafely with several unique keys.",
    advice: "Update the existing rows explicitly, then insert the new ones.",
    defaults: { test: "off", prod: "warning" },
    on: ["insert", "replace"],
    check: ({ node }) => (isInsert(node) && node.on_duplicate_update ? [{ message: `INSERT into ${targetTable(node)} uses ON DUPLICATE KEY UPDATE.` }] : NO_HITS),
  }),
  statementRule({
    id: "statement.insert.ignore",
    category: "statement",
    engines: MYSQL,
    description: "INSERT IGNORE turns errors (duplicates, bad values, truncation) into warnings and silently skips or changes rows.",
    advice: "Insert without IGNORE and handle conflicts explicitly.",
    defaults: { test: "warning", prod: "error" },
    on: ["insert", "replace"],
    check: ({ node }) =>
      isInsert(node) && /\bignore\b/i.test(String(node.prefix ?? "")) ? [{ message: `INSERT IGNORE into ${targetTable(node)}.` }] : NO_HITS,
  }),
  statementRule({
    id: "statement.replace",
    category: "statement",
    engines: MYSQL,
    description: "REPLACE deletes and re-inserts colliding rows: delete triggers and ON DELETE CASCADE fire, auto-increment ids change.",
    advice: "Use INSERT plus UPDATE (or ON DUPLICATE KEY UPDATE) instead.",
    defaults: { test: "warning", prod: "error" },
    on: ["replace"],
    check: ({ node }) => (node.type === "replace" ? [{ message: `REPLACE into ${targetTable(node)}.` }] : NO_HITS),
  }),
  statementRule({
    id: "statement.dml.join",
    category: "statement",
    engines: BOTH,
    description: "UPDATE or DELETE joined to other tables (JOIN, FROM, USING): easy to touch more rows than meant.",
    advice: "Select the target keys first (or in a subquery) and change the rows by key.",
    defaults: { test: "warning", prod: "warning" },
    on: ["update", "delete"],
    check: ({ node }) =>
      isUpdateOrDelete(node) && joinedTables(node) > 1 ? [{ message: `${node.type.toUpperCase()} joins ${joinedTables(node)} tables.` }] : NO_HITS,
  }),
  statementRule({
    id: "statement.dml.limit-without-order-by",
    category: "statement",
    engines: MYSQL,
    description: "UPDATE/DELETE/INSERT ... SELECT with LIMIT but no ORDER BY picks rows in an undefined order (and differs on replicas).",
    advice: "Add ORDER BY on a unique key, or select the rows by key.",
    defaults: { test: "warning", prod: "error" },
    on: ["update", "delete", "insert", "replace"],
    check: ({ node }) => {
      const target = isUpdateOrDelete(node) ? node : insertSelect(node);
      return target && limitValue(target) !== undefined && listLength(target.orderby) === 0
        ? [{ message: `${node.type.toUpperCase()} has LIMIT without ORDER BY.` }]
        : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.where.function-on-column",
    category: "statement",
    engines: BOTH,
    description: "A function or calculation applied to a column in WHERE (e.g. DATE(created_at) = ...) keeps the column's index from being used.",
    advice: "Compare the bare column to a computed value, e.g. created_at >= '2024-01-01' AND created_at < '2024-01-02'.",
    defaults: { test: "warning", prod: "warning" },
    on: ["select", "insert", "replace", "update", "delete"],
    check: ({ node }) =>
      anyWhereExpression(statementWhere(node), comparesComputedColumn) ? [{ message: "WHERE applies a function or calculation to a column." }] : NO_HITS,
  }),
  statementRule({
    id: "statement.where.or",
    category: "statement",
    engines: BOTH,
    description: "OR in the WHERE of a data change: often wider than meant, and often prevents index use.",
    advice: "Use IN (...) on one column, or split the change into statements with one condition each.",
    defaults: { test: "off", prod: "warning" },
    on: ["update", "delete", "insert", "replace"],
    check: ({ node }) =>
      anyWhereExpression(dataChangeWhere(node), isOr)
        ? [{ message: `${node.type.toUpperCase()} has OR in its WHERE clause.` }]
        : NO_HITS,
  }),
  statementRule({
    id: "statement.where.equal-null",
    category: "statement",
    engines: BOTH,
    description: "`= NULL` / `<> NULL` is never true: the statement matches no rows.",
    advice: "Use IS NULL / IS NOT NULL.",
    defaults: { test: "error", prod: "error" },
    on: ["select", "insert", "replace", "update", "delete"],
    check: ({ node }) =>
      anyWhereExpression(statementWhere(node), comparesEqualToNull)
        ? [{ message: "Comparison with NULL using = or <>." }]
        : NO_HITS,
  }),
  statementRule({
    id: "statement.sysdate",
    category: "statement",
    engines: MYSQL,
    description: "SYSDATE() returns the time it is evaluated, not the statement's start: each row and each replica can differ.",
    advice: "Use NOW() (or CURRENT_TIMESTAMP).",
    defaults: { test: "warning", prod: "error" },
    on: ["select", "insert", "replace", "update", "delete", "set"],
    check: (ctx) =>
      (DML_TYPES.has(ctx.node.type) || ctx.node.type === "set") && ctx.facts().functionNames.includes("sysdate") ? [{ message: "SYSDATE() used." }] : NO_HITS,
  }),
  statementRule({
    id: "statement.limit.max",
    category: "statement",
    engines: BOTH,
    description: "LIMIT larger than `maxLimitValue` in a query or data change.",
    advice: "Read or change rows in smaller batches.",
    defaults: { test: "off", prod: "warning" },
    on: ["select", "insert", "replace", "update", "delete"],
    check: ({ node, options }) => {
      const target = isUpdateOrDelete(node) || node.type === "select" ? node : insertSelect(node);
      const limit = target ? limitValue(target) : undefined;
      return limit !== undefined && limit > options.maxLimitValue ? [{ message: `LIMIT ${limit} (max ${options.maxLimitValue}).` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.join.max-tables",
    category: "statement",
    engines: BOTH,
    description: "A query or data change that joins more than `maxJoinTables` tables.",
    advice: "Collect the keys in a simpler query first.",
    defaults: { test: "warning", prod: "warning" },
    on: ["select", "insert", "replace", "update", "delete"],
    check: ({ node, options }) => {
      if (!DML_TYPES.has(node.type)) return NO_HITS;
      const tables = joinedTables(node);
      return tables > options.maxJoinTables ? [{ message: `${tables} tables joined (max ${options.maxJoinTables}).` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.pg.cascade",
    category: "statement",
    engines: POSTGRES,
    description: "DROP ... CASCADE / TRUNCATE ... CASCADE also drops or empties every dependent object.",
    advice: "Drop or truncate the dependent objects explicitly, so the change says what it removes.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter", "drop", "truncate"],
    check: ({ node }) => {
      const cascades = node.cascade === true || (node.type === "truncate" && truncateCascades(node)) || (node.type === "drop" && dropCascades(node));
      return cascades ? [{ message: `${String(node.type).toUpperCase()} ... CASCADE.` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "statement.create-table-as",
    category: "statement",
    engines: BOTH,
    description: "CREATE TABLE ... AS SELECT copies data without keys or constraints (and is unsafe with MySQL GTID replication).",
    advice: "CREATE TABLE with its columns and keys, then INSERT ... SELECT.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table"],
    check: ({ node }) => (isCreateTable(node) && node.query_expr ? [{ message: `CREATE TABLE ${targetTable(node)} AS SELECT.` }] : NO_HITS),
  }),
  alterClauseRule({
    id: "statement.mysql.alter-algorithm",
    description: "ALTER TABLE without ALGORITHM=INSTANT/INPLACE: MySQL silently falls back to copying.",
    advice: "Add ALGORITHM=INSTANT (or INPLACE) so the statement fails instead of copying the table.",
    clause: "algorithm",
  }),
  alterClauseRule({
    id: "statement.mysql.alter-lock",
    description: "ALTER TABLE without LOCK=NONE: MySQL may block writes without saying so.",
    advice: "Add LOCK=NONE so the statement fails instead of blocking writes.",
    clause: "lock",
  }),
  changeRule({
    id: "statement.pg.non-transactional",
    category: "statement",
    engines: POSTGRES,
    description: "CONCURRENTLY or VACUUM in a change with other statements: the whole change then runs without a transaction, and a failure leaves it half done.",
    advice: "Put the CONCURRENTLY/VACUUM statement in a change of its own.",
    defaults: { test: "warning", prod: "warning" },
    reader: (ctx) =>
      firstAmongSeveral(ctx, isNonTransactional, "This statement cannot run in a transaction, so none of the change's statements will."),
  }),
  changeRule({
    id: "statement.pg.enum-add-value",
    category: "statement",
    engines: POSTGRES,
    description: "ALTER TYPE ... ADD VALUE with other statements: the new value cannot be used before the transaction commits.",
    advice: "Add enum values in a change of their own, before the change that uses them.",
    defaults: { test: "warning", prod: "warning" },
    reader: (ctx) =>
      firstAmongSeveral(ctx, addsEnumValue, "ALTER TYPE ... ADD VALUE runs in one transaction with other statements."),
  }),
  statementRule({
    id: "statement.where.require.select",
    category: "statement",
    engines: BOTH,
    description: "SELECT ... FROM without a WHERE clause (a subquery's too) reads every row.",
    advice: "Filter on the rows you need.",
    defaults: { test: "off", prod: "off" },
    on: ["select"],
    check: ({ node }) => (node.type === "select" && unfilteredSelects(node) > 0 ? [{ message: "SELECT without a WHERE clause." }] : NO_HITS),
  }),
  changeRule({
    id: "statement.mysql.max-execution-time",
    category: "statement",
    engines: MYSQL,
    description: "Queries and data changes that run before the change sets max_execution_time: nothing stops a runaway one.",
    advice: "Start the change with SET max_execution_time = <ms>.",
    defaults: { test: "off", prod: "off" },
    reader: () => new MaxExecutionTime(),
  }),
  changeRule({
    id: "statement.pg.set-role",
    category: "statement",
    engines: POSTGRES,
    description: "A change that does not start with SET ROLE: objects it creates belong to Sluice's connection user.",
    advice: "Begin the change with SET ROLE <owner>.",
    defaults: { test: "off", prod: "off" },
    reader: ({ statementCount }) => new SetRole(statementCount),
  }),
  statementRule({
    id: "statement.pg.add-column-with-default",
    category: "statement",
    engines: POSTGRES,
    description: "ADD COLUMN ... DEFAULT: before PostgreSQL 11, and with any volatile default, it rewrites the table under an exclusive lock.",
    advice: "Add the column without a default, then SET DEFAULT and backfill in batches.",
    defaults: { test: "off", prod: "off" },
    on: ["alter"],
    check: ({ node }) => {
      let hits: RuleHit[] | undefined;
      for (const action of alterActions(node)) {
        if (action.action === "add" && action.resource === "column" && action.default_val) {
          (hits ??= []).push({ message: `Column ${columnName(action.column)} is added with a DEFAULT.` });
        }
      }
      return hits ?? NO_HITS;
    },
  }),
];
