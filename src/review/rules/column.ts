// Column rules: types, defaults, nullability and the column changes that rewrite a table or lose data.
import { alterActions, asArray, canonicalType, columnName, commentOn, dataType, definedColumns, functionName, hasDefault, isAutoIncrement, isCreateTable, isNotNull, isPrimaryKeyColumn, isUnsigned, targetTable } from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewOptions } from "../config.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { collationName, type WalkColumn } from "../walk-through.ts";
import { BOTH, MYSQL, POSTGRES, schemaRule, statementRule } from "./define.ts";
import { finalState } from "./end-state.ts";

const INTEGER_TYPES = new Set(["TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT"]);
const SERIAL_TYPES = new Set(["SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL4", "SERIAL8", "SERIAL2"]);
const VARCHAR_TYPES = new Set(["VARCHAR", "CHARACTER VARYING", "NVARCHAR"]);
const CHAR_TYPES = new Set(["CHAR", "CHARACTER", "NCHAR"]);
const CURRENT_TIME_TYPES = new Set(["TIMESTAMP", "DATETIME"]);
/** Functions whose value differs per row: a column default that calls one rewrites the table on ADD COLUMN. */
const VOLATILE_FUNCTIONS = new Set(["random", "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v4", "uuid_generate_v1", "nextval", "txid_current"]);

/** A rule on the declared length of a character type (VARCHAR(n), CHAR(n)) against a configured maximum. */
function declaredLengthRule(spec: { id: string; description: string; advice: string; types: ReadonlySet<string>; typeName: string; limit: (options: ReviewOptions) => number }): ReviewRule {
  return statementRule({
    id: spec.id,
    category: "column",
    engines: BOTH,
    description: spec.description,
    advice: spec.advice,
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node, options }) => {
      const max = spec.limit(options);
      return definedColumns(node)
        .filter(({ node: column }) => spec.types.has(dataType(column.definition)) && Number(column.definition?.length) > max)
        .map(({ name, node: column }) => ({ message: `Column ${name} is ${spec.typeName}(${column.definition.length}) (max ${max}).` }));
    },
  });
}

/** MySQL's character types, which take a character set and a collation. */
const CHARACTER_TYPES = new Set(["CHAR", "VARCHAR", "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT"]);

/** MySQL: a character column that CREATE TABLE or ADD COLUMN defines without stating one of its attributes (as Bytebase reads them). */
function columnAttributeRule(spec: { id: string; attribute: string; advice: string; has: (column: AstNode) => boolean }): ReviewRule {
  return statementRule({
    id: spec.id,
    category: "column",
    engines: MYSQL,
    description: `CHAR/VARCHAR/TEXT column that CREATE TABLE or ADD COLUMN defines without its ${spec.attribute}: it takes the table's.`,
    advice: spec.advice,
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter column"],
    check: ({ node }) =>
      definedColumns(node)
        .filter(({ node: column }) => (isCreateTable(node) || column.action === "add") && CHARACTER_TYPES.has(dataType(column.definition)) && !spec.has(column))
        .map(({ name }) => ({ message: `Column ${name} has no ${spec.attribute}.` })),
  });
}

const addedColumns = (node: AstNode) => alterActions(node).filter((action) => action.action === "add" && action.resource === "column");

/** ALTER TABLE on a table that existed before the change, or undefined. */
function existingAlter(ctx: StatementContext): string | undefined {
  if (ctx.node.type !== "alter" || ctx.node.keyword === "view") return undefined;
  const table = targetTable(ctx.node);
  return table && ctx.isExistingTable(table) ? table : undefined;
}

/** MySQL types that take no literal DEFAULT (before 8.0.13, and expression defaults only since): large objects, JSON, geometry. */
const NO_DEFAULT_TYPES = /^(TINY|MEDIUM|LONG)?(BLOB|TEXT)$|^JSON$|^GEOMETRY|^POINT$|^LINESTRING$|^POLYGON$|^MULTI/;

/** ALTER TABLE clauses that redefine a column: MODIFY, CHANGE, and PostgreSQL's ALTER COLUMN ... TYPE. */
const redefinitions = (node: AstNode) =>
  alterActions(node).filter((action) => action.resource === "column" && (action.action === "modify" || action.action === "change" || (action.action === "alter" && action.definition)));

