// Table rules: keys, options, renames, drops and MySQL/PostgreSQL operations that rewrite or lock a table.
import {
  EMPTY,
  addedConstraint,
  alterActions,
  asArray,
  constraintType,
  createTableColumns,
  createTableConstraints,
  definedColumns,
  dmlTargets,
  isCreateTable,
  isPrimaryKeyColumn,
  commentOn,
  readingOf,
  tableKey,
  tableName,
  targetTable,
} from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewOptions } from "../config.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { collationName, type WalkColumn, type WalkTable } from "../walk-through.ts";
import { configuredSet } from "./configured.ts";
import { BOTH, MYSQL, NO_HITS, POSTGRES, schemaRule, statementRule } from "./define.ts";
import { leftFailing } from "./end-state.ts";

/** Tables a schema change creates, changes, renames, empties or drops, as written. */
function ddlTables(node: AstNode): string[] {
  if (node.type === "drop" && node.keyword === "table") return asArray(node.name as AstNode[]).map(tableName);
  if (node.type === "truncate") return asArray(node.name as AstNode[]).map(tableName);
  if (node.type === "rename") return asArray(node.table as AstNode[][]).flatMap((pair) => [tableName(pair[0]), String(pair[1]?.table ?? "")]);
  if (isCreateTable(node) || node.type === "alter" || (node.type === "create" && node.keyword === "index")) return node.keyword === "view" ? [] : [targetTable(node)];
  return [];
}

/** Configured table lists, by unqualified lower-cased name. */
const listedTables = configuredSet(tableKey);

/** One message per distinct table of `tables` (in order) that a configured list names. */
function listedTableHits(tables: readonly string[], list: readonly string[], message: (table: string) => string): readonly RuleHit[] {
  const listed = listedTables(list);
  let found: string[] | undefined;
  for (let i = 0; i < tables.length; i++) {
    const table = tables[i]!;
    if (table !== "" && listed.has(tableKey(table))) found = addDistinct(found, table);
  }
  return found ? found.map((table) => ({ message: message(table) })) : NO_HITS;
}

/** `found` with `value` added unless it holds it already; the list is made on the first value (most statements add none). */
function addDistinct(found: string[] | undefined, value: string): string[] {
  if (!found) return [value];
  if (!found.includes(value)) found.push(value);
  return found;
}

/** The most characters a MySQL text or binary column holds, the way Bytebase counts them (CHAR and BINARY without a length hold one). */
function textFieldLength(column: WalkColumn): number {
  switch (column.type) {
    case "CHAR":
    case "VARCHAR":
    case "BINARY":
    case "VARBINARY":
      return column.length ?? 1;
    case "TINYTEXT":
    case "TINYBLOB":
      return 255;
    case "TEXT":
    case "BLOB":
      return 65_535;
    case "MEDIUMTEXT":
    case "MEDIUMBLOB":
      return 16_777_215;
    case "LONGTEXT":
    case "LONGBLOB":
      return 4_294_967_295;
    default:
      return 0;
  }
}

const QUOTES = /^'|'$/g;

/** A table option's value as text, lower-cased and unquoted. */
function optionValue(value: unknown): string {
  if (value && typeof value === "object") return optionValue((value as AstNode).value ?? (value as AstNode).name);
  return String(value ?? "").replace(QUOTES, "").toLowerCase();
}

/** A table option of CREATE TABLE or an ALTER TABLE clause that sets one, lower-cased. */
interface TableOption {
  keyword: string;
  value: string;
}

const NO_OPTIONS: readonly TableOption[] = EMPTY;

/** Table options from CREATE TABLE options and ALTER TABLE clauses (read once per statement, by many rules). */
const tableOptions: (node: AstNode) => readonly TableOption[] = readingOf(readTableOptions);

