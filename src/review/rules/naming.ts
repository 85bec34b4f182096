// Naming rules: identifiers follow the configured patterns and fit the engine's length limit.
import { addedConstraint, alterActions, asArray, columnName, constraintType, createTableConstraints, definedColumns, isAutoIncrement, isCreateIndex, isCreateTable, readOnce, tableName, targetTable } from "../ast.ts";
import { RESERVED_WORDS } from "../reserved-words.ts";
import { longIdentifiers } from "../postgres-ast.ts";
import { indexParts } from "../walk-through.ts";
import type { EngineName } from "../../engines/engine.ts";
import type { ReviewOptions } from "../config.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { BOTH, MYSQL, POSTGRES, statementRule } from "./define.ts";

type IndexKind = "index" | "unique" | "foreign key" | "primary key";

/** A named index or constraint a statement creates or renames, with what naming templates refer to. */
interface NamedIndex {
  kind: IndexKind;
  name: string;
  table: string;
  columns: string[];
  referencedTable?: string;
  referencedColumns?: string[];
}

function kindOf(definition: AstNode): IndexKind | undefined {
  const type = `${constraintType(definition)} ${String(definition.keyword ?? "")}`;
  if (type.includes("foreign")) return "foreign key";
  if (type.includes("unique")) return "unique";
  if (type.includes("primary")) return "primary key";
  if (type.includes("check")) return undefined;
  return "index";
}

const NAMED_INDEXES = Symbol("namedIndexes");

/** Named indexes and constraints a statement creates, and indexes it renames: read once per statement for the naming rules. */
function namedIndexes(ctx: StatementContext): NamedIndex[] {
  return readOnce(ctx, NAMED_INDEXES, () => readNamedIndexes(ctx));
}

/** Named indexes and constraints a statement creates, and indexes it renames (read from the walk-through catalog). */
function readNamedIndexes(ctx: StatementContext): NamedIndex[] {
  const { node } = ctx;
  if (!isCreateTable(node) && !isCreateIndex(node) && node.type !== "alter" && node.type !== "alter_index") return [];
  const table = unqualified(targetTable(node));
  if (isCreateIndex(node)) {
    return node.index
      ? [{ kind: String(node.index_type).toLowerCase() === "unique" ? "unique" : "index", name: String(node.index), table, columns: indexParts(node.index_columns) }]
      : [];
  }
  const definitions = isCreateTable(node)
    ? createTableConstraints(node)
    : alterActions(node).map(addedConstraint).filter((definition): definition is AstNode => definition !== undefined);
  const created = definitions.flatMap((definition): NamedIndex[] => {
    const kind = kindOf(definition);
    const name = definition.constraint ?? definition.index;
    if (!kind || !name) return [];
    const reference = definition.reference_definition as AstNode | undefined;
    return [{
      kind,
      name: String(name),
      table,
      columns: indexParts(definition.definition),
      referencedTable: reference ? unqualified(tableName(asArray(reference.table as AstNode[])[0])) : undefined,
      referencedColumns: reference ? indexParts(reference.definition) : undefined,
    }];
  });
  return [...created, ...renamedIndexes(ctx)];
}