/** Whether a redefinition changes the column's type (not only its nullability, default or comment). */
function changesType(before: WalkColumn | undefined, action: AstNode): boolean {
  if (!before) return true;
  const length = Number(action.definition?.length);
  return (
    canonicalType(before.type) !== canonicalType(dataType(action.definition)) ||
    (Number.isFinite(length) && before.length !== undefined && before.length !== length) ||
    before.unsigned !== (isUnsigned(action.definition) || asArray(action.definition?.suffix).map(String).includes("ZEROFILL"))
  );
}

/** Columns a statement adds to or redefines in a table, as the walk-through catalog holds them after it. */
function statementColumns(ctx: StatementContext): WalkColumn[] {
  if (!isCreateTable(ctx.node) && ctx.node.type !== "alter") return [];
  const table = ctx.schema.after(targetTable(ctx.node));
  if (!table) return [];
  const names = new Set(definedColumns(ctx.node).map((column) => column.name.toLowerCase()));
  return table.columns.filter((column) => names.has(column.name.toLowerCase()));
}

const isUnsignedOrZerofill = (column: AstNode): boolean =>
  isUnsigned(column.definition) || asArray(column.definition?.suffix).some((suffix) => String(suffix).toUpperCase() === "ZEROFILL");

/** Lower-cased primary-key columns of the statement's table as it stands after the statement. */
function primaryKeyColumns(ctx: StatementContext): Set<string> {
  if (!isCreateTable(ctx.node) && ctx.node.type !== "alter") return new Set();
  const table = ctx.schema.after(targetTable(ctx.node));
  return new Set(table?.indexes.filter((index) => index.kind === "primary").flatMap((index) => index.columns) ?? []);
}

/** Whether a defined column lacks a default it should have: keys, auto-increment, generated and serial columns (and MySQL's large objects) need none. */
function columnsNeedingDefault(ctx: StatementContext): (column: { name: string; node: AstNode }) => boolean {
  const keyColumns = primaryKeyColumns(ctx);
  return ({ name, node: column }) => {
    const type = dataType(column.definition);
    return (
      !hasDefault(column) &&
      !keyColumns.has(name.toLowerCase()) &&
      !isPrimaryKeyColumn(column) &&
      !isAutoIncrement(column) &&
      !isGenerated(column) &&
      !SERIAL_TYPES.has(type) &&
      !(ctx.engine === "mysql" && NO_DEFAULT_TYPES.test(type))
    );
  };
}

function isGenerated(column: AstNode): boolean {
  return Boolean(column.generated) || Boolean(column.definition?.generated);
}