function readTableOptions(node: AstNode): readonly TableOption[] {
  let options: TableOption[] | undefined;
  if (isCreateTable(node)) {
    const tableOptionNodes = asArray(node.table_options as AstNode[]);
    for (let i = 0; i < tableOptionNodes.length; i++) {
      const option = tableOptionNodes[i]!;
      (options ??= []).push({ keyword: String(option.keyword).toLowerCase(), value: optionValue(option.value) });
    }
    return options ?? NO_OPTIONS;
  }
  const actions = alterActions(node);
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i]!;
    if (action.action || !action.keyword) continue;
    const keyword = String(action.keyword).toLowerCase();
    (options ??= []).push({ keyword, value: optionValue(action[keyword] ?? action[action.resource] ?? action.value) });
  }
  return options ?? NO_OPTIONS;
}

/** Whether the statement sets a table option one of `keywords` names. */
function setsOption(node: AstNode, keywords: ReadonlySet<string>): boolean {
  const statedOptions = tableOptions(node);
  for (let i = 0; i < statedOptions.length; i++) {
    const option = statedOptions[i]!;
    if (keywords.has(option.keyword)) return true;
  }
  return false;
}

const NO_NAMES: readonly string[] = EMPTY;

/** CHARACTER SET / COLLATE of CREATE DATABASE and ALTER DATABASE. */
function databaseOptions(node: AstNode, option: "charset" | "collate"): readonly string[] {
  if (node.type === "alter_database") return node[option] ? [String(node[option])] : NO_NAMES;
  if (node.type !== "create" || node.keyword !== "database") return NO_NAMES;
  const keywords = option === "charset" ? CHARSET_OPTIONS : COLLATE_OPTIONS;
  return asArray(node.create_definitions as AstNode[])
    .filter((definition) => keywords.has(String(definition.keyword).toLowerCase()))
    .map((definition) => String(definition.value?.value ?? definition.value));
}

const allowedCharsets = configuredSet((charset) => charset.toLowerCase());
const allowedCollations = configuredSet((collation) => collation.toLowerCase());
/** The prefix of an allowed charset's collations: `utf8mb4_`. */
const allowedCollationPrefixes = configuredSet((charset) => `${charset.toLowerCase()}_`);

/** A collation `collations` lists, or (when it is empty) one of an allowed charset. */
function collationAllowed(options: ReviewOptions, collation: string): boolean {
  if (options.collations.length > 0) return allowedCollations(options.collations).has(collation);
  for (const prefix of allowedCollationPrefixes(options.charsets)) if (collation.startsWith(prefix)) return true;
  return false;
}

const CHARSET_OPTIONS = new Set(["default charset", "charset", "character set", "default character set"]);
const COLLATE_OPTIONS = new Set(["collate", "default collate"]);
const PARTITION_OPTIONS = new Set(["partition by"]);
const NO_CONSTRAINTS: readonly AstNode[] = EMPTY;
/** Foreign keys a CREATE TABLE or ALTER TABLE adds (read once per statement, by several rules). */
const foreignKeys: (node: AstNode) => readonly AstNode[] = readingOf(readForeignKeys);

function readForeignKeys(node: AstNode): readonly AstNode[] {
  let keys: AstNode[] | undefined;
  if (isCreateTable(node)) {
    const constraints = createTableConstraints(node);
    for (let i = 0; i < constraints.length; i++) {
      const constraint = constraints[i]!;
      if (constraintType(constraint) === "foreign key") (keys ??= []).push(constraint);
    }
    const columns = createTableColumns(node);
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      if (column.node.reference_definition?.table) (keys ??= []).push(column.node);
    }
    return keys ?? NO_CONSTRAINTS;
  }
  const actions = alterActions(node);
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i]!;
    const constraint = addedConstraint(action);
    if (constraint !== undefined && constraintType(constraint) === "foreign key") (keys ??= []).push(constraint);
  }
  return keys ?? NO_CONSTRAINTS;
}

