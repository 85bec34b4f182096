// Naming rules: identifiers follow the configured patterns and fit the engine's length limit.
import { addedConstraint, alterActions, asArray, columnName, constraintType, createTableConstraints, definedColumns, EMPTY, isAutoIncrement, isCreateIndex, isCreateTable, readingOf, tableName, targetTable } from "../ast.ts";
import { RESERVED_WORDS } from "../reserved-words.ts";
import { longIdentifiers } from "../postgres-ast.ts";
import { indexParts } from "../walk-through.ts";
import type { EngineName } from "../../engines/engine.ts";
import type { ReviewOptions } from "../config.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { BOTH, MYSQL, NO_HITS, POSTGRES, statementRule } from "./define.ts";

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

/** What a statement of a kind that names nothing names (shared, and kept on no statement). */
const NO_INDEXES: readonly NamedIndex[] = EMPTY;
const NO_NAMES: readonly string[] = EMPTY;

/** Named indexes and constraints a statement creates, and indexes it renames: read once per statement for the naming rules. */
function namedIndexes(ctx: StatementContext): readonly NamedIndex[] {
  const { node } = ctx;
  if (node.type !== "create" && node.type !== "alter" && node.type !== "alter_index") return NO_INDEXES;
  return namedIndexesOf(ctx);
}

const namedIndexesOf: (ctx: StatementContext) => readonly NamedIndex[] = readingOf(readNamedIndexes);

/** Named indexes and constraints a statement creates, and indexes it renames (read from the walk-through catalog). */
function readNamedIndexes(ctx: StatementContext): readonly NamedIndex[] {
  const { node } = ctx;
  if (isCreateIndex(node)) {
    if (!node.index) return NO_INDEXES;
    const kind = String(node.index_type).toLowerCase() === "unique" ? "unique" : "index";
    return [{ kind, name: String(node.index), table: unqualified(targetTable(node)), columns: indexParts(node.index_columns) }];
  }
  if (!isCreateTable(node) && node.type !== "alter" && node.type !== "alter_index") return NO_INDEXES;
  const table = unqualified(targetTable(node));
  const found: NamedIndex[] = [];
  if (isCreateTable(node)) {
    for (const definition of createTableConstraints(node)) addCreated(found, definition, table);
  } else {
    for (const action of alterActions(node)) {
      const definition = addedConstraint(action);
      if (definition) addCreated(found, definition, table);
    }
  }
  if (node.type === "alter_index") addRenamed(found, ctx, String(node.rename));
  for (const action of alterActions(node)) {
    if (action.action === "rename" && action.resource === "index") addRenamed(found, ctx, String(action.new_index));
  }
  return found;
}

/** A constraint or index definition, when it is named and not a CHECK. */
function addCreated(found: NamedIndex[], definition: AstNode, table: string): void {
  const name = definition.constraint ?? definition.index;
  if (!name) return;
  const kind = kindOf(definition);
  if (!kind) return;
  const reference = definition.reference_definition as AstNode | undefined;
  found.push({
    kind,
    name: String(name),
    table,
    columns: indexParts(definition.definition),
    referencedTable: reference ? unqualified(tableName(asArray(reference.table as AstNode[])[0])) : undefined,
    referencedColumns: reference ? indexParts(reference.definition) : undefined,
  });
}

