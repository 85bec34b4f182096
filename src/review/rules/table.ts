// Table rules: keys, options, renames, drops and MySQL/PostgreSQL operations that rewrite or lock a table.
import {
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
  tableKey,
  tableName,
  targetTable,
} from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewOptions } from "../config.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { collationName, type WalkColumn, type WalkTable } from "../walk-through.ts";
import { BOTH, MYSQL, POSTGRES, schemaRule, statementRule } from "./define.ts";
import { brokenAt } from "./end-state.ts";

/** Tables a schema change creates, changes, renames, empties or drops, as written. */
function ddlTables(node: AstNode): string[] {
  if (node.type === "drop" && node.keyword === "table") return asArray(node.name as AstNode[]).map(tableName);
  if (node.type === "truncate") return asArray(node.name as AstNode[]).map(tableName);
  if (node.type === "rename") return asArray(node.table as AstNode[][]).flatMap((pair) => [tableName(pair[0]), String(pair[1]?.table ?? "")]);
  if (isCreateTable(node) || node.type === "alter" || (node.type === "create" && node.keyword === "index")) return node.keyword === "view" ? [] : [targetTable(node)];
  return [];
}

/** A rule that keeps the tables of a list out of one kind of statement. */
function listedTables(names: readonly string[]): (table: string) => boolean {
  const listed = new Set(names.map((name) => tableKey(name)));
  return (table) => table !== "" && listed.has(tableKey(table));
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

/** A table option's value as text, lower-cased and unquoted. */
function optionValue(value: unknown): string {
  if (value && typeof value === "object") return optionValue((value as AstNode).value ?? (value as AstNode).name);
  return String(value ?? "").replace(/^'|'$/g, "").toLowerCase();
}

/** Table options as `[keyword, value]`, lower-cased, from CREATE TABLE options and ALTER TABLE clauses. */
function tableOptions(node: AstNode): Array<[string, string]> {
  if (isCreateTable(node)) {
    return asArray(node.table_options as AstNode[]).map((option) => [String(option.keyword).toLowerCase(), optionValue(option.value)]);
  }
  return alterActions(node)
    .filter((action) => !action.action && action.keyword)
    .map((action) => {
      const keyword = String(action.keyword).toLowerCase();
      return [keyword, optionValue(action[keyword] ?? action[action.resource] ?? action.value)];
    });
}

/** CHARACTER SET / COLLATE of CREATE DATABASE and ALTER DATABASE. */
function databaseOptions(node: AstNode, option: "charset" | "collate"): string[] {
  if (node.type === "alter_database") return node[option] ? [String(node[option])] : [];
  if (node.type !== "create" || node.keyword !== "database") return [];
  const keywords = option === "charset" ? CHARSET_OPTIONS : COLLATE_OPTIONS;
  return asArray(node.create_definitions as AstNode[])
    .filter((definition) => keywords.has(String(definition.keyword).toLowerCase()))
    .map((definition) => String(definition.value?.value ?? definition.value));
}

/** A collation `collations` lists, or (when it is empty) one of an allowed charset. */
function collationAllowed(options: ReviewOptions, collation: string): boolean {
  return options.collations.length > 0
    ? options.collations.some((name) => name.toLowerCase() === collation)
    : options.charsets.some((charset) => collation.startsWith(`${charset.toLowerCase()}_`));
}

const CHARSET_OPTIONS = new Set(["default charset", "charset", "character set", "default character set"]);
const COLLATE_OPTIONS = new Set(["collate", "default collate"]);

function foreignKeys(node: AstNode): AstNode[] {
  if (isCreateTable(node)) {
    return [
      ...createTableConstraints(node).filter((constraint) => constraintType(constraint) === "foreign key"),
      ...createTableColumns(node).filter((column) => column.node.reference_definition?.table).map((column) => column.node),
    ];
  }
  return alterActions(node)
    .map(addedConstraint)
    .filter((constraint): constraint is AstNode => constraint !== undefined && constraintType(constraint) === "foreign key");
}

function addedChecks(node: AstNode): AstNode[] {
  return alterActions(node)
    .map(addedConstraint)
    .filter((constraint): constraint is AstNode => constraint !== undefined && constraintType(constraint) === "check");
}

/** Why a MySQL ALTER TABLE must copy the table (ALGORITHM=COPY) or block writes, as far as the text tells. */
function mysqlCopyReasons(node: AstNode): string[] {
  const reasons: string[] = [];
  for (const action of alterActions(node)) {
    if (action.resource === "algorithm" && String(action.algorithm).toUpperCase() === "COPY") reasons.push("ALGORITHM=COPY");
    if (action.resource === "lock" && ["SHARED", "EXCLUSIVE"].includes(String(action.lock).toUpperCase())) {
      reasons.push(`LOCK=${String(action.lock).toUpperCase()}`);
    }
    if (action.resource === "convert") reasons.push("CONVERT TO CHARACTER SET");
    if (action.action === "drop" && String(action.keyword).toLowerCase() === "primary key") reasons.push("DROP PRIMARY KEY");
    if (action.resource === "engine") reasons.push("ENGINE=");
  }
  return reasons;
}

/** Tables and sequences a statement names: what it creates, alters or drops, and what its DML reads or writes. */
function objectNames(node: AstNode): string[] {
  if (node.type === "create" && node.keyword === "sequence") return asArray(node.sequence as AstNode[]).map(tableName);
  if (node.type === "drop" && ["table", "sequence", "view", "index"].includes(String(node.keyword))) return asArray(node.name as AstNode[]).map(tableName);
  if (isCreateTable(node) || node.type === "alter" || (node.type === "create" && node.keyword === "index")) return [targetTable(node)];
  if (node.type === "select") return asArray(node.from as AstNode[]).filter((from) => from.table).map(tableName);
  if (["insert", "update", "delete"].includes(node.type)) return dmlTargets(node);
  return [];
}

const existingAlterTarget = (ctx: StatementContext): string | undefined => {
  if (ctx.node.type !== "alter" || ctx.node.keyword === "view") return undefined;
  const table = targetTable(ctx.node);
  return table && ctx.isExistingTable(table) ? table : undefined;
};

export const tableRules: ReviewRule[] = [
  schemaRule({
    id: "table.primary-key.require",
    category: "table",
    engines: BOTH,
    description: "A table the change creates or changes is left without a primary key at the end of the change.",
    advice: "Add a primary key; replication, online schema changes and row-level rollback need one.",
    defaults: { test: "warning", prod: "error" },
    check: ({ tables }) =>
      tables.flatMap(({ steps }) => {
        const ordinal = brokenAt(steps, (table) => !table.complete || table.partitionOf !== undefined || table.indexes.some((index) => index.kind === "primary"));
        return ordinal === undefined ? [] : [{ ordinal, message: `Table ${steps.at(-1)!.state!.name} has no primary key.` }];
      }),
  }),
  statementRule({
    id: "table.foreign-key.disallow",
    category: "table",
    engines: BOTH,
    description: "Foreign keys, for teams whose policy keeps integrity in the application.",
    advice: "Enforce the relation in the application, or turn this rule off.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter constraint", "alter index", "alter key"],
    check: ({ node }) => (foreignKeys(node).length > 0 ? [{ message: `Foreign key on ${targetTable(node)}.` }] : []),
  }),
  schemaRule({
    id: "table.comment.require",
    category: "table",
    engines: BOTH,
    description: "A table the change creates is left without a comment (COMMENT '...' or COMMENT ON TABLE).",
    advice: "Add a comment saying what the table holds.",
    defaults: { test: "off", prod: "off" },
    check: ({ tables }) =>
      tables.flatMap(({ steps }) => {
        const ordinal = brokenAt(steps, (table) => Boolean(table.comment));
        return ordinal === undefined ? [] : [{ ordinal, message: `Table ${steps.at(-1)!.state!.name} has no comment.` }];
      }),
  }),
  schemaRule({
    id: "table.required-columns",
    category: "table",
    engines: BOTH,
    description: "A table the change creates or changes lacks a column of `requiredColumns` at the end of the change.",
    advice: "Add the required columns (see the review options in sluice.yml).",
    defaults: { test: "warning", prod: "warning" },
    check: ({ tables, options }) => {
      if (options.requiredColumns.length === 0) return [];
      const missing = (table: WalkTable) => {
        const present = new Set(table.columns.map((column) => column.name.toLowerCase()));
        return options.requiredColumns.filter((column) => !present.has(column.toLowerCase()));
      };
      return tables.flatMap(({ steps }) => {
        const ordinal = brokenAt(steps, (table) => !table.complete || missing(table).length === 0);
        const table = steps.at(-1)!.state!;
        return ordinal === undefined ? [] : [{ ordinal, message: `Table ${table.name} lacks required column(s): ${missing(table).join(", ")}.` }];
      });
    },
  }),
  statementRule({
    id: "table.rename",
    category: "table",
    engines: BOTH,
    description: "Renaming a table breaks every query that still uses the old name.",
    advice: "Create the new table or a view first and move the application over before renaming.",
    defaults: { test: "warning", prod: "error" },
    on: ["rename", "alter"],
    check: ({ node }) => {
      if (node.type === "rename") return [{ message: "RENAME TABLE." }];
      const renamed = alterActions(node).some((action) => action.action === "rename" && action.resource === "table");
      return renamed && node.keyword !== "view" ? [{ message: `Table ${targetTable(node)} is renamed.` }] : [];
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
        : [],
  }),
  statementRule({
    id: "table.truncate",
    category: "table",
    engines: BOTH,
    description: "TRUNCATE removes every row and cannot be rolled back from the binlog or a row backup.",
    advice: "Use DELETE with a WHERE clause, or back up the table first.",
    defaults: { test: "warning", prod: "error" },
    on: ["truncate", "alter"],
    check: ({ node }) => {
      if (node.type === "truncate") return [{ message: `TRUNCATE ${asArray(node.name as AstNode[]).map(tableName).join(", ")}.` }];
      return alterActions(node).some((action) => action.action === "truncate" && action.resource === "partition")
        ? [{ message: `ALTER TABLE ${targetTable(node)} TRUNCATE PARTITION.` }]
        : [];
    },
  }),
  statementRule({
    id: "table.charset",
    category: "table",
    engines: MYSQL,
    description: "Database, table or column character set outside the allowed `charsets` (default utf8mb4).",
    advice: "Use utf8mb4.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node, parsed, options }) => {
      const allowed = new Set(options.charsets.map((charset) => charset.toLowerCase()));
      const used = [
        ...databaseOptions(node, "charset"),
        ...tableOptions(node).filter(([keyword]) => CHARSET_OPTIONS.has(keyword)).map(([, value]) => value),
        ...alterActions(node).filter((action) => action.resource === "convert").map((action) => String(action.charset)),
        ...parsed.columnCharsets,
        ...definedColumns(node).map((column) => column.node.character_set?.value?.value).filter(Boolean).map((name) => String(name).toLowerCase()),
      ];
      return [...new Set(used.filter((charset) => !allowed.has(charset)))].map((charset) => ({
        message: `Character set ${charset} is not allowed (allowed: ${options.charsets.join(", ")}).`,
      }));
    },
  }),
  statementRule({
    id: "table.collation",
    category: "table",
    engines: BOTH,
    description: "Database, table or column collation outside `collations` (when empty: on MySQL any collation of an allowed charset, on PostgreSQL any).",
    advice: "Use an allowed collation, e.g. utf8mb4_0900_ai_ci or utf8mb4_unicode_ci on MySQL.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node, options, engine }) => {
      if (options.collations.length === 0 && engine === "postgres") return [];
      const columns = isCreateTable(node) ? createTableColumns(node).map((column) => column.node) : alterActions(node);
      const used = [
        ...tableOptions(node).filter(([keyword]) => COLLATE_OPTIONS.has(keyword)).map(([, value]) => value),
        ...alterActions(node).filter((action) => action.resource === "convert" && action.collate).map((action) => String(action.collate)),
        ...columns.map((column) => collationName(column.collate)).filter((name): name is string => Boolean(name)),
        ...databaseOptions(node, "collate"),
      ].map((name) => name.toLowerCase());
      return [...new Set(used.filter((collation) => !collationAllowed(options, collation)))].map((collation) => ({
        message: `Collation ${collation} is not allowed.`,
      }));
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
      const table = existingAlterTarget(ctx);
      if (!table) return [];
      const reasons = mysqlCopyReasons(ctx.node);
      return reasons.length > 0 ? [{ table, message: `ALTER TABLE ${table} copies the table (${reasons.join(", ")}).` }] : [];
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
      const table = existingAlterTarget(ctx);
      if (!table || ctx.parsed.notValid) return [];
      return foreignKeys(ctx.node).map((): RuleHit => ({ table, message: `Foreign key added to ${table} without NOT VALID.` }));
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
      const table = existingAlterTarget(ctx);
      if (!table || ctx.parsed.notValid) return [];
      return addedChecks(ctx.node).map((): RuleHit => ({ table, message: `CHECK constraint added to ${table} without NOT VALID.` }));
    },
  }),
  statementRule({
    id: "table.partition.disallow",
    category: "table",
    engines: BOTH,
    description: "Partitioned table: partitioning changes how every query, key and maintenance job works.",
    advice: "Have a DBA confirm the partitioning scheme, or turn this rule off.",
    defaults: { test: "off", prod: "warning" },
    on: ["create table", "alter"],
    check: ({ node }) =>
      (isCreateTable(node) && (node.partition_of || tableOptions(node).some(([keyword]) => keyword === "partition by"))) ||
      alterActions(node).some((action) => action.resource === "partition" && action.action === "partition by")
        ? [{ message: `Table ${targetTable(node)} is partitioned.` }]
        : [],
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
      const table = existingAlterTarget(ctx);
      return table && tableOptions(ctx.node).some(([keyword]) => CHARSET_OPTIONS.has(keyword))
        ? [{ message: `ALTER TABLE ${table} changes only the default character set.` }]
        : [];
    },
  }),
  statementRule({
    id: "table.pg.schema-qualified",
    category: "table",
    engines: POSTGRES,
    description: "A table or sequence named without its schema (CREATE, ALTER, DROP, CREATE INDEX ON, INSERT/UPDATE/DELETE, SELECT ... FROM): it resolves through search_path.",
    advice: "Qualify the name, e.g. app.orders.",
    defaults: { test: "off", prod: "off" },
    check: ({ node }) =>
      [...new Set(objectNames(node).filter((name) => name !== "" && !name.includes(".")))].map((name) => ({ message: `${name} has no schema qualifier.` })),
  }),
  statementRule({
    id: "table.comment.max-length",
    category: "table",
    engines: BOTH,
    description: "Table comment longer than `maxCommentLength`.",
    advice: "Shorten the comment; keep documentation elsewhere.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter", "comment"],
    check: ({ node, options }) =>
      [...tableOptions(node).filter(([keyword]) => keyword === "comment").map(([, value]) => value), ...commentOn(node, "table")]
        .filter((value) => value.length > options.maxCommentLength)
        .map((value) => ({ message: `Table comment is ${value.length} characters (max ${options.maxCommentLength}).` })),
  }),
  statementRule({
    id: "table.foreign-key.on-delete-cascade",
    category: "table",
    engines: BOTH,
    description: "Foreign key with ON DELETE CASCADE: one DELETE silently removes rows in other tables.",
    advice: "Delete child rows explicitly, or use ON DELETE RESTRICT.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter constraint", "alter index", "alter key"],
    check: ({ node }) =>
      foreignKeys(node)
        .filter((key) =>
          asArray(key.reference_definition?.on_action as AstNode[]).some(
            (action) => action.type === "on delete" && String(action.value?.value ?? "").toLowerCase() === "cascade",
          ),
        )
        .map(() => ({ message: `Foreign key on ${targetTable(node)} has ON DELETE CASCADE.` })),
  }),
  statementRule({
    id: "table.mysql.auto-increment-initial",
    category: "table",
    engines: MYSQL,
    description: "CREATE/ALTER TABLE with an AUTO_INCREMENT start other than `autoIncrementInitialValue`.",
    advice: "Leave AUTO_INCREMENT= out, or set it to the configured start.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter"],
    check: ({ node, options }) =>
      tableOptions(node)
        .filter(([keyword, value]) => keyword === "auto_increment" && Number(value) !== options.autoIncrementInitialValue)
        .map(([, value]) => ({ message: `AUTO_INCREMENT starts at ${value} (expected ${options.autoIncrementInitialValue}).` })),
  }),
  statementRule({
    id: "table.mysql.disallow-set-charset",
    category: "table",
    engines: MYSQL,
    description: "CREATE/ALTER TABLE that sets the table's character set: tables should inherit the database's.",
    advice: "Leave CHARSET out and set it once on the database.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter"],
    check: ({ node }) =>
      tableOptions(node).some(([keyword]) => CHARSET_OPTIONS.has(keyword)) || alterActions(node).some((action) => action.resource === "convert")
        ? [{ message: `Table ${targetTable(node)} sets its character set.` }]
        : [],
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
      [...new Set(ddlTables(node).filter(listedTables(options.ddlDisallowedTables)))].map((table) => ({ message: `Schema change on ${table}, which is in ddlDisallowedTables.` })),
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
      [...new Set(dmlTargets(node).filter(listedTables(options.dmlDisallowedTables)))].map((table) => ({ message: `Data change on ${table}, which is in dmlDisallowedTables.` })),
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
      if (!isCreateTable(ctx.node) && ctx.node.type !== "alter") return [];
      const table = ctx.schema.after(targetTable(ctx.node));
      if (!table) return [];
      const total = table.columns.reduce((sum, column) => sum + textFieldLength(column), 0);
      return total > ctx.options.maxTextFieldsTotalLength ? [{ message: `Table ${table.name}'s text columns hold ${total} characters together (max ${ctx.options.maxTextFieldsTotalLength}).` }] : [];
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
      isCreateTable(node) && !node.like && !tableOptions(node).some(([keyword]) => CHARSET_OPTIONS.has(keyword)) ? [{ message: `Table ${targetTable(node)} has no character set.` }] : [],
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
      isCreateTable(node) && !node.like && !tableOptions(node).some(([keyword]) => COLLATE_OPTIONS.has(keyword)) ? [{ message: `Table ${targetTable(node)} has no collation.` }] : [],
  }),
];
