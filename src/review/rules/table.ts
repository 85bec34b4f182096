// Table rules: keys, options, renames, drops and MySQL/PostgreSQL operations that rewrite or lock a table.
import {
  addedConstraint,
  alterActions,
  asArray,
  constraintType,
  createTableColumns,
  createTableConstraints,
  definedColumns,
  isCreateTable,
  isPrimaryKeyColumn,
  tableName,
  targetTable,
} from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { BOTH, MYSQL, POSTGRES, statementRule } from "./define.ts";

/** Table options as `[keyword, value]`, lower-cased, from CREATE TABLE options and ALTER TABLE clauses. */
function tableOptions(node: AstNode): Array<[string, string]> {
  const optionValue = (value: unknown): string => {
    if (value && typeof value === "object") return optionValue((value as AstNode).value ?? (value as AstNode).name);
    return String(value ?? "").replace(/^'|'$/g, "").toLowerCase();
  };
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

const existingAlterTarget = (ctx: StatementContext): string | undefined => {
  if (ctx.node.type !== "alter" || ctx.node.keyword === "view") return undefined;
  const table = targetTable(ctx.node);
  return table && ctx.isExistingTable(table) ? table : undefined;
};

export const tableRules: ReviewRule[] = [
  statementRule({
    id: "table.primary-key.require",
    category: "table",
    engines: BOTH,
    description: "CREATE TABLE without a primary key.",
    advice: "Add a primary key; replication, online schema changes and row-level rollback need one.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node }) => {
      if (!isCreateTable(node) || node.like || node.query_expr || node.partition_of) return [];
      const hasKey =
        createTableColumns(node).some((column) => isPrimaryKeyColumn(column.node)) ||
        createTableConstraints(node).some((constraint) => constraintType(constraint) === "primary key");
      return hasKey ? [] : [{ message: `Table ${targetTable(node)} has no primary key.` }];
    },
  }),
  statementRule({
    id: "table.foreign-key.disallow",
    category: "table",
    engines: BOTH,
    description: "Foreign keys, for teams whose policy keeps integrity in the application.",
    advice: "Enforce the relation in the application, or turn this rule off.",
    defaults: { test: "off", prod: "off" },
    check: ({ node }) => (foreignKeys(node).length > 0 ? [{ message: `Foreign key on ${targetTable(node)}.` }] : []),
  }),
  statementRule({
    id: "table.comment.require",
    category: "table",
    engines: MYSQL,
    description: "CREATE TABLE without a table comment.",
    advice: "Add COMMENT '...' saying what the table holds.",
    defaults: { test: "off", prod: "off" },
    check: ({ node }) =>
      isCreateTable(node) && !tableOptions(node).some(([keyword, value]) => keyword === "comment" && value !== "")
        ? [{ message: `Table ${targetTable(node)} has no comment.` }]
        : [],
  }),
  statementRule({
    id: "table.required-columns",
    category: "table",
    engines: BOTH,
    description: "CREATE TABLE without the columns of `requiredColumns`.",
    advice: "Add the required columns (see the review options in sluice.yml).",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, options }) => {
      if (!isCreateTable(node) || node.like || node.query_expr || options.requiredColumns.length === 0) return [];
      const present = new Set(createTableColumns(node).map((column) => column.name.toLowerCase()));
      const missing = options.requiredColumns.filter((column) => !present.has(column.toLowerCase()));
      return missing.length > 0 ? [{ message: `Table ${targetTable(node)} lacks required column(s): ${missing.join(", ")}.` }] : [];
    },
  }),
  statementRule({
    id: "table.rename",
    category: "table",
    engines: BOTH,
    description: "Renaming a table breaks every query that still uses the old name.",
    advice: "Create the new table or a view first and move the application over before renaming.",
    defaults: { test: "warning", prod: "error" },
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
    check: ({ node }) =>
      node.type === "truncate" ? [{ message: `TRUNCATE ${asArray(node.name as AstNode[]).map(tableName).join(", ")}.` }] : [],
  }),
  statementRule({
    id: "table.charset",
    category: "table",
    engines: MYSQL,
    description: "Table or column character set outside the allowed `charsets` (default utf8mb4).",
    advice: "Use utf8mb4.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node, parsed, options }) => {
      if (!isCreateTable(node) && node.type !== "alter") return [];
      const allowed = new Set(options.charsets.map((charset) => charset.toLowerCase()));
      const used = [
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
    engines: MYSQL,
    description: "Table or column collation outside `collations` (by default: any collation of an allowed charset).",
    advice: "Use a collation of utf8mb4, e.g. utf8mb4_0900_ai_ci or utf8mb4_unicode_ci.",
    defaults: { test: "warning", prod: "error" },
    check: ({ node, options }) => {
      if (!isCreateTable(node) && node.type !== "alter") return [];
      const columns = isCreateTable(node) ? createTableColumns(node).map((column) => column.node) : alterActions(node);
      const used = [
        ...tableOptions(node).filter(([keyword]) => COLLATE_OPTIONS.has(keyword)).map(([, value]) => value),
        ...alterActions(node).filter((action) => action.resource === "convert" && action.collate).map((action) => String(action.collate)),
        ...columns.map((column) => column.collate?.collate?.name).filter(Boolean).map((name) => String(name).toLowerCase()),
      ];
      const allowed = (collation: string): boolean =>
        options.collations.length > 0
          ? options.collations.some((name) => name.toLowerCase() === collation)
          : options.charsets.some((charset) => collation.startsWith(`${charset.toLowerCase()}_`));
      return [...new Set(used.filter((collation) => !allowed(collation)))].map((collation) => ({
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
    check: ({ node }) =>
      isCreateTable(node) && tableOptions(node).some(([keyword]) => keyword === "partition by")
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
    description: "CREATE TABLE without a schema: the table lands in whatever schema search_path names first.",
    advice: "Qualify the name, e.g. CREATE TABLE app.orders (...).",
    defaults: { test: "off", prod: "off" },
    check: ({ node }) =>
      isCreateTable(node) && !targetTable(node).includes(".") ? [{ message: `Table ${targetTable(node)} has no schema qualifier.` }] : [],
  }),
  statementRule({
    id: "table.comment.max-length",
    category: "table",
    engines: MYSQL,
    description: "Table comment longer than `maxCommentLength`.",
    advice: "Shorten the comment; keep documentation elsewhere.",
    defaults: { test: "warning", prod: "warning" },
    check: ({ node, options }) =>
      tableOptions(node)
        .filter(([keyword, value]) => keyword === "comment" && value.length > options.maxCommentLength)
        .map(([, value]) => ({ message: `Table comment is ${value.length} characters (max ${options.maxCommentLength}).` })),
  }),
  statementRule({
    id: "table.foreign-key.on-delete-cascade",
    category: "table",
    engines: BOTH,
    description: "Foreign key with ON DELETE CASCADE: one DELETE silently removes rows in other tables.",
    advice: "Delete child rows explicitly, or use ON DELETE RESTRICT.",
    defaults: { test: "warning", prod: "warning" },
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
    description: "CREATE TABLE with an AUTO_INCREMENT start other than `autoIncrementInitialValue`.",
    advice: "Leave AUTO_INCREMENT= out, or set it to the configured start.",
    defaults: { test: "off", prod: "off" },
    check: ({ node, options }) =>
      isCreateTable(node)
        ? tableOptions(node)
            .filter(([keyword, value]) => keyword === "auto_increment" && Number(value) !== options.autoIncrementInitialValue)
            .map(([, value]) => ({ message: `AUTO_INCREMENT starts at ${value} (expected ${options.autoIncrementInitialValue}).` }))
        : [],
  }),
];