/** Whether a foreign key deletes its rows with the referenced row (ON DELETE CASCADE). */
function cascadesOnDelete(key: AstNode): boolean {
  const actions = key.reference_definition?.on_action as AstNode[] | AstNode | undefined;
  if (!actions) return false;
  const onActions = asArray(actions);
  for (let i = 0; i < onActions.length; i++) {
    const action = onActions[i]!;
    if (action.type === "on delete" && String(action.value?.value ?? "").toLowerCase() === "cascade") return true;
  }
  return false;
}

/** Why a MySQL ALTER TABLE must copy the table (ALGORITHM=COPY) or block writes, as far as the text tells; undefined when nothing does. */
function mysqlCopyReasons(node: AstNode): string[] | undefined {
  let reasons: string[] | undefined;
  const actions = alterActions(node);
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i]!;
    if (action.resource === "algorithm" && String(action.algorithm).toUpperCase() === "COPY") (reasons ??= []).push("ALGORITHM=COPY");
    if (action.resource === "lock") {
      const lock = String(action.lock).toUpperCase();
      if (lock === "SHARED" || lock === "EXCLUSIVE") (reasons ??= []).push(`LOCK=${lock}`);
    }
    if (action.resource === "convert") (reasons ??= []).push("CONVERT TO CHARACTER SET");
    if (action.action === "drop" && String(action.keyword).toLowerCase() === "primary key") (reasons ??= []).push("DROP PRIMARY KEY");
    if (action.resource === "engine") (reasons ??= []).push("ENGINE=");
  }
  return reasons;
}

const NAMED_BY_DROP = new Set(["table", "sequence", "view", "index"]);
const DML_WRITES = new Set(["insert", "update", "delete"]);

/** Tables and sequences a statement names: what it creates, alters or drops, and what its DML reads or writes. */
function objectNames(node: AstNode): string[] {
  if (node.type === "create" && node.keyword === "sequence") return asArray(node.sequence as AstNode[]).map(tableName);
  if (node.type === "drop" && NAMED_BY_DROP.has(String(node.keyword))) return asArray(node.name as AstNode[]).map(tableName);
  if (isCreateTable(node) || node.type === "alter" || (node.type === "create" && node.keyword === "index")) return [targetTable(node)];
  if (node.type === "select") return asArray(node.from as AstNode[]).filter((from) => from.table).map(tableName);
  if (DML_WRITES.has(node.type)) return dmlTargets(node);
  return [];
}

const existingAlterTarget = (ctx: StatementContext): string | undefined => {
  if (ctx.node.type !== "alter" || ctx.node.keyword === "view") return undefined;
  const table = targetTable(ctx.node);
  return table && ctx.isExistingTable(table) ? table : undefined;
};

/** `found` with the collation (lower-cased) added when it is not allowed and not in `found` yet. */
function addIfDisallowed(found: string[] | undefined, collation: string, options: ReviewOptions): string[] | undefined {
  const lower = collation.toLowerCase();
  return collationAllowed(options, lower) ? found : addDistinct(found, lower);
}

/** addIfDisallowed for a column's collation, which most columns do not state. */
const addIfStated = (found: string[] | undefined, collation: string | undefined, options: ReviewOptions): string[] | undefined =>
  collation ? addIfDisallowed(found, collation, options) : found;

/** CREATE TABLE ... PARTITION BY / PARTITION OF, or ALTER TABLE ... PARTITION BY. */
function isPartitioned(node: AstNode): boolean {
  if (isCreateTable(node) && (node.partition_of || setsOption(node, PARTITION_OPTIONS))) return true;
  const actions = alterActions(node);
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i]!;
    if (action.resource === "partition" && action.action === "partition by") return true;
  }
  return false;
}

/** ALTER TABLE ... CONVERT TO CHARACTER SET. */
function converts(node: AstNode): boolean {
  const actions = alterActions(node);
  for (let i = 0; i < actions.length; i++) {
    const action = actions[i]!;
    if (action.resource === "convert") return true;
  }
  return false;
}