export const columnRules: ReviewRule[] = [
  statementRule({
    id: "column.drop",
    category: "column",
    engines: BOTH,
    description: "DROP COLUMN loses the column's data.",
    advice: "Stop using the column in the application first, back it up, then drop it in its own change.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter column"],
    check: ({ node }) =>
      alterActions(node)
        .filter((action) => action.action === "drop" && action.resource === "column")
        .map((action) => ({ message: `Column ${columnName(action.column)} of ${targetTable(node)} is dropped.` })),
  }),
  statementRule({
    id: "column.rename",
    category: "column",
    engines: BOTH,
    description: "Renaming a column (RENAME COLUMN, or CHANGE with a new name) breaks queries that use the old name.",
    advice: "Add the new column, backfill, move the application, then drop the old one.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter"],
    check: ({ node }) =>
      alterActions(node)
        .filter(
          (action) =>
            (action.action === "rename" && action.resource === "column") ||
            (action.action === "change" && columnName(action.old_column).toLowerCase() !== columnName(action.column).toLowerCase()),
        )
        .map((action) => ({ message: `Column ${columnName(action.old_column)} is renamed to ${columnName(action.column)}.` })),
  }),
  statementRule({
    id: "column.not-null-without-default",
    category: "column",
    engines: BOTH,
    description: "ADD COLUMN ... NOT NULL without DEFAULT on an existing table fails (PostgreSQL) or fills in implicit zero values (MySQL).",
    advice: "Give the column a DEFAULT, or add it nullable, backfill, then set NOT NULL.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter column"],
    check: (ctx) => {
      const table = existingAlter(ctx);
      if (!table) return [];
      return addedColumns(ctx.node)
        .filter((column) => isNotNull(column) && !hasDefault(column) && !isAutoIncrement(column) && !isGenerated(column) && !SERIAL_TYPES.has(dataType(column.definition)))
        .map((column) => ({ message: `Column ${columnName(column.column)} is added to ${table} as NOT NULL without a default.` }));
    },
  }),
  statementRule({
    id: "column.type-change",
    category: "column",
    engines: BOTH,
    description: "MODIFY/CHANGE/ALTER COLUMN TYPE that changes a column's type: it rewrites the table and can truncate or reject data.",
    advice: "Check the old and new types; prefer adding a new column, backfilling and switching over.",
    defaults: { test: "warning", prod: "warning" },
    on: ["alter column"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      if (ctx.node.type !== "alter" || ctx.node.keyword === "view") return [];
      const table = targetTable(ctx.node);
      const before = ctx.schema.before(table);
      return redefinitions(ctx.node)
        .filter((action) => {
          const old = columnName(action.action === "change" ? action.old_column : action.column).toLowerCase();
          return changesType(before?.columns.find((column) => column.name.toLowerCase() === old), action);
        })
        .map((action): RuleHit => ({
          table,
          message: `Column ${columnName(action.column)} of ${table} is redefined as ${dataType(action.definition)}: a type change rewrites the table and may lose data.`,
        }));
    },
  }),
  statementRule({
    id: "column.default.require",
    category: "column",
    engines: BOTH,
    description: "NOT NULL column without a DEFAULT (keys, auto-increment, generated and BLOB/TEXT/JSON columns excepted).",
    advice: "Give the column a DEFAULT so inserts that omit it keep working.",
    defaults: { test: "off", prod: "warning" },
    on: ["create table", "alter column"],
    check: (ctx) => {
      if (definedColumns(ctx.node).length === 0) return [];
      const needsDefault = columnsNeedingDefault(ctx);
      return definedColumns(ctx.node)
        .filter((column) => isNotNull(column.node) && needsDefault(column))
        .map(({ name }) => ({ message: `Column ${name} is NOT NULL without a default.` }));
    },
  }),
  statementRule({
    id: "column.default.require-all",
    category: "column",
    engines: BOTH,
    description: "Column without a DEFAULT, nullable or not (keys, auto-increment, generated and BLOB/TEXT/JSON columns excepted).",
    advice: "Give every column a DEFAULT, for teams whose policy is that inserts may omit any column.",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter column"],
    check: (ctx) => {
      if (definedColumns(ctx.node).length === 0) return [];
      const needsDefault = columnsNeedingDefault(ctx);
      return definedColumns(ctx.node)
        .filter(needsDefault)
        .map(({ name }) => ({ message: `Column ${name} has no default.` }));
    },
  }),
  schemaRule({
    id: "column.comment.require",
    category: "column",
    engines: BOTH,
    description: "A column the change defines is left without a comment (COMMENT '...' or COMMENT ON COLUMN).",
    advice: "Add a comment saying what the column holds.",
    defaults: { test: "off", prod: "off" },
    check: ({ tables }) =>
      tables.flatMap(({ steps }) => {
        const table = finalState(steps);
        return (table?.columns ?? [])
          .filter((column) => column.definedAt !== undefined && !column.comment)
          .map((column) => ({ ordinal: column.definedAt!, message: `Column ${table!.name}.${column.name} has no comment.` }));
      }),
  }),
  statementRule({
    id: "column.auto-increment.unsigned-integer",
    category: "column",
    engines: MYSQL,
    description: "AUTO_INCREMENT column that is not an unsigned integer wastes half its range or is not an integer at all.",
    advice: "Use INT UNSIGNED or BIGINT UNSIGNED.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node }) =>
      definedColumns(node)
        .filter(({ node: column }) => isAutoIncrement(column) && !(INTEGER_TYPES.has(dataType(column.definition)) && isUnsignedOrZerofill(column)))
        .map(({ name, node: column }) => ({ message: `AUTO_INCREMENT column ${name} is ${dataType(column.definition)}${isUnsignedOrZerofill(column) ? " UNSIGNED" : ""}.` })),
  }),
  statementRule({
    id: "column.on-update-current-timestamp",
    category: "column",
    engines: MYSQL,
    description: "ON UPDATE CURRENT_TIMESTAMP on a non-TIMESTAMP/DATETIME column, on more than one column of a table, or more than two columns defaulting to the current time.",
    advice: "Keep one `updated_at` TIMESTAMP/DATETIME column with ON UPDATE CURRENT_TIMESTAMP, and one `created_at` with DEFAULT CURRENT_TIMESTAMP.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: (ctx) => {
      const defined = statementColumns(ctx);
      const hits: RuleHit[] = defined
        .filter((column) => column.onUpdateCurrentTime && !CURRENT_TIME_TYPES.has(column.type))
        .map((column) => ({ message: `ON UPDATE CURRENT_TIMESTAMP on ${column.type} column ${column.name}.` }));
      const table = ctx.schema.after(targetTable(ctx.node));
      if (!table || defined.length === 0) return hits;
      const onUpdate = table.columns.filter((column) => column.onUpdateCurrentTime).length;
      const currentDefault = table.columns.filter((column) => column.defaultCurrentTime).length;
      if (onUpdate > 1 && defined.some((column) => column.onUpdateCurrentTime)) hits.push({ message: `${onUpdate} columns of ${table.name} have ON UPDATE CURRENT_TIMESTAMP.` });
      if (currentDefault > 2 && defined.some((column) => column.defaultCurrentTime)) hits.push({ message: `${currentDefault} columns of ${table.name} default to the current time.` });
      return hits;
    },
  }),
  statementRule({
    id: "column.pg.set-not-null",
    category: "column",
    engines: POSTGRES,
    description: "SET NOT NULL on an existing column scans the whole table under an ACCESS EXCLUSIVE lock.",
    advice: "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ skips the scan).",
    defaults: { test: "warning", prod: "error" },
    on: ["alter"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      const table = existingAlter(ctx);
      if (!table) return [];
      return alterActions(ctx.node)
        .filter((action) => action.action === "alter" && action.nullable?.action === "set" && action.nullable?.type === "not null")
        .map((action): RuleHit => ({ table, message: `SET NOT NULL on ${table}.${columnName(action.column)}.` }));
    },
  }),
  statementRule({
    id: "column.pg.volatile-default",
    category: "column",
    engines: POSTGRES,
    description: "ADD COLUMN with a volatile DEFAULT (random(), clock_timestamp(), serial...) rewrites the whole table (and fills it row by row).",
    advice: "Add the column without a default (or with a constant one), then backfill in batches.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      const table = targetTable(ctx.node);
      return addedColumns(ctx.node)
        .filter((column) => {
          const value = column.default_val?.value as AstNode | undefined;
          return SERIAL_TYPES.has(dataType(column.definition)) || (value?.type === "function" && VOLATILE_FUNCTIONS.has(functionName(value)));
        })
        .map((column): RuleHit => ({ table, message: `Column ${columnName(column.column)} added to ${table} with a volatile default: the table is rewritten.` }));
    },
  }),
  statementRule({
    id: "column.pg.timestamp-with-time-zone",
    category: "column",
    engines: POSTGRES,
    description: "timestamp without time zone stores wall-clock times that are ambiguous across zones.",
    advice: "Use timestamptz.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node }) =>
      definedColumns(node)
        .filter(({ node: column }) => dataType(column.definition) === "TIMESTAMP" && !asArray(column.definition?.suffix).map(String).includes("WITH"))
        .map(({ name }) => ({ message: `Column ${name} is timestamp without time zone.` })),
  }),
  statementRule({
    id: "column.pg.prefer-text",
    category: "column",
    engines: POSTGRES,
    description: "varchar(n) in PostgreSQL is text with a length check that is costly to change later.",
    advice: "Use text, with a CHECK constraint on length if it matters.",
    defaults: { test: "off", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node }) =>
      definedColumns(node)
        .filter(({ node: column }) => ["VARCHAR", "CHARACTER VARYING"].includes(dataType(column.definition)) && column.definition?.length !== undefined)
        .map(({ name }) => ({ message: `Column ${name} is varchar(n).` })),
  }),
  statementRule({
    id: "column.pg.prefer-identity",
    category: "column",
    engines: POSTGRES,
    description: "serial/bigserial columns: identity columns are the SQL-standard replacement with clearer ownership.",
    advice: "Use bigint GENERATED ALWAYS AS IDENTITY.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node }) =>
      definedColumns(node)
        .filter(({ node: column }) => SERIAL_TYPES.has(dataType(column.definition)))
        .map(({ name, node: column }) => ({ message: `Column ${name} is ${dataType(column.definition).toLowerCase()}.` })),
  }),
  statementRule({
    id: "column.pg.prefer-jsonb",
    category: "column",
    engines: POSTGRES,
    description: "json columns keep text as written and cannot be indexed like jsonb.",
    advice: "Use jsonb.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node }) =>
      definedColumns(node)
        .filter(({ node: column }) => dataType(column.definition) === "JSON")
        .map(({ name }) => ({ message: `Column ${name} is json.` })),
  }),
  statementRule({
    id: "column.type.disallow",
    category: "column",
    engines: BOTH,
    description: "Column of a type listed in `disallowedColumnTypes` (empty by default).",
    advice: "Use another type, or remove it from `disallowedColumnTypes`.",
    defaults: { test: "warning", prod: "error" },
    on: ["create table", "alter column"],
    check: ({ node, options }) => {
      if (options.disallowedColumnTypes.length === 0) return [];
      const disallowed = new Set(options.disallowedColumnTypes.map((type) => type.toUpperCase()));
      return [...definedColumns(node), ...redefinitions(node).filter((action) => action.action === "alter").map((action) => ({ name: columnName(action.column), node: action }))]
        .filter(({ node: column }) => disallowed.has(dataType(column.definition)))
        .map(({ name, node: column }) => ({ message: `Column ${name} is ${dataType(column.definition)}, which is not allowed.` }));
    },
  }),
  declaredLengthRule({
    id: "column.varchar.max-length",
    description: "VARCHAR(n) with n above `maxVarcharLength`.",
    advice: "Use TEXT for long values, or a shorter VARCHAR.",
    types: VARCHAR_TYPES,
    typeName: "VARCHAR",
    limit: (options) => options.maxVarcharLength,
  }),
  declaredLengthRule({
    id: "column.char.max-length",
    description: "CHAR(n) with n above `maxCharLength`: fixed-length columns pad every value to n.",
    advice: "Use VARCHAR for values that vary in length.",
    types: CHAR_TYPES,
    typeName: "CHAR",
    limit: (options) => options.maxCharLength,
  }),
  statementRule({
    id: "column.mysql.enum-max-values",
    category: "column",
    engines: MYSQL,
    description: "ENUM or SET with more values than `maxEnumValues`.",
    advice: "Use a lookup table with a foreign key instead.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node, options }) =>
      definedColumns(node)
        .filter(({ node: column }) => ["ENUM", "SET"].includes(dataType(column.definition)) && asArray(column.definition?.expr?.value).length > options.maxEnumValues)
        .map(({ name, node: column }) => ({ message: `Column ${name} has ${asArray(column.definition.expr.value).length} values (max ${options.maxEnumValues}).` })),
  }),
  statementRule({
    id: "column.comment.max-length",
    category: "column",
    engines: BOTH,
    description: "Column comment longer than `maxCommentLength`.",
    advice: "Shorten the comment.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column", "comment"],
    check: ({ node, options }) =>
      [...definedColumns(node).map(({ node: column }) => String(column.comment?.value?.value ?? "")), ...commentOn(node, "column")]
        .filter((comment) => comment.length > options.maxCommentLength)
        .map((comment) => ({ message: `Column comment is ${comment.length} characters (max ${options.maxCommentLength}).` })),
  }),
  statementRule({
    id: "column.mysql.change-order",
    category: "column",
    engines: MYSQL,
    description: "MODIFY/CHANGE ... FIRST/AFTER moves the column, which copies the table.",
    advice: "Leave column order alone; select columns by name.",
    defaults: { test: "warning", prod: "warning" },
    on: ["alter"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      const table = targetTable(ctx.node);
      return alterActions(ctx.node)
        .filter((action) => ["modify", "change"].includes(action.action) && ["FIRST", "AFTER"].includes(String(action.suffix?.keyword ?? "").toUpperCase()))
        .map((action): RuleHit => ({ table, message: `Column ${columnName(action.column)} of ${table} is moved (${String(action.suffix.keyword).toUpperCase()}).` }));
    },
  }),
  statementRule({
    id: "column.mysql.charset",
    category: "column",
    engines: MYSQL,
    description: "Column-level CHARACTER SET: the column differs from its table, and joins across charsets cannot use indexes.",
    advice: "Set the charset on the table and leave it off the columns.",
    defaults: { test: "off", prod: "warning" },
    check: ({ node, parsed }) => {
      const charsets = [...parsed.columnCharsets, ...definedColumns(node).map((column) => column.node.character_set?.value?.value).filter(Boolean)];
      return charsets.length > 0 ? [{ message: `Column-level character set ${String(charsets[0]).toLowerCase()}.` }] : [];
    },
  }),
  statementRule({
    id: "column.not-null.require",
    category: "column",
    engines: BOTH,
    description: "Nullable column, for teams whose policy is NOT NULL everywhere.",
    advice: "Declare the column NOT NULL (with a DEFAULT if needed).",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter"],
    check: (ctx) => {
      const keyColumns = primaryKeyColumns(ctx);
      return [
        ...definedColumns(ctx.node).filter(({ name, node: column }) => !isNotNull(column) && !keyColumns.has(name.toLowerCase()) && !isPrimaryKeyColumn(column) && !isAutoIncrement(column) && !SERIAL_TYPES.has(dataType(column.definition))),
        ...alterActions(ctx.node).filter((action) => action.action === "alter" && action.nullable?.action === "drop").map((action) => ({ name: columnName(action.column) })),
      ].map(({ name }) => ({ message: `Column ${name} is nullable.` }));
    },
  }),
  statementRule({
    id: "column.pg.char",
    category: "column",
    engines: POSTGRES,
    description: "char(n) pads values with spaces and is no faster than text in PostgreSQL.",
    advice: "Use text (or varchar).",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: ({ node }) =>
      definedColumns(node)
        .filter(({ node: column }) => CHAR_TYPES.has(dataType(column.definition)))
        .map(({ name }) => ({ message: `Column ${name} is char(n).` })),
  }),
  statementRule({
    id: "column.pg.money",
    category: "column",
    engines: POSTGRES,
    description: "money depends on the lc_monetary setting and rounds fractions of a cent.",
    advice: "Use numeric (e.g. numeric(12,2)) and store the currency separately.",
    defaults: { test: "warning", prod: "error" },
    on: ["create table", "alter column"],
    check: ({ node }) =>
      definedColumns(node)
        .filter(({ node: column }) => dataType(column.definition) === "MONEY")
        .map(({ name }) => ({ message: `Column ${name} is money.` })),
  }),
  statementRule({
    id: "column.drop-in-index",
    category: "column",
    engines: BOTH,
    description: "DROP COLUMN of a column that is part of an index: the index changes or disappears with it.",
    advice: "Drop or rework the index explicitly first, so the change says what happens to it.",
    defaults: { test: "off", prod: "warning" },
    on: ["alter"],
    check: (ctx) => {
      const table = ctx.schema.before(targetTable(ctx.node));
      if (!table) return [];
      return alterActions(ctx.node)
        .filter((action) => action.action === "drop" && action.resource === "column")
        .map((action) => columnName(action.column).toLowerCase())
        .filter((column) => table.indexes.some((index) => index.columns.includes(column)))
        .map((column) => ({ message: `Column ${table.name}.${column} is part of an index.` }));
    },
  }),
  statementRule({
    id: "column.mysql.disallow-change",
    category: "column",
    engines: MYSQL,
    description: "ALTER TABLE ... CHANGE COLUMN: it renames and redefines in one clause, easy to get wrong.",
    advice: "Use MODIFY COLUMN to redefine and RENAME COLUMN to rename.",
    defaults: { test: "off", prod: "off" },
    on: ["alter"],
    check: ({ node }) =>
      alterActions(node)
        .filter((action) => action.action === "change" && action.resource === "column")
        .map((action) => ({ message: `CHANGE COLUMN ${columnName(action.old_column)}.` })),
  }),
  columnAttributeRule({
    id: "column.mysql.require-charset",
    attribute: "character set",
    advice: "State the column's character set: VARCHAR(50) CHARACTER SET utf8mb4.",
    has: (column) => Boolean(column.character_set),
  }),
  columnAttributeRule({
    id: "column.mysql.require-collation",
    attribute: "collation",
    advice: "State the column's collation: VARCHAR(50) COLLATE utf8mb4_0900_ai_ci.",
    has: (column) => collationName(column.collate) !== undefined,
  }),
];

