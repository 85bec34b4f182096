// Index rules (category "index"): how indexes are created, dropped and shaped.
import { addedConstraint, alterActions, asArray, columnName, constraintType, createTableConstraints, functionName, isCreateIndex, isCreateTable, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule } from "../types.ts";
import { BOTH, POSTGRES, statementRule } from "./define.ts";

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
];