const commentTooLong = (comment: string, max: number): RuleHit => ({ message: `Table comment is ${comment.length} characters (max ${max}).` });

const ddlDisallowedMessage = (table: string): string => `Schema change on ${table}, which is in ddlDisallowedTables.`;
const dmlDisallowedMessage = (table: string): string => `Data change on ${table}, which is in dmlDisallowedTables.`;

const hasPrimaryKey = (table: WalkTable): boolean => !table.complete || table.partitionOf !== undefined || table.indexes.some((index) => index.kind === "primary");
const noPrimaryKey = (table: WalkTable, ordinal: number) => ({ ordinal, message: `Table ${table.name} has no primary key.` });

export const tableRules: ReviewRule[] = [
  schemaRule({
    id: "table.primary-key.require",
    category: "table",
    engines: BOTH,
    description: "A table the change creates or changes is left without a primary key at the end of the change.",
    advice: "Add a primary key; replication, online schema changes and row-level rollback need one.",
    defaults: { test: "warning", prod: "error" },
    reader: () => leftFailing(hasPrimaryKey, noPrimaryKey),
  }),
  statementRule({
    id: "table.foreign-key.disallow",
    category: "table",
    engines: BOTH,
    description: "Foreign keys, for teams whose policy keeps integrity in the application.",
    advice: "Enforce the relation in the application, or turn this rule off.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter constraint", "alter index", "alter key"],
    check: ({ node }) => (foreignKeys(node).length > 0 ? [{ message: `Foreign key on ${targetTable(node)}.` }] : NO_HITS),
  }),
  schemaRule({
    id: "table.comment.require",
    category: "table",
    engines: BOTH,
    description: "A table the change creates is left without a comment (COMMENT '...' or COMMENT ON TABLE).",
    advice: "Add a comment saying what the table holds.",
    defaults: { test: "off", prod: "off" },
    reader: () =>
      leftFailing(
        (table) => Boolean(table.comment),
        (table, ordinal) => ({ ordinal, message: `Table ${table.name} has no comment.` }),
      ),
  }),
  schemaRule({
    id: "table.required-columns",
    category: "table",
    engines: BOTH,
    description: "A table the change creates or changes lacks a column of `requiredColumns` at the end of the change.",
    advice: "Add the required columns (see the review options in sluice.yml).",
    defaults: { test: "warning", prod: "warning" },
    reader: ({ options }) => {
      const missing = (table: WalkTable) => {
        const present = new Set(table.columns.map((column) => column.name.toLowerCase()));
        return options.requiredColumns.filter((column) => !present.has(column.toLowerCase()));
      };
      return leftFailing(
        (table) => options.requiredColumns.length === 0 || !table.complete || missing(table).length === 0,
        (table, ordinal) => ({ ordinal, message: `Table ${table.name} lacks required column(s): ${missing(table).join(", ")}.` }),
      );
    },
  }),
  statementRule({
    id: "table.rename",
    category: "table",
    engines: BOTH,
    description: "Renaming a table breaks every query that still uses the old name.",
    advice: "Create the new table or a view first and move the application over before renaming.",
    defaults: { test: "warning", prod: "error" },
    // ALTER TABLE ... RENAME TO is a clause on the table (resource "table").
    on: ["rename", "alter table"],
    check: ({ node }) => {
      if (node.type === "rename") return [{ message: "RENAME TABLE." }];
      if (node.keyword === "view") return NO_HITS;
      const actions = alterActions(node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.action === "rename" && action.resource === "table") return [{ message: `Table ${targetTable(node)} is renamed.` }];
      }
      return NO_HITS;
    },
  }),
  statementRule({
    id: "table.drop",
    category: "table",
    engines: BOTH,
    description: "DROP TABLE loses the table and its data.",
    advice: "Rename the table aside first and drop it later, once nothing uses it; keep a backup.",
    defaults: { test: "warning", prod: "error" },
    on: ["drop"],
    check: ({ node }) =>
      node.type === "drop" && node.keyword === "table"
        ? [{ message: `DROP TABLE ${asArray(node.name as AstNode[]).map(tableName).join(", ")}.` }]
        : NO_HITS,
  }),
  statementRule({
    id: "table.truncate",
    category: "table",
    engines: BOTH,
    description: "TRUNCATE removes every row and cannot be rolled back from the binlog or a row backup.",
    advice: "Use DELETE with a WHERE clause, or back up the table first.",
    defaults: { test: "warning", prod: "error" },
    on: ["truncate", "alter partition"],
    check: ({ node }) => {
      if (node.type === "truncate") return [{ message: `TRUNCATE ${asArray(node.name as AstNode[]).map(tableName).join(", ")}.` }];
      const actions = alterActions(node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.action === "truncate" && action.resource === "partition") return [{ message: `ALTER TABLE ${targetTable(node)} TRUNCATE PARTITION.` }];
      }
      return NO_HITS;
    },
  }),
  statementRule({
    id: "table.charset",
    category: "table",
    engines: MYSQL,
    description: "Database, table or column character set outside the allowed `charsets` (default utf8mb4).",
    advice: "Use utf8mb4.",
    defaults: { test: "warning", prod: "error" },
    // Column charsets the parser could not read (parsed.columnCharsets) are taken from CREATE TABLE and ALTER TABLE text only.
    on: ["create table", "create database", "alter", "alter_database"],
    check: ({ node, parsed, options }) => {
      const allowed = allowedCharsets(options.charsets);
      // Each charset outside the allowed ones, once, in the order the statement states them.
      let disallowed: string[] | undefined;
      const databaseCharsets = databaseOptions(node, "charset");
      for (let i = 0; i < databaseCharsets.length; i++) {
        const charset = databaseCharsets[i]!;
        if (!allowed.has(charset)) disallowed = addDistinct(disallowed, charset);
      }
      const statedOptions = tableOptions(node);
      for (let i = 0; i < statedOptions.length; i++) {
        const { keyword, value } = statedOptions[i]!;
        if (CHARSET_OPTIONS.has(keyword) && !allowed.has(value)) disallowed = addDistinct(disallowed, value);
      }
      const actions = alterActions(node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.resource !== "convert") continue;
        const charset = String(action.charset);
        if (!allowed.has(charset)) disallowed = addDistinct(disallowed, charset);
      }
      for (let i = 0; i < parsed.columnCharsets.length; i++) {
        const charset = parsed.columnCharsets[i]!;
        if (!allowed.has(charset)) disallowed = addDistinct(disallowed, charset);
      }
      const columns = definedColumns(node);
      for (let i = 0; i < columns.length; i++) {
        const { node: column } = columns[i]!;
        const name = column.character_set?.value?.value;
        if (!name) continue;
        const charset = String(name).toLowerCase();
        if (!allowed.has(charset)) disallowed = addDistinct(disallowed, charset);
      }
      if (!disallowed) return NO_HITS;
      return disallowed.map((charset) => ({ message: `Character set ${charset} is not allowed (allowed: ${options.charsets.join(", ")}).` }));
    },
  }),
  statementRule({
    id: "table.collation",
    category: "table",
    engines: BOTH,
    description: "Database, table or column collation outside `collations` (when empty: on MySQL any collation of an allowed charset, on PostgreSQL any).",
    advice: "Use an allowed collation, e.g. utf8mb4_0900_ai_ci or utf8mb4_unicode_ci on MySQL.",
    defaults: { test: "warning", prod: "error" },
    on: ["create table", "create database", "alter", "alter_database"],
    check: ({ node, options, engine }) => {
      if (options.collations.length === 0 && engine === "postgres") return NO_HITS;
      // Each collation not allowed, once, in this order: table options, CONVERT TO, columns (or every ALTER clause), database.
      let disallowed: string[] | undefined;
      const statedOptions = tableOptions(node);
      for (let i = 0; i < statedOptions.length; i++) {
        const { keyword, value } = statedOptions[i]!;
        if (COLLATE_OPTIONS.has(keyword)) disallowed = addIfDisallowed(disallowed, value, options);
      }
      const actions = alterActions(node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.resource === "convert" && action.collate) disallowed = addIfDisallowed(disallowed, String(action.collate), options);
      }
      if (isCreateTable(node)) {
        const columns = createTableColumns(node);
        for (let j = 0; j < columns.length; j++) {
          const { node: column } = columns[j]!;
          disallowed = addIfStated(disallowed, collationName(column.collate), options);
        }
      } else {
        const actions = alterActions(node);
        for (let j = 0; j < actions.length; j++) {
          const action = actions[j]!;
          disallowed = addIfStated(disallowed, collationName(action.collate), options);
        }
      }
      const databaseCollations = databaseOptions(node, "collate");
      for (let i = 0; i < databaseCollations.length; i++) {
        const collation = databaseCollations[i]!;
        disallowed = addIfDisallowed(disallowed, collation, options);
      }
      return disallowed ? disallowed.map((collation) => ({ message: `Collation ${collation} is not allowed.` })) : NO_HITS;
    },
  }),
  statementRule({
    id: "table.mysql.online-ddl",
    category: "table",
    engines: MYSQL,
    description: "ALTER TABLE that MySQL cannot run INSTANT or INPLACE: it copies the table and blocks writes.",
    advice: "Run it with an online schema change tool (gh-ost, pt-online-schema-change) or in a maintenance window.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      const reasons = mysqlCopyReasons(ctx.node);
      if (!reasons) return NO_HITS;
      const table = existingAlterTarget(ctx);
      return table ? [{ table, message: `ALTER TABLE ${table} copies the table (${reasons.join(", ")}).` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "table.pg.foreign-key-not-valid",
    category: "table",
    engines: POSTGRES,
    description: "Foreign key added to an existing table without NOT VALID: validation locks both tables while it scans.",
    advice: "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a separate statement.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter constraint", "alter index", "alter key"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      const keys = foreignKeys(ctx.node).length;
      if (keys === 0 || ctx.parsed.notValid) return NO_HITS;
      const table = existingAlterTarget(ctx);
      if (!table) return NO_HITS;
      // One finding per foreign key added.
      const hits: RuleHit[] = [];
      for (let i = 0; i < keys; i++) hits.push({ table, message: `Foreign key added to ${table} without NOT VALID.` });
      return hits;
    },
  }),
  statementRule({
    id: "table.pg.check-not-valid",
    category: "table",
    engines: POSTGRES,
    description: "CHECK constraint added to an existing table without NOT VALID: the whole table is scanned under an exclusive lock.",
    advice: "ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a separate statement.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter constraint", "alter index", "alter key"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      if (ctx.parsed.notValid) return NO_HITS;
      let hits: RuleHit[] | undefined;
      let table: string | undefined;
      const actions = alterActions(ctx.node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        const constraint = addedConstraint(action);
        if (constraint === undefined || constraintType(constraint) !== "check") continue;
        table ??= existingAlterTarget(ctx);
        if (!table) return NO_HITS;
        (hits ??= []).push({ table, message: `CHECK constraint added to ${table} without NOT VALID.` });
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "table.partition.disallow",
    category: "table",
    engines: BOTH,
    description: "Partitioned table: partitioning changes how every query, key and maintenance job works.",
    advice: "Have a DBA confirm the partitioning scheme, or turn this rule off.",
    defaults: { test: "off", prod: "warning" },
    on: ["create table", "alter partition"],
    check: ({ node }) => (isPartitioned(node) ? [{ message: `Table ${targetTable(node)} is partitioned.` }] : NO_HITS),
  }),
  statementRule({
    id: "table.mysql.default-charset-change",
    category: "table",
    engines: MYSQL,
    description: "ALTER TABLE ... DEFAULT CHARSET changes the default for new columns only; existing columns keep their charset.",
    advice: "To convert the data, use ALTER TABLE ... CONVERT TO CHARACTER SET (and plan for the table copy).",
    defaults: { test: "warning", prod: "error" },
    on: ["alter"],
    check: (ctx) => {
      if (!setsOption(ctx.node, CHARSET_OPTIONS)) return NO_HITS;
      const table = existingAlterTarget(ctx);
      return table ? [{ message: `ALTER TABLE ${table} changes only the default character set.` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "table.pg.schema-qualified",
    category: "table",
    engines: POSTGRES,
    description: "A table or sequence named without its schema (CREATE, ALTER, DROP, CREATE INDEX ON, INSERT/UPDATE/DELETE, SELECT ... FROM): it resolves through search_path.",
    advice: "Qualify the name, e.g. app.orders.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "create index", "create sequence", "alter", "drop", "select", "insert", "update", "delete"],
    check: ({ node }) => {
      let unqualified: string[] | undefined;
      const names = objectNames(node);
      for (let i = 0; i < names.length; i++) {
        const name = names[i]!;
        if (name !== "" && !name.includes(".")) unqualified = addDistinct(unqualified, name);
      }
      return unqualified ? unqualified.map((name) => ({ message: `${name} has no schema qualifier.` })) : NO_HITS;
    },
  }),
  statementRule({
    id: "table.comment.max-length",
    category: "table",
    engines: BOTH,
    description: "Table comment longer than `maxCommentLength`.",
    advice: "Shorten the comment; keep documentation elsewhere.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter", "comment"],
    check: ({ node, options }) => {
      const max = options.maxCommentLength;
      let hits: RuleHit[] | undefined;
      const statedOptions = tableOptions(node);
      for (let i = 0; i < statedOptions.length; i++) {
        const { keyword, value } = statedOptions[i]!;
        if (keyword === "comment" && value.length > max) (hits ??= []).push(commentTooLong(value, max));
      }
      if (node.type === "comment") {
        const comments = commentOn(node, "table");
        for (let j = 0; j < comments.length; j++) {
          const comment = comments[j]!;
          if (comment.length > max) (hits ??= []).push(commentTooLong(comment, max));
        }
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "table.foreign-key.on-delete-cascade",
    category: "table",
    engines: BOTH,
    description: "Foreign key with ON DELETE CASCADE: one DELETE silently removes rows in other tables.",
    advice: "Delete child rows explicitly, or use ON DELETE RESTRICT.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter constraint", "alter index", "alter key"],
    check: ({ node }) => {
      let hits: RuleHit[] | undefined;
      for (const key of foreignKeys(node)) if (cascadesOnDelete(key)) (hits ??= []).push({ message: `Foreign key on ${targetTable(node)} has ON DELETE CASCADE.` });
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "table.mysql.auto-increment-initial",
    category: "table",
    engines: MYSQL,
    description: "CREATE/ALTER TABLE with an AUTO_INCREMENT start other than `autoIncrementInitialValue`.",
    advice: "Leave AUTO_INCREMENT= out, or set it to the configured start.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter"],
    check: ({ node, options }) => {
      let hits: RuleHit[] | undefined;
      const statedOptions = tableOptions(node);
      for (let i = 0; i < statedOptions.length; i++) {
        const { keyword, value } = statedOptions[i]!;
        if (keyword === "auto_increment" && Number(value) !== options.autoIncrementInitialValue) {
          (hits ??= []).push({ message: `AUTO_INCREMENT starts at ${value} (expected ${options.autoIncrementInitialValue}).` });
        }
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "table.mysql.disallow-set-charset",
    category: "table",
    engines: MYSQL,
    description: "CREATE/ALTER TABLE that sets the table's character set: tables should inherit the database's.",
    advice: "Leave CHARSET out and set it once on the database.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter"],
    check: ({ node }) => (setsOption(node, CHARSET_OPTIONS) || converts(node) ? [{ message: `Table ${targetTable(node)} sets its character set.` }] : NO_HITS),
  }),
  statementRule({
    id: "table.disallow-ddl",
    category: "table",
    engines: BOTH,
    description: "A schema change (CREATE, ALTER, RENAME, TRUNCATE, DROP TABLE or CREATE INDEX) on a table listed in `ddlDisallowedTables`.",
    advice: "Leave the table out of the change, or take it off `ddlDisallowedTables` after agreeing on it.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "create index", "alter", "drop", "rename", "truncate"],
    check: ({ node, options }) =>
      options.ddlDisallowedTables.length === 0 ? NO_HITS : listedTableHits(ddlTables(node), options.ddlDisallowedTables, ddlDisallowedMessage),
  }),
  statementRule({
    id: "table.disallow-dml",
    category: "table",
    engines: BOTH,
    description: "INSERT, REPLACE, UPDATE or DELETE on a table listed in `dmlDisallowedTables`.",
    advice: "Leave the table out of the change, or take it off `dmlDisallowedTables` after agreeing on it.",
    defaults: { test: "off", prod: "off" },
    on: ["insert", "replace", "update", "delete"],
    check: ({ node, options }) =>
      options.dmlDisallowedTables.length === 0 ? NO_HITS : listedTableHits(dmlTargets(node), options.dmlDisallowedTables, dmlDisallowedMessage),
  }),
  statementRule({
    id: "table.mysql.text-fields-total-length",
    category: "table",
    engines: MYSQL,
    description: "CREATE/ALTER TABLE that leaves the table's CHAR/VARCHAR/BINARY/TEXT/BLOB columns holding more than `maxTextFieldsTotalLength` characters together (TEXT counts 65,535).",
    advice: "Move large text to its own table, or use shorter columns.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter"],
    check: (ctx) => {
      if (!isCreateTable(ctx.node) && ctx.node.type !== "alter") return NO_HITS;
      const table = ctx.schema.after(targetTable(ctx.node));
      if (!table) return NO_HITS;
      let total = 0;
      for (let i = 0; i < table.columns.length; i++) {
        const column = table.columns[i]!;
        total += textFieldLength(column);
      }
      return total > ctx.options.maxTextFieldsTotalLength ? [{ message: `Table ${table.name}'s text columns hold ${total} characters together (max ${ctx.options.maxTextFieldsTotalLength}).` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "table.mysql.require-charset",
    category: "table",
    engines: MYSQL,
    description: "CREATE TABLE without a table character set (DEFAULT CHARSET=...): the table takes whatever the database's default is.",
    advice: "State the character set: CREATE TABLE ... DEFAULT CHARSET=utf8mb4.",
    defaults: { test: "off", prod: "off" },
    on: ["create table"],
    check: ({ node }) =>
      isCreateTable(node) && !node.like && !setsOption(node, CHARSET_OPTIONS) ? [{ message: `Table ${targetTable(node)} has no character set.` }] : NO_HITS,
  }),
  statementRule({
    id: "table.mysql.require-collation",
    category: "table",
    engines: MYSQL,
    description: "CREATE TABLE without a table collation (COLLATE=...): the table takes the charset's default collation.",
    advice: "State the collation: CREATE TABLE ... COLLATE=utf8mb4_0900_ai_ci.",
    defaults: { test: "off", prod: "off" },
    on: ["create table"],
    check: ({ node }) =>
      isCreateTable(node) && !node.like && !setsOption(node, COLLATE_OPTIONS) ? [{ message: `Table ${targetTable(node)} has no collation.` }] : NO_HITS,
  }),
];
