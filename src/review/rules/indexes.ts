// Index rules (category "index"): how indexes are created, dropped and shaped.
import { addedConstraint, alterActions, asArray, columnName, constraintType, createTableColumns, createTableConstraints, dataType, functionName, isCreateIndex, isCreateTable, isPrimaryKeyColumn, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule } from "../types.ts";
import { BOTH, MYSQL, POSTGRES, statementRule } from "./define.ts";

const LARGE_OBJECT_TYPES = /^(TINY|MEDIUM|LONG)?(BLOB|TEXT)$|^JSON$/;

/** Every index a statement creates, with its key parts as text. */
function createdIndexes(node: AstNode): Array<{ name: string; parts: string[] }> {
  const parts = (definition: unknown): string[] =>
    asArray(definition as AstNode[]).map((part) => (part.type === "function" ? `${functionName(part)}()` : columnName(part).toLowerCase()));
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
    description: "Two indexes with the same key parts in one statement.",
    advice: "Keep one of them.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) => {
      const seen = new Set<string>();
      const duplicates: string[] = [];
      for (const index of createdIndexes(node)) {
        const key = index.parts.join(",");
        if (seen.has(key)) duplicates.push(key);
        seen.add(key);
      }
      return duplicates.map((key) => ({ message: `Duplicate index on (${key}).` }));
    },
  }),
  statementRule({
    id: "index.max-columns",
    category: "index",
    engines: BOTH,
    description: "Index with more key parts than `maxIndexColumns`.",
    advice: "Index the most selective columns only.",
    defaults: { test: "warning", prod: "warning" },
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
    check: ({ node, options }) => {
      if (!isCreateTable(node)) return [];
      const allowed = new Set(options.primaryKeyTypes.map((type) => type.toUpperCase()));
      const types = new Map(createTableColumns(node).map((column) => [column.name.toLowerCase(), dataType(column.node.definition)]));
      const keyColumns = [
        ...createTableColumns(node).filter((column) => isPrimaryKeyColumn(column.node)).map((column) => column.name.toLowerCase()),
        ...createTableConstraints(node)
          .filter((constraint) => constraintType(constraint) === "primary key")
          .flatMap((constraint) => asArray(constraint.definition as AstNode[]).map((part) => columnName(part).toLowerCase())),
      ];
      return keyColumns
        .filter((column) => types.has(column) && !allowed.has(types.get(column)!))
        .map((column) => ({ message: `Primary-key column ${column} is ${types.get(column)}.` }));
    },
  }),
  statementRule({
    id: "index.mysql.blob-text",
    category: "index",
    engines: MYSQL,
    description: "BLOB/TEXT/JSON column in an index of a new table: needs a prefix length and indexes only that prefix.",
    advice: "Index a VARCHAR column, or a generated column holding a hash of the value.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) => {
      if (!isCreateTable(node)) return [];
      const types = new Map(createTableColumns(node).map((column) => [column.name.toLowerCase(), dataType(column.node.definition)]));
      return createdIndexes(node)
        .flatMap((index) => index.parts.filter((part) => LARGE_OBJECT_TYPES.test(types.get(part) ?? "")))
        .map((column) => ({ message: `Column ${column} (${types.get(column)}) is in an index.` }));
    },
  }),
  statementRule({
    id: "index.max-count",
    category: "index",
    engines: BOTH,
    description: "CREATE TABLE with more indexes than `maxIndexesPerTable`: every write maintains each one.",
    advice: "Drop indexes no query needs; combine overlapping ones.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, options }) => {
      if (!isCreateTable(node)) return [];
      const count = createdIndexes(node).length + createTableColumns(node).filter((column) => isPrimaryKeyColumn(column.node) || column.node.unique).length;
      return count > options.maxIndexesPerTable ? [{ message: `Table ${targetTable(node)} has ${count} indexes (max ${options.maxIndexesPerTable}).` }] : [];
    },
  }),
  statementRule({
    id: "index.column.duplicate",
    category: "index",
    engines: BOTH,
    description: "The same column appears twice in one index key.",
    advice: "List each column once.",
    defaults: { test: "error", prod: "error" },
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
    escalatesOnLargeTable: true,
    check: ({ node, isExistingTable }) => {
      if (node.type !== "alter" || !isExistingTable(targetTable(node))) return [];
      return alterActions(node)
        .map(addedConstraint)
        .filter((constraint): constraint is AstNode => constraint !== undefined && /primary|unique/.test(constraintType(constraint)))
        .map(() => ({ table: targetTable(node), message: `Constraint added to ${targetTable(node)} builds its index under an exclusive lock.` }));
    },
  }),
];
