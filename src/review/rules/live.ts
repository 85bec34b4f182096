// Rules that read the live database through a ReviewCatalog; skipped when no catalog is given.
import { asArray, columnName, dmlTargets, EMPTY, isCreateIndex, tableKey, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { CatalogContext, ReviewRule, RuleHit } from "../types.ts";
import { BOTH, catalogRule } from "./define.ts";

function splitName(name: string): { schema: string | undefined; table: string } {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? { schema: undefined, table: name } : { schema: name.slice(0, dot), table: name.slice(dot + 1) };
}

const DATA_CHANGES = new Set(["insert", "replace", "update", "delete"]);
const NO_TABLES: readonly string[] = EMPTY;

/** Tables a statement needs to exist already: DML targets, ALTER TABLE and CREATE INDEX targets. */
function referencedTables(node: AstNode): readonly string[] {
  if (DATA_CHANGES.has(node.type)) return dmlTargets(node);
  if ((node.type === "alter" && node.keyword !== "view") || isCreateIndex(node)) {
    const table = targetTable(node);
    return table ? [table] : NO_TABLES;
  }
  return NO_TABLES;
}

/** Columns a DML statement writes: INSERT's column list and UPDATE's SET targets. */
function writtenColumns(node: AstNode): string[] {
  if (node.type === "insert" || node.type === "replace") return asArray(node.columns).map(columnName);
  if (node.type === "update") return asArray(node.set as AstNode[]).map((assignment) => columnName(assignment.column ?? assignment));
  return [];
}

async function missingReferences(ctx: CatalogContext): Promise<RuleHit[]> {
  const hits: RuleHit[] = [];
  const tables = referencedTables(ctx.node);
  for (let i = 0; i < tables.length; i++) {
    const name = tables[i]!;
    if (!ctx.isExistingTable(name)) {
      hits.push(...unknownColumns(ctx, name));
      continue;
    }
    const { schema, table } = splitName(name);
    if (!(await ctx.catalog.tableExists(schema, table))) {
      hits.push({ message: `Table ${name} does not exist.` });
      continue;
    }
    if (ctx.change.alteredTables.has(tableKey(name))) continue;
    const written = writtenColumns(ctx.node).filter((column) => column !== "" && column !== "*");
    if (written.length === 0 || tables.length !== 1) continue;
    const known = new Set((await ctx.catalog.columnsOf(name)).map((column) => column.name.toLowerCase()));
    for (const column of written) {
      if (!known.has(column.toLowerCase())) hits.push({ message: `Column ${column} does not exist in ${name}.` });
    }
  }
  return hits;
}

/** Written columns missing from a table the change created, as the walk-through catalog has it. */
function unknownColumns(ctx: CatalogContext, name: string): RuleHit[] {
  const table = ctx.schema.before(name);
  if (!table?.complete) return [];
  const known = new Set(table.columns.map((column) => column.name.toLowerCase()));
  return writtenColumns(ctx.node)
    .filter((column) => column !== "" && column !== "*" && !known.has(column.toLowerCase()))
    .map((column) => ({ message: `Column ${column} does not exist in ${name}.` }));
}

export const liveRules: ReviewRule[] = [
  catalogRule({
    id: "statement.reference.exists",
    category: "statement",
    engines: BOTH,
    description: "The statement names a table or column that does not exist (checked against the live database).",
    advice: "Check the spelling and the target database.",
    defaults: { test: "warning", prod: "error" },
    check: missingReferences,
  }),
  catalogRule({
    id: "statement.affected-rows.max",
    category: "statement",
    engines: BOTH,
    description: "UPDATE/DELETE that the planner expects to touch more than `maxAffectedRows` rows.",
    advice: "Run it in batches, or get an approver to confirm the size.",
    defaults: { test: "off", prod: "warning" },
    check: async ({ node, statement, catalog, options, isExistingTable }) => {
      if (node.type !== "update" && node.type !== "delete") return [];
      if (!dmlTargets(node).every(isExistingTable)) return [];
      const rows = await catalog.estimateAffectedRows(statement.text);
      return rows !== undefined && rows > options.maxAffectedRows
        ? [{ message: `About ${rows} rows affected (max ${options.maxAffectedRows}).` }]
        : [];
    },
  }),
];