/** ALTER TABLE ... RENAME INDEX and PostgreSQL's ALTER INDEX ... RENAME TO, with the renamed index's kind and columns. */
function renamedIndexes(ctx: StatementContext): NamedIndex[] {
  const renames =
    ctx.node.type === "alter_index"
      ? [{ to: String(ctx.node.rename) }]
      : alterActions(ctx.node).filter((action) => action.action === "rename" && action.resource === "index").map((action) => ({ to: String(action.new_index) }));
  return renames.flatMap(({ to }) => {
    const found = ctx.schema.findIndex(to);
    if (!found) return [];
    const kind: IndexKind = found.index.kind === "unique" ? "unique" : found.index.kind === "primary" ? "primary key" : "index";
    return [{ kind, name: to, table: found.table, columns: found.index.columns }];
  });
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Bytebase-style templates in a naming pattern: `{{table}}`, `{{column_list}}`, `{{referencing_table}}`... */
function expand(pattern: string, index: NamedIndex): string {
  if (!pattern.includes("{{")) return pattern;
  const values: Record<string, string | undefined> = {
    table: index.table,
    column_list: index.columns.join("_"),
    referencing_table: index.table,
    referencing_column: index.columns.join("_"),
    referenced_table: index.referencedTable,
    referenced_column: index.referencedColumns?.join("_"),
  };
  return pattern.replace(/\{\{(\w+)\}\}/g, (match, key: string) => (values[key] === undefined ? match : escapeRegExp(values[key]!)));
}

const unqualified = (name: string): string => name.slice(name.lastIndexOf(".") + 1);

const NEW_TABLE_NAMES = Symbol("newTableNames");
const NEW_COLUMN_NAMES = Symbol("newColumnNames");

/** Tables a statement names (read once per statement: several naming rules read them). */
const newTableNames = (node: AstNode): string[] => readOnce(node, NEW_TABLE_NAMES, () => readNewTableNames(node));

/** Columns a statement names (read once per statement: several naming rules read them). */
const newColumnNames = (node: AstNode): string[] => readOnce(node, NEW_COLUMN_NAMES, () => readNewColumnNames(node));

/** Tables a statement names: CREATE TABLE, ALTER TABLE ... RENAME TO, RENAME TABLE. */
function readNewTableNames(node: AstNode): string[] {
  if (isCreateTable(node)) return [unqualified(targetTable(node))];
  if (node.type === "rename") return asArray(node.table as AstNode[][]).map((pair) => String(pair[1]?.table ?? ""));
  return alterActions(node)
    .filter((action) => action.action === "rename" && action.resource === "table")
    .map((action) => String(action.table));
}

function readNewColumnNames(node: AstNode): string[] {
  return [
    ...definedColumns(node).map((column) => column.name),
    ...alterActions(node).filter((action) => action.action === "rename" && action.resource === "column").map((action) => columnName(action.column)),
  ];
}

const patternCache = new Map<string, RegExp>();
const compiled = (pattern: string): RegExp => {
  let regexp = patternCache.get(pattern);
  if (!regexp) patternCache.set(pattern, (regexp = new RegExp(pattern)));
  return regexp;
};

function namingRule(
  id: string,
  what: string,
  option: keyof Pick<ReviewOptions, "namingTable" | "namingColumn">,
  names: (node: AstNode) => string[],
) {
  return statementRule({
    id,
    category: "naming",
    engines: BOTH,
    description: `${what} name does not match the \`${option}\` pattern.`,
    advice: `Rename the ${what.toLowerCase()} to match the pattern in sluice.yml's review options.`,
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter", "rename"],
    check: (ctx: StatementContext): RuleHit[] =>
      names(ctx.node)
        .filter((name) => name !== "" && !compiled(ctx.options[option]).test(name))
        .map((name) => ({ message: `${what} name ${name} does not match ${ctx.options[option]}.` })),
  });
}

type IndexNamingOption = keyof Pick<ReviewOptions, "namingIndex" | "namingUnique" | "namingForeignKey" | "namingPrimaryKey">;

/** An index-naming rule; its pattern may use Bytebase-style templates. */
function indexNamingRule(spec: { id: string; what: string; kind: IndexKind; option: IndexNamingOption; engines?: readonly EngineName[]; defaults?: ReviewRule["defaults"] }) {
  return statementRule({
    id: spec.id,
    category: "naming",
    engines: spec.engines ?? BOTH,
    description: `${spec.what} name does not match the \`${spec.option}\` pattern (templates: {{table}}, {{column_list}}; for foreign keys {{referencing_table}}, {{referencing_column}}, {{referenced_table}}, {{referenced_column}}).`,
    advice: `Rename the ${spec.what.toLowerCase()} to match the pattern in sluice.yml's review options.`,
    defaults: spec.defaults ?? { test: "warning", prod: "warning" },
    on: ["create table", "create index", "alter constraint", "alter index", "alter key", "alter_index"],
    check: (ctx: StatementContext): RuleHit[] =>
      namedIndexes(ctx)
        .filter((index) => index.kind === spec.kind)
        .map((index) => ({ index, pattern: expand(ctx.options[spec.option], index) }))
        // A pattern with its templates filled in is one index's own: compiled for it, not kept (the cache would grow without end).
        .filter(({ index, pattern }) => !(pattern === ctx.options[spec.option] ? compiled(pattern) : new RegExp(pattern)).test(index.name))
        .map(({ index, pattern }) => ({ message: `${spec.what} name ${index.name} does not match ${pattern}.` })),
  });
}

export const namingRules: ReviewRule[] = [
  namingRule("naming.table", "Table", "namingTable", newTableNames),
  namingRule("naming.column", "Column", "namingColumn", newColumnNames),
  indexNamingRule({ id: "naming.index", what: "Index", kind: "index", option: "namingIndex" }),
  indexNamingRule({ id: "naming.unique", what: "Unique key", kind: "unique", option: "namingUnique" }),
  indexNamingRule({ id: "naming.foreign-key", what: "Foreign key", kind: "foreign key", option: "namingForeignKey" }),
  statementRule({
    id: "naming.identifier.length",
    category: "naming",
    engines: BOTH,
    description: "Identifier longer than the engine allows (64 characters in MySQL, 63 bytes in PostgreSQL, which truncates silently).",
    advice: "Shorten the name.",
    defaults: { test: "error", prod: "error" },
    check: (ctx) => {
      const { node, engine } = ctx;
      if (engine === "postgres") return longIdentifiers(ctx.statement.text, 63).map((name) => ({ message: `Identifier ${name} is longer than 63 bytes.` }));
      const names = [...newTableNames(node), ...newColumnNames(node), ...namedIndexes(ctx).map((index) => index.name)];
      return names.filter((name) => name.length > 64).map((name) => ({ message: `Identifier ${name} is longer than 64.` }));
    },
  }),
  statementRule({
    id: "naming.auto-increment-column",
    category: "naming",
    engines: MYSQL,
    description: "AUTO_INCREMENT column name does not match the `namingAutoIncrement` pattern (default `id`).",
    advice: "Name the auto-increment column as the pattern says.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter"],
    check: ({ node, options }) =>
      definedColumns(node)
        .filter(({ name, node: column }) => isAutoIncrement(column) && !compiled(options.namingAutoIncrement).test(name))
        .map(({ name }) => ({ message: `AUTO_INCREMENT column ${name} does not match ${options.namingAutoIncrement}.` })),
  }),
  indexNamingRule({ id: "naming.primary-key", what: "Primary key", kind: "primary key", option: "namingPrimaryKey", engines: POSTGRES, defaults: { test: "off", prod: "warning" } }),
  statementRule({
    id: "naming.identifier.reserved",
    category: "naming",
    engines: BOTH,
    description: "Table or column named with a reserved word (order, group, user...): every query must quote it.",
    advice: "Pick a name that is not a reserved word, e.g. orders instead of order.",
    defaults: { test: "warning", prod: "error" },
    on: ["create table", "alter", "rename"],
    check: (ctx) =>
      [...newTableNames(ctx.node), ...newColumnNames(ctx.node)]
        .filter((name) => RESERVED_WORDS[ctx.engine].has(name.toUpperCase()))
        .map((name) => ({ message: `${name} is a reserved word.` })),
  }),
  statementRule({
    id: "naming.table.drop-convention",
    category: "naming",
    engines: BOTH,
    description: "DROP TABLE of a table not first renamed to match `namingDroppedTable` (e.g. orders_del), for teams that drop in two steps.",
    advice: "Rename the table (e.g. to orders_del), wait until nothing breaks, then drop it.",
    defaults: { test: "off", prod: "off" },
    on: ["drop"],
    check: ({ node, options }) =>
      node.type === "drop" && node.keyword === "table"
        ? asArray(node.name as AstNode[])
            .map((table) => unqualified(String(table.table ?? "")))
            .filter((name) => !compiled(options.namingDroppedTable).test(name))
            .map((name) => ({ message: `Table ${name} is dropped without the ${options.namingDroppedTable} name.` }))
        : [],
  }),
];
