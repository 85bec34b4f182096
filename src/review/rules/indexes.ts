// Index rules (category "index"): how indexes are created, dropped and shaped.
import { addedConstraint, alterActions, asArray, canonicalType, columnName, constraintType, createTableConstraints, functionName, isCreateIndex, isCreateTable, readOnce, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule, RuleHit } from "../types.ts";
import { BOTH, MYSQL, POSTGRES, statementRule } from "./define.ts";

const LARGE_OBJECT_TYPES = /^(TINY|MEDIUM|LONG)?(BLOB|TEXT)$|^JSON$/;

/** Every index a statement creates, with its key parts as text. */
const CREATED_INDEXES = Symbol("createdIndexes");

/** Indexes a statement creates with their key parts, read once per statement for the rules that count them. */
function createdIndexes(node: AstNode): Array<{ name: string; parts: string[] }> {
  return readOnce(node, CREATED_INDEXES, () => readCreatedIndexes(node));
}

/** Key parts as text: a column's lower-cased name, or `name()` for an expression. */
function parts(definition: unknown): string[] {
  return asArray(definition as AstNode[]).map((part) => (part.type === "function" ? `${functionName(part)}()` : columnName(part).toLowerCase()));
}

function readCreatedIndexes(node: AstNode): Array<{ name: string; parts: string[] }> {
  if (isCreateIndex(node)) return [{ name: String(node.index ?? ""), parts: parts(node.index_columns) }];
  const definitions = isCreateTable(node)
    ? createTableConstraints(node)
    : alterActions(node).map(addedConstraint).filter((constraint): constraint is AstNode => constraint !== undefined);
  return definitions
    .filter((definition) => !["foreign key", "check"].includes(constraintType(definition)))
    .map((definition) => ({ name: String(definition.index ?? definition.constraint ?? ""), parts: parts(definition.definition) }));
}