/** ALTER TABLE ... RENAME INDEX and PostgreSQL's ALTER INDEX ... RENAME TO: the renamed index, with its kind and columns. */
function addRenamed(found: NamedIndex[], ctx: StatementContext, to: string): void {
  const renamed = ctx.schema.findIndex(to);
  if (!renamed) return;
  const kind: IndexKind = renamed.index.kind === "unique" ? "unique" : renamed.index.kind === "primary" ? "primary key" : "index";
  found.push({ kind, name: to, table: renamed.table, columns: renamed.index.columns });
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

const tableNamesOf: (node: AstNode) => readonly string[] = readingOf(readNewTableNames);
const columnNamesOf: (node: AstNode) => readonly string[] = readingOf(readNewColumnNames);

/** Tables a statement names (read once per statement: several naming rules read them). */
const newTableNames = (node: AstNode): readonly string[] => (isCreateTable(node) || node.type === "alter" || node.type === "rename" ? tableNamesOf(node) : NO_NAMES);

/** Columns a statement names (read once per statement: several naming rules read them). */
const newColumnNames = (node: AstNode): readonly string[] => (isCreateTable(node) || node.type === "alter" ? columnNamesOf(node) : NO_NAMES);

/** Tables a statement names: CREATE TABLE, ALTER TABLE ... RENAME TO, RENAME TABLE. */
function readNewTableNames(node: AstNode): readonly string[] {
  if (isCreateTable(node)) return [unqualified(targetTable(node))];
  const names: string[] = [];
  if (node.type === "rename") {
    for (const pair of asArray(node.table as AstNode[][])) names.push(String(pair[1]?.table ?? ""));
  }
  for (const action of alterActions(node)) {
    if (action.action === "rename" && action.resource === "table") names.push(String(action.table));
  }
  return names;
}

/** Columns a statement names: those it defines, and those ALTER TABLE ... RENAME COLUMN renames. */
function readNewColumnNames(node: AstNode): readonly string[] {
  const names: string[] = [];
  for (const column of definedColumns(node)) names.push(column.name);
  for (const action of alterActions(node)) {
    if (action.action === "rename" && action.resource === "column") names.push(columnName(action.column));
  }
  return names;
}

const patternCache = new Map<string, RegExp>();
const compiled = (pattern: string): RegExp => {
  let regexp = patternCache.get(pattern);
  if (!regexp) patternCache.set(pattern, (regexp = new RegExp(pattern)));
  return regexp;
};

/** Statement kinds that may name a table (`alter table`: ALTER TABLE ... RENAME TO). */
const NAMES_TABLES = ["create table", "alter table", "rename"];
/** Statement kinds that may name a column (`alter column`: ADD/MODIFY/CHANGE/RENAME COLUMN). */
const NAMES_COLUMNS = ["create table", "alter column"];

function namingRule(
  id: string,
  what: string,
  option: keyof Pick<ReviewOptions, "namingTable" | "namingColumn">,
  names: (node: AstNode) => readonly string[],
  on: readonly string[],
) {
  return statementRule({
    id,
    category: "naming",
    engines: BOTH,
    description: `${what} name does not match the \`${option}\` pattern.`,
    advice: `Rename the ${what.toLowerCase()} to match the pattern in sluice.yml's review options.`,
    defaults: { test: "warning", prod: "warning" },
    on,
    check: (ctx: StatementContext): readonly RuleHit[] => {
      const named = names(ctx.node);
      if (named.length === 0) return NO_HITS;
      const pattern = ctx.options[option];
      const regexp = compiled(pattern);
      let hits: RuleHit[] | undefined;
      for (const name of named) {
        if (name !== "" && !regexp.test(name)) (hits ??= []).push({ message: `${what} name ${name} does not match ${pattern}.` });
      }
      return hits ?? NO_HITS;
    },
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
    check: (ctx: StatementContext): readonly RuleHit[] => {
      let hits: RuleHit[] | undefined;
      for (const index of namedIndexes(ctx)) {
        if (index.kind !== spec.kind) continue;
        const configured = ctx.options[spec.option];
        const pattern = expand(configured, index);
        // A pattern with its templates filled in is one index's own: compiled for it, not kept (the cache would grow without end).
        const regexp = pattern === configured ? compiled(pattern) : new RegExp(pattern);
        if (!regexp.test(index.name)) (hits ??= []).push({ message: `${spec.what} name ${index.name} does not match ${pattern}.` });
      }
      return hits ?? NO_HITS;
    },
  });
}

/** PostgreSQL's identifier limit in bytes (NAMEDATALEN - 1); longer names are truncated silently. */
const POSTGRES_IDENTIFIER_BYTES = 63;
/** MySQL's identifier limit in characters. */
const MYSQL_IDENTIFIER_LENGTH = 64;

/** Statement types that can give a table, column or index its name. */
const NAMING_TYPES = new Set(["create", "alter", "rename", "alter_index"]);

/** MySQL: the table, column and index names a statement gives that are longer than the limit. */
function longMysqlNames(ctx: StatementContext): readonly RuleHit[] {
  let hits: RuleHit[] | undefined;
  for (const name of newTableNames(ctx.node)) if (name.length > MYSQL_IDENTIFIER_LENGTH) (hits ??= []).push(longMysqlName(name));
  for (const name of newColumnNames(ctx.node)) if (name.length > MYSQL_IDENTIFIER_LENGTH) (hits ??= []).push(longMysqlName(name));
  for (const { name } of namedIndexes(ctx)) if (name.length > MYSQL_IDENTIFIER_LENGTH) (hits ??= []).push(longMysqlName(name));
  return hits ?? NO_HITS;
}

const longMysqlName = (name: string): RuleHit => ({ message: `Identifier ${name} is longer than ${MYSQL_IDENTIFIER_LENGTH}.` });

const reservedName = (name: string): RuleHit => ({ message: `${name} is a reserved word.` });

export const namingRules: ReviewRule[] = [
  namingRule("naming.table", "Table", "namingTable", newTableNames, NAMES_TABLES),
  namingRule("naming.column", "Column", "namingColumn", newColumnNames, NAMES_COLUMNS),
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
    // No `on`: PostgreSQL reads every statement's text (any statement can name something).
    check: (ctx) => {
      if (ctx.engine === "mysql") return NAMING_TYPES.has(ctx.node.type) ? longMysqlNames(ctx) : NO_HITS;
      const { text } = ctx.statement;
      const names = longIdentifiers(text, POSTGRES_IDENTIFIER_BYTES);
      if (names.length === 0) return NO_HITS;
      const hits: RuleHit[] = [];
      for (const name of names) hits.push({ message: `Identifier ${name} is longer than ${POSTGRES_IDENTIFIER_BYTES} bytes.` });
      return hits;
    },
  }),
  statementRule({
    id: "naming.auto-increment-column",
    category: "naming",
    engines: MYSQL,
    description: "AUTO_INCREMENT column name does not match the `namingAutoIncrement` pattern (default `id`).",
    advice: "Name the auto-increment column as the pattern says.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node, options }) => {
      let hits: RuleHit[] | undefined;
      for (const { name, node: column } of definedColumns(node)) {
        if (isAutoIncrement(column) && !compiled(options.namingAutoIncrement).test(name)) {
          (hits ??= []).push({ message: `AUTO_INCREMENT column ${name} does not match ${options.namingAutoIncrement}.` });
        }
      }
      return hits ?? NO_HITS;
    },
  }),
  indexNamingRule({ id: "naming.primary-key", what: "Primary key", kind: "primary key", option: "namingPrimaryKey", engines: POSTGRES, defaults: { test: "off", prod: "warning" } }),
  statementRule({
    id: "naming.identifier.reserved",
    category: "naming",
    engines: BOTH,
    description: "Table or column named with a reserved word (order, group, user...): every query must quote it.",
    advice: "Pick a name that is not a reserved word, e.g. orders instead of order.",
    defaults: { test: "warning", prod: "error" },
    on: [...NAMES_TABLES, "alter column"],
    check: ({ node, engine }) => {
      const reserved = RESERVED_WORDS[engine];
      let hits: RuleHit[] | undefined;
      for (const name of newTableNames(node)) if (reserved.has(name.toUpperCase())) (hits ??= []).push(reservedName(name));
      for (const name of newColumnNames(node)) if (reserved.has(name.toUpperCase())) (hits ??= []).push(reservedName(name));
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "naming.table.drop-convention",
    category: "naming",
    engines: BOTH,
    description: "DROP TABLE of a table not first renamed to match `namingDroppedTable` (e.g. orders_del), for teams that drop in two steps.",
    advice: "Rename the table (e.g. to orders_del), wait until nothing breaks, then drop it.",
    defaults: { test: "off", prod: "off" },
    on: ["drop"],
    check: ({ node, options }) => {
      if (node.type !== "drop" || node.keyword !== "table") return NO_HITS;
      const pattern = compiled(options.namingDroppedTable);
      let hits: RuleHit[] | undefined;
      for (const table of asArray(node.name as AstNode[])) {
        const name = unqualified(String(table.table ?? ""));
        if (!pattern.test(name)) (hits ??= []).push({ message: `Table ${name} is dropped without the ${options.namingDroppedTable} name.` });
      }
      return hits ?? NO_HITS;
    },
  }),
];
