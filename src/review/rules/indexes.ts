// Index rules (category "index"): how indexes are created, dropped and shaped.
import { addedConstraint, alterActions, asArray, canonicalType, columnName, constraintType, createTableConstraints, functionName, isCreateIndex, isCreateTable, readingOf, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import { typeChanged, type WalkColumn, type WalkIndex, type WalkTable } from "../walk-through.ts";
import type { ReviewRule, RuleHit } from "../types.ts";
import { BOTH, MYSQL, NO_HITS, POSTGRES, statementRule } from "./define.ts";
import { configuredSet } from "./configured.ts";

const LARGE_OBJECT_TYPES = /^(TINY|MEDIUM|LONG)?(BLOB|TEXT)$|^JSON$/;

/** An index a statement creates, with its key parts as text. */
interface CreatedIndex {
  name: string;
  parts: string[];
}

/** Indexes a statement creates with their key parts, read once per statement for the rules that count them. */
const createdIndexes: (node: AstNode) => readonly CreatedIndex[] = readingOf(readCreatedIndexes);

/** Key parts as text: a column's lower-cased name, or `name()` for an expression. */
function parts(definition: unknown): string[] {
  const found: string[] = [];
  for (const part of asArray(definition as AstNode[])) found.push(part.type === "function" ? `${functionName(part)}()` : columnName(part).toLowerCase());
  return found;
}

function readCreatedIndexes(node: AstNode): readonly CreatedIndex[] {
  if (isCreateIndex(node)) return [{ name: String(node.index ?? ""), parts: parts(node.index_columns) }];
  const found: CreatedIndex[] = [];
  if (isCreateTable(node)) {
    for (const definition of createTableConstraints(node)) addCreated(found, definition);
  } else {
    for (const action of alterActions(node)) {
      const definition = addedConstraint(action);
      if (definition) addCreated(found, definition);
    }
  }
  return found;
}

/** An index or a constraint that makes one (a foreign key or a CHECK makes none). */
function addCreated(found: CreatedIndex[], definition: AstNode): void {
  const type = constraintType(definition);
  if (type === "foreign key" || type === "check") return;
  found.push({ name: String(definition.index ?? definition.constraint ?? ""), parts: parts(definition.definition) });
}

/** Two indexes on the same key parts, in the same order. */
function sameKey(a: WalkIndex, b: WalkIndex): boolean {
  if (a.columns.length !== b.columns.length) return false;
  for (let i = 0; i < a.columns.length; i++) if (a.columns[i] !== b.columns[i]) return false;
  return true;
}

/** Whether the statement's `at`-th added index has the key of an index the table had, or of one the statement added before it. */
function duplicatesEarlier(table: WalkTable, added: readonly WalkIndex[], at: number): boolean {
  const index = added[at]!;
  for (const other of table.indexes) if (sameKey(other, index) && !added.includes(other)) return true;
  for (let i = 0; i < at; i++) if (sameKey(added[i]!, index)) return true;
  return false;
}

/** The table's column of that lower-cased name. */
function columnNamed(table: WalkTable, lowerCasedName: string): WalkColumn | undefined {
  for (const column of table.columns) if (column.name.toLowerCase() === lowerCasedName) return column;
  return undefined;
}

/** `primaryKeyTypes` in their canonical spelling. */
const allowedKeyTypes = configuredSet(canonicalType);

/** Whether one of an ALTER TABLE's clauses drops an index or key. */
function dropsIndex(node: AstNode): boolean {
  for (const action of alterActions(node)) {
    if (action.action !== "drop") continue;
    const dropped = String(action.resource ?? action.keyword).toLowerCase();
    if (dropped === "index" || dropped === "key") return true;
  }
  return false;
}

function primaryKey(indexes: readonly WalkIndex[]): WalkIndex | undefined {
  for (const index of indexes) if (index.kind === "primary") return index;
  return undefined;
}

/** Whether an index key names one part twice. */
function repeatsPart(parts: readonly string[]): boolean {
  for (let i = 1; i < parts.length; i++) if (parts.indexOf(parts[i]!) < i) return true;
  return false;
}

const PRIMARY_OR_UNIQUE = /primary|unique/;

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
      if (!isCreateIndex(node) || node.concurrently) return NO_HITS;
      const table = targetTable(node);
      return isExistingTable(table) ? [{ table, message: `CREATE INDEX on ${table} without CONCURRENTLY.` }] : NO_HITS;
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
      if (!added || added.indexes.length === 0) return NO_HITS;
      let hits: RuleHit[] | undefined;
      for (let i = 0; i < added.indexes.length; i++) {
        if (!duplicatesEarlier(added.table, added.indexes, i)) continue;
        const index = added.indexes[i]!;
        (hits ??= []).push({ message: `Index ${index.name} duplicates another index on (${index.columns.join(", ")}).` });
      }
      return hits ?? NO_HITS;
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
    check: ({ node, options }) => {
      let hits: RuleHit[] | undefined;
      for (const index of createdIndexes(node)) {
        if (index.parts.length > options.maxIndexColumns) {
          (hits ??= []).push({ message: `Index ${index.name || "(unnamed)"} has ${index.parts.length} columns (max ${options.maxIndexColumns}).` });
        }
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "index.drop",
    category: "index",
    engines: BOTH,
    description: "Dropping an index can turn fast queries into full scans.",
    advice: "Check that no query depends on the index (e.g. make it invisible/unused first).",
    defaults: { test: "off", prod: "warning" },
    on: ["drop", "alter"],
    check: ({ node }) => ((node.type === "drop" && node.keyword === "index") || dropsIndex(node) ? [{ message: "An index is dropped." }] : NO_HITS),
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
      if (!added) return NO_HITS;
      // A primary key the statement added, all its columns; or one whose column the statement gave another type, that column.
      const addedKey = primaryKey(added.indexes);
      const key = addedKey ?? primaryKey(added.retyped);
      if (!key) return NO_HITS;
      const before = addedKey ? undefined : ctx.schema.before(added.table.name);
      const allowed = allowedKeyTypes(ctx.options.primaryKeyTypes);
      let hits: RuleHit[] | undefined;
      for (const name of key.columns) {
        const column = columnNamed(added.table, name);
        if (!column || allowed.has(canonicalType(column.type))) continue;
        const was = before && columnNamed(before, name);
        if (was && !typeChanged(was, column)) continue;
        (hits ??= []).push({ message: `Primary-key column ${column.name} is ${column.type}.` });
      }
      return hits ?? NO_HITS;
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
      if (!added) return NO_HITS;
      // The indexes the statement added, and those holding a column it gave another type.
      if (added.indexes.length === 0 && added.retyped.length === 0) return NO_HITS;
      const judged = added.retyped.length === 0 ? added.indexes : [...added.indexes, ...added.retyped];
      let hits: RuleHit[] | undefined;
      for (const index of judged) {
        if (index.kind === "fulltext") continue;
        for (const part of index.columns) {
          const column = columnNamed(added.table, part);
          if (column && LARGE_OBJECT_TYPES.test(column.type)) (hits ??= []).push({ message: `Column ${part} (${column.type}) is in an index.` });
        }
      }
      return hits ?? NO_HITS;
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
      if (!added || added.indexes.length === 0) return NO_HITS;
      const count = added.table.indexes.length;
      return count > ctx.options.maxIndexesPerTable ? [{ message: `Table ${added.table.name} has ${count} indexes (max ${ctx.options.maxIndexesPerTable}).` }] : NO_HITS;
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
    check: ({ node }) => {
      let hits: RuleHit[] | undefined;
      for (const index of createdIndexes(node)) {
        if (repeatsPart(index.parts)) (hits ??= []).push({ message: `Index ${index.name || "(unnamed)"} repeats a column: (${index.parts.join(", ")}).` });
      }
      return hits ?? NO_HITS;
    },
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
        : NO_HITS,
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
      if (node.type !== "alter") return NO_HITS;
      const table = targetTable(node);
      if (!isExistingTable(table)) return NO_HITS;
      let hits: RuleHit[] | undefined;
      for (const action of alterActions(node)) {
        const constraint = addedConstraint(action);
        if (constraint && PRIMARY_OR_UNIQUE.test(constraintType(constraint))) {
          (hits ??= []).push({ table, message: `Constraint added to ${table} builds its index under an exclusive lock.` });
        }
      }
      return hits ?? NO_HITS;
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
      if (ctx.options.indexTypes.length === 0) return NO_HITS;
      const added = ctx.schema.addedIndexes();
      if (!added || added.indexes.length === 0) return NO_HITS;
      const allowed = new Set(ctx.options.indexTypes.map((type) => type.toUpperCase()));
      let hits: RuleHit[] | undefined;
      for (const index of added.indexes) {
        const type = index.kind === "fulltext" || index.kind === "spatial" ? index.kind.toUpperCase() : (index.method ?? "BTREE");
        if (!allowed.has(type)) (hits ??= []).push({ message: `Index type ${type} is not allowed (allowed: ${ctx.options.indexTypes.join(", ")}).` });
      }
      return hits ?? NO_HITS;
    },
  }),
];