export const indexRules: ReviewRule[] = [
  statementRule({
    id: "index.pg.create-concurrently",
    category: "index",
    engines: POSTGRES,
    description: "CREATE INDEX on an existing table without CONCURRENTLY blocks writes for the whole build.",
    advice: "CREATE INDEX CONCURRENTLY (outside a transaction block).",
    defaults: { test: "warning", prod: "error" },
    on: ["create index"],
    escalatesOnLargeTable: true,
    check: ({ node, isExistingTable }) => {
      if (!isCreateIndex(node) || node.concurrently) return [];
      const table = targetTable(node);
      return isExistingTable(table) ? [{ table, message: `CREATE INDEX on ${table} without CONCURRENTLY.` }] : [];
    },
  }),
  statementRule({
    id: "index.duplicate",
    category: "index",
    engines: BOTH,
    description: "An index with the same key parts as another index of the table.",
    advice: "Keep one of them.",
    defaults: { test: "warning", prod: "error" },
    on: ["create table", "create index", "alter", "drop", "rename", "comment", "alter_index"],
    check: (ctx) => {
      const added = ctx.schema.addedIndexes();
      if (!added) return [];
      if (added.indexes.length === 0) return [];
      // An added index duplicates an index the table had, or one the statement added before it.
      const newIndexes = new Set(added.indexes);
      const seen = new Set(added.table.indexes.filter((index) => !newIndexes.has(index)).map((index) => index.columns.join(",")));
      const hits: RuleHit[] = [];
      for (const index of added.indexes) {
        const key = index.columns.join(",");
        if (seen.has(key)) hits.push({ message: `Index ${index.name} duplicates another index on (${index.columns.join(", ")}).` });
        seen.add(key);
      }
      return hits;
    },
  }),
  statementRule({
    id: "index.max-columns",
    category: "index",
    engines: BOTH,
    description: "Index with more key parts than `maxIndexColumns`.",
    advice: "Index the most selective columns only.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "create index", "alter constraint", "alter index", "alter key"],
    check: ({ node, options }) =>
      createdIndexes(node)
        .filter((index) => index.parts.length > options.maxIndexColumns)
        .map((index) => ({ message: `Index ${index.name || "(unnamed)"} has ${index.parts.length} columns (max ${options.maxIndexColumns}).` })),
  }),
  statementRule({
    id: "index.drop",
    category: "index",
    engines: BOTH,
    description: "Dropping an index can turn fast queries into full scans.",
    advice: "Check that no query depends on the index (e.g. make it invisible/unused first).",
    defaults: { test: "off", prod: "warning" },
    on: ["drop", "alter"],
    check: ({ node }) => {
      const dropped =
        (node.type === "drop" && node.keyword === "index") ||
        alterActions(node).some((action) => action.action === "drop" && ["index", "key"].includes(String(action.resource ?? action.keyword).toLowerCase()));
      return dropped ? [{ message: "An index is dropped." }] : [];
    },
  }),
  statementRule({
    id: "index.primary-key.type",
    category: "index",
    engines: BOTH,
    description: "Primary-key column of a type outside `primaryKeyTypes` (integers and UUID by default).",
    advice: "Use a BIGINT (or INT) surrogate key and put a unique index on the natural key.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "create index", "alter", "drop", "rename", "comment", "alter_index"],
    check: (ctx) => {
      const added = ctx.schema.addedIndexes();
      const key = added?.indexes.find((index) => index.kind === "primary");
      if (!added || !key) return [];
      const allowed = new Set(ctx.options.primaryKeyTypes.map(canonicalType));
      return key.columns
        .map((name) => added.table.columns.find((column) => column.name.toLowerCase() === name))
        .filter((column) => column !== undefined && !allowed.has(canonicalType(column.type)))
        .map((column) => ({ message: `Primary-key column ${column!.name} is ${column!.type}.` }));
    },
  }),
  statementRule({
    id: "index.mysql.blob-text",
    category: "index",
    engines: MYSQL,
    description: "BLOB/TEXT/JSON column in an index: it needs a prefix length and indexes only that prefix.",
    advice: "Index a VARCHAR column, or a generated column holding a hash of the value.",
    defaults: { test: "warning", prod: "error" },
    on: ["create table", "create index", "alter", "drop", "rename", "comment", "alter_index"],
    check: (ctx) => {
      const added = ctx.schema.addedIndexes();
      if (!added) return [];
      const types = new Map(added.table.columns.map((column) => [column.name.toLowerCase(), column.type]));
      return added.indexes
        .filter((index) => index.kind !== "fulltext")
        .flatMap((index) => index.columns.filter((part) => LARGE_OBJECT_TYPES.test(types.get(part) ?? "")))
        .map((column) => ({ message: `Column ${column} (${types.get(column)}) is in an index.` }));
    },
  }),
  statementRule({
    id: "index.max-count",
    category: "index",
    engines: BOTH,
    description: "A table with more indexes than `maxIndexesPerTable` (the primary key counts): every write maintains each one.",
    advice: "Drop indexes no query needs; combine overlapping ones.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "create index", "alter", "drop", "rename", "comment", "alter_index"],
    check: (ctx) => {
      const added = ctx.schema.addedIndexes();
      if (!added || added.indexes.length === 0) return [];
      const count = added.table.indexes.length;
      return count > ctx.options.maxIndexesPerTable ? [{ message: `Table ${added.table.name} has ${count} indexes (max ${ctx.options.maxIndexesPerTable}).` }] : [];
    },
  }),
  statementRule({
    id: "index.column.duplicate",
    category: "index",
    engines: BOTH,
    description: "The same column appears twice in one index key.",
    advice: "List each column once.",
    defaults: { test: "error", prod: "error" },
    on: ["create table", "create index", "alter constraint", "alter index", "alter key"],
    check: ({ node }) =>
      createdIndexes(node)
        .filter((index) => new Set(index.parts).size < index.parts.length)
        .map((index) => ({ message: `Index ${index.name || "(unnamed)"} repeats a column: (${index.parts.join(", ")}).` })),
  }),
  statementRule({
    id: "index.pg.drop-concurrently",
    category: "index",
    engines: POSTGRES,
    description: "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table.",
    advice: "DROP INDEX CONCURRENTLY (in a change of its own).",
    defaults: { test: "warning", prod: "error" },
    on: ["drop"],
    check: ({ node }) =>
      node.type === "drop" && node.keyword === "index" && String(node.prefix ?? "").toUpperCase() !== "CONCURRENTLY"
        ? [{ message: "DROP INDEX without CONCURRENTLY." }]
        : [],
  }),
  statementRule({
    id: "index.pg.constraint-concurrently",
    category: "index",
    engines: POSTGRES,
    description: "ADD PRIMARY KEY/UNIQUE on an existing table builds the index under an ACCESS EXCLUSIVE lock.",
    advice: "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter constraint", "alter index", "alter key"],
    escalatesOnLargeTable: true,
    check: ({ node, isExistingTable }) => {
      if (node.type !== "alter" || !isExistingTable(targetTable(node))) return [];
      return alterActions(node)
        .map(addedConstraint)
        .filter((constraint): constraint is AstNode => constraint !== undefined && /primary|unique/.test(constraintType(constraint)))
        .map(() => ({ table: targetTable(node), message: `Constraint added to ${targetTable(node)} builds its index under an exclusive lock.` }));
    },
  }),
  statementRule({
    id: "index.type-allow-list",
    category: "index",
    engines: MYSQL,
    description: "Index of a type outside `indexTypes` (BTREE and HASH by default; FULLTEXT and SPATIAL are the others).",
    advice: "Use an index type from the allowed list, or add the type to `indexTypes`.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "create index", "alter", "drop", "rename", "comment", "alter_index"],
    check: (ctx) => {
      if (ctx.options.indexTypes.length === 0) return [];
      const allowed = new Set(ctx.options.indexTypes.map((type) => type.toUpperCase()));
      return (ctx.schema.addedIndexes()?.indexes ?? [])
        .map((index) => (index.kind === "fulltext" || index.kind === "spatial" ? index.kind.toUpperCase() : (index.method ?? "BTREE")))
        .filter((type) => !allowed.has(type))
        .map((type) => ({ message: `Index type ${type} is not allowed (allowed: ${ctx.options.indexTypes.join(", ")}).` }));
    },
  }),
];
