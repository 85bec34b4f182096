// Column rules: types, defaults, nullability and the column changes that rewrite a table or lose data.
import {
  EMPTY,
  alterActions,
  asArray,
  canonicalType,
  columnName,
  commentOn,
  dataType,
  definedColumns,
  functionName,
  hasDefault,
  hasTypeSuffix,
  isAutoIncrement,
  isCreateTable,
  isNotNull,
  isPrimaryKeyColumn,
  isUnsigned,
  targetTable,
  type ColumnDefinition,
} from "../ast.ts";
import type { AstNode } from "../parse.ts";
import type { ReviewOptions } from "../config.ts";
import type { ReviewRule, RuleHit, StatementContext } from "../types.ts";
import { collationName, type WalkColumn, type WalkTable } from "../walk-through.ts";
import { configuredSet } from "./configured.ts";
import { BOTH, MYSQL, NO_HITS, POSTGRES, schemaRule, statementRule } from "./define.ts";
import { finalStates } from "./end-state.ts";

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
    check: eachDefinedColumn(({ name, node: column, type }, { options }) => {
      if (!spec.types.has(type)) return undefined;
      const max = spec.limit(options);
      return Number(column.definition?.length) > max ? { message: `Column ${name} is ${spec.typeName}(${column.definition.length}) (max ${max}).` } : undefined;
    }),
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
    check: eachDefinedColumn(({ name, node: column, type }, { node }) =>
      (isCreateTable(node) || column.action === "add") && CHARACTER_TYPES.has(type) && !spec.has(column) ? { message: `Column ${name} has no ${spec.attribute}.` } : undefined,
    ),
  });
}

const isAddedColumn = (action: AstNode): boolean => action.action === "add" && action.resource === "column";

/** ALTER TABLE on a table that existed before the change, or undefined. */
function existingAlter(ctx: StatementContext): string | undefined {
  if (ctx.node.type !== "alter" || ctx.node.keyword === "view") return undefined;
  const table = targetTable(ctx.node);
  return table && ctx.isExistingTable(table) ? table : undefined;
}

/** MySQL types that take no literal DEFAULT (before 8.0.13, and expression defaults only since): large objects, JSON, geometry. */
const NO_DEFAULT_TYPES = new Set(["BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "JSON", "POINT", "LINESTRING", "POLYGON"]);
const takesNoDefault = (type: string): boolean => NO_DEFAULT_TYPES.has(type) || type.startsWith("GEOMETRY") || type.startsWith("MULTI");

/** An ALTER TABLE clause that redefines a column: MODIFY, CHANGE, and PostgreSQL's ALTER COLUMN ... TYPE. */
const isRedefinition = (action: AstNode): boolean =>
  action.resource === "column" && (action.action === "modify" || action.action === "change" || (action.action === "alter" && Boolean(action.definition)));

/** The column of that name (any case) in a table, if the table is known and has it. */
function findColumn(table: WalkTable | undefined, name: string): WalkColumn | undefined {
  if (!table) return undefined;
  const lower = name.toLowerCase();
  for (let i = 0; i < table.columns.length; i++) {
    const column = table.columns[i]!;
    if (column.name.toLowerCase() === lower) return column;
  }
  return undefined;
}

/** Whether a redefinition changes the column's type (not only its nullability, default or comment). */
function changesType(before: WalkColumn | undefined, action: AstNode): boolean {
  if (!before) return true;
  const length = Number(action.definition?.length);
  return (
    canonicalType(before.type) !== canonicalType(dataType(action.definition)) ||
    (Number.isFinite(length) && before.length !== undefined && before.length !== length) ||
    before.unsigned !== isUnsigned(action.definition)
  );
}

const NO_COLUMNS: readonly string[] = EMPTY;

/**
 * Lower-cased primary-key columns of the statement's table as the statement leaves it. Rules read it only once a
 * column would be reported otherwise: most columns are settled by their own definition.
 */
function primaryKeyAfter(ctx: StatementContext): readonly string[] {
  const table = ctx.schema.after(targetTable(ctx.node));
  let columns = NO_COLUMNS;
  if (!table) return columns;
  for (let i = 0; i < table.indexes.length; i++) {
    const index = table.indexes[i]!;
    if (index.kind === "primary") columns = columns.length === 0 ? index.columns : columns.concat(index.columns);
  }
  return columns;
}

/**
 * Whether a defined column lacks a default it should have, as its definition tells: keys, auto-increment, generated and
 * serial columns (and MySQL's large objects) need none. A column of the table's primary key needs none either.
 */
function needsDefault(engine: StatementContext["engine"], { node: column, type }: ColumnDefinition): boolean {
  return (
    !hasDefault(column) &&
    !isPrimaryKeyColumn(column) &&
    !isAutoIncrement(column) &&
    !isGenerated(column) &&
    !SERIAL_TYPES.has(type) &&
    !(engine === "mysql" && takesNoDefault(type))
  );
}

function isGenerated(column: AstNode): boolean {
  return Boolean(column.generated) || Boolean(column.definition?.generated);
}

/** The column's own comment (COMMENT '...'), empty when it has none. */
const columnComment = (column: AstNode): string => String(column.comment?.value?.value ?? "");

const commentTooLong = (comment: string, max: number): RuleHit => ({ message: `Column comment is ${comment.length} characters (max ${max}).` });

/** Whether any index of the table has the (lower-cased) column among its key parts. */
function isIndexed(table: WalkTable, column: string): boolean {
  for (let i = 0; i < table.indexes.length; i++) {
    const index = table.indexes[i]!;
    if (index.columns.includes(column)) return true;
  }
  return false;
}

/** Whether the statement defines a column of that name (any case). */
function definesColumn(defined: readonly ColumnDefinition[], name: string): boolean {
  const lower = name.toLowerCase();
  for (let i = 0; i < defined.length; i++) {
    const column = defined[i]!;
    if (column.name.toLowerCase() === lower) return true;
  }
  return false;
}

const disallowedTypes = configuredSet((type) => type.toUpperCase());

/**
 * A check reporting, for each column a statement defines, what `judge` finds wrong with it (undefined when nothing).
 * `judge` is made once with the rule, so a statement whose columns are all fine costs no allocation.
 */
function eachDefinedColumn(judge: (column: ColumnDefinition, ctx: StatementContext) => RuleHit | undefined): (ctx: StatementContext) => readonly RuleHit[] {
  return (ctx) => {
    let hits: RuleHit[] | undefined;
    const columns = definedColumns(ctx.node);
    for (let i = 0; i < columns.length; i++) {
      const hit = judge(columns[i]!, ctx);
      if (hit) (hits ??= []).push(hit);
    }
    return hits ?? NO_HITS;
  };
}

/** A check reporting each column a statement defines whose type `matches` (the rules that flag a type). */
const columnsOfType = (matches: (type: string) => boolean, message: (name: string, type: string) => string) =>
  eachDefinedColumn(({ name, type }) => (matches(type) ? { message: message(name, type) } : undefined));

export const columnRules: ReviewRule[] = [
  statementRule({
    id: "column.drop",
    category: "column",
    engines: BOTH,
    description: "DROP COLUMN loses the column's data.",
    advice: "Stop using the column in the application first, back it up, then drop it in its own change.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter column"],
    check: ({ node }) => {
      let hits: RuleHit[] | undefined;
      const actions = alterActions(node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.action === "drop" && action.resource === "column") (hits ??= []).push({ message: `Column ${columnName(action.column)} of ${targetTable(node)} is dropped.` });
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "column.rename",
    category: "column",
    engines: BOTH,
    description: "Renaming a column (RENAME COLUMN, or CHANGE with a new name) breaks queries that use the old name.",
    advice: "Add the new column, backfill, move the application, then drop the old one.",
    defaults: { test: "warning", prod: "error" },
    // RENAME COLUMN and CHANGE are both clauses on a column (resource "column").
    on: ["alter column"],
    check: ({ node }) => {
      let hits: RuleHit[] | undefined;
      const actions = alterActions(node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        const renames =
          (action.action === "rename" && action.resource === "column") ||
          (action.action === "change" && columnName(action.old_column).toLowerCase() !== columnName(action.column).toLowerCase());
        if (renames) (hits ??= []).push({ message: `Column ${columnName(action.old_column)} is renamed to ${columnName(action.column)}.` });
      }
      return hits ?? NO_HITS;
    },
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
      let hits: RuleHit[] | undefined;
      let table: string | undefined;
      const actions = alterActions(ctx.node);
      for (let i = 0; i < actions.length; i++) {
        const column = actions[i]!;
        if (!isAddedColumn(column) || !isNotNull(column) || hasDefault(column) || isAutoIncrement(column) || isGenerated(column) || SERIAL_TYPES.has(dataType(column.definition))) continue;
        // Whether the table existed before the change is read only once a clause would be reported.
        table ??= existingAlter(ctx);
        if (!table) return NO_HITS;
        (hits ??= []).push({ message: `Column ${columnName(column.column)} is added to ${table} as NOT NULL without a default.` });
      }
      return hits ?? NO_HITS;
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
      if (ctx.node.keyword === "view") return NO_HITS;
      let hits: RuleHit[] | undefined;
      let table: string | undefined;
      let before: WalkTable | undefined;
      const actions = alterActions(ctx.node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (!isRedefinition(action)) continue;
        if (table === undefined) {
          table = targetTable(ctx.node);
          before = ctx.schema.before(table);
        }
        const old = findColumn(before, columnName(action.action === "change" ? action.old_column : action.column));
        if (!changesType(old, action)) continue;
        (hits ??= []).push({
          table,
          message: `Column ${columnName(action.column)} of ${table} is redefined as ${dataType(action.definition)}: a type change rewrites the table and may lose data.`,
        });
      }
      return hits ?? NO_HITS;
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
      let hits: RuleHit[] | undefined;
      let primaryKey: readonly string[] | undefined;
      const columns = definedColumns(ctx.node);
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!;
        if (!isNotNull(column.node) || !needsDefault(ctx.engine, column)) continue;
        primaryKey ??= primaryKeyAfter(ctx);
        if (!primaryKey.includes(column.name.toLowerCase())) (hits ??= []).push({ message: `Column ${column.name} is NOT NULL without a default.` });
      }
      return hits ?? NO_HITS;
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
      let hits: RuleHit[] | undefined;
      let primaryKey: readonly string[] | undefined;
      const columns = definedColumns(ctx.node);
      for (let i = 0; i < columns.length; i++) {
        const column = columns[i]!;
        if (!needsDefault(ctx.engine, column)) continue;
        primaryKey ??= primaryKeyAfter(ctx);
        if (!primaryKey.includes(column.name.toLowerCase())) (hits ??= []).push({ message: `Column ${column.name} has no default.` });
      }
      return hits ?? NO_HITS;
    },
  }),
  schemaRule({
    id: "column.comment.require",
    category: "column",
    engines: BOTH,
    description: "A column the change defines is left without a comment (COMMENT '...' or COMMENT ON COLUMN).",
    advice: "Add a comment saying what the column holds.",
    defaults: { test: "off", prod: "off" },
    reader: () =>
      finalStates((table) =>
        table.columns
          .filter((column) => column.definedAt !== undefined && !column.comment)
          .map((column) => ({ ordinal: column.definedAt!, message: `Column ${table.name}.${column.name} has no comment.` })),
      ),
  }),
  statementRule({
    id: "column.auto-increment.unsigned-integer",
    category: "column",
    engines: MYSQL,
    description: "AUTO_INCREMENT column that is not an unsigned integer wastes half its range or is not an integer at all.",
    advice: "Use INT UNSIGNED or BIGINT UNSIGNED.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: eachDefinedColumn(({ name, node: column, type }) => {
      if (!isAutoIncrement(column)) return undefined;
      const unsigned = isUnsigned(column.definition);
      return INTEGER_TYPES.has(type) && unsigned ? undefined : { message: `AUTO_INCREMENT column ${name} is ${type}${unsigned ? " UNSIGNED" : ""}.` };
    }),
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
      const defined = definedColumns(ctx.node);
      if (defined.length === 0) return NO_HITS;
      // The columns as the walk-through catalog holds them after the statement: only those it defines are reported.
      const table = ctx.schema.after(targetTable(ctx.node));
      if (!table) return NO_HITS;
      let hits: RuleHit[] | undefined;
      let onUpdate = 0;
      let currentDefault = 0;
      let definesOnUpdate = false;
      let definesCurrentDefault = false;
      for (let i = 0; i < table.columns.length; i++) {
        const column = table.columns[i]!;
        if (column.onUpdateCurrentTime) onUpdate++;
        if (column.defaultCurrentTime) currentDefault++;
        if ((!column.onUpdateCurrentTime && !column.defaultCurrentTime) || !definesColumn(defined, column.name)) continue;
        if (column.defaultCurrentTime) definesCurrentDefault = true;
        if (!column.onUpdateCurrentTime) continue;
        definesOnUpdate = true;
        if (!CURRENT_TIME_TYPES.has(column.type)) (hits ??= []).push({ message: `ON UPDATE CURRENT_TIMESTAMP on ${column.type} column ${column.name}.` });
      }
      if (onUpdate > 1 && definesOnUpdate) (hits ??= []).push({ message: `${onUpdate} columns of ${table.name} have ON UPDATE CURRENT_TIMESTAMP.` });
      if (currentDefault > 2 && definesCurrentDefault) (hits ??= []).push({ message: `${currentDefault} columns of ${table.name} default to the current time.` });
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "column.pg.set-not-null",
    category: "column",
    engines: POSTGRES,
    description: "SET NOT NULL on an existing column scans the whole table under an ACCESS EXCLUSIVE lock.",
    advice: "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ skips the scan).",
    defaults: { test: "warning", prod: "error" },
    on: ["alter column"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      let hits: RuleHit[] | undefined;
      let table: string | undefined;
      const actions = alterActions(ctx.node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.action !== "alter" || action.nullable?.action !== "set" || action.nullable.type !== "not null") continue;
        table ??= existingAlter(ctx);
        if (!table) return NO_HITS;
        (hits ??= []).push({ table, message: `SET NOT NULL on ${table}.${columnName(action.column)}.` });
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "column.pg.volatile-default",
    category: "column",
    engines: POSTGRES,
    description: "ADD COLUMN with a volatile DEFAULT (random(), clock_timestamp(), serial...) rewrites the whole table (and fills it row by row).",
    advice: "Add the column without a default (or with a constant one), then backfill in batches.",
    defaults: { test: "warning", prod: "error" },
    on: ["alter column"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      let hits: RuleHit[] | undefined;
      const actions = alterActions(ctx.node);
      for (let i = 0; i < actions.length; i++) {
        const column = actions[i]!;
        if (!isAddedColumn(column)) continue;
        const value = column.default_val?.value as AstNode | undefined;
        if (!SERIAL_TYPES.has(dataType(column.definition)) && !(value?.type === "function" && VOLATILE_FUNCTIONS.has(functionName(value)))) continue;
        const table = targetTable(ctx.node);
        (hits ??= []).push({ table, message: `Column ${columnName(column.column)} added to ${table} with a volatile default: the table is rewritten.` });
      }
      return hits ?? NO_HITS;
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
    check: eachDefinedColumn(({ name, node: column, type }) =>
      type === "TIMESTAMP" && !hasTypeSuffix(column.definition, "WITH") ? { message: `Column ${name} is timestamp without time zone.` } : undefined,
    ),
  }),
  statementRule({
    id: "column.pg.prefer-text",
    category: "column",
    engines: POSTGRES,
    description: "varchar(n) in PostgreSQL is text with a length check that is costly to change later.",
    advice: "Use text, with a CHECK constraint on length if it matters.",
    defaults: { test: "off", prod: "warning" },
    on: ["create table", "alter column"],
    check: eachDefinedColumn(({ name, node: column, type }) =>
      (type === "VARCHAR" || type === "CHARACTER VARYING") && column.definition?.length !== undefined ? { message: `Column ${name} is varchar(n).` } : undefined,
    ),
  }),
  statementRule({
    id: "column.pg.prefer-identity",
    category: "column",
    engines: POSTGRES,
    description: "serial/bigserial columns: identity columns are the SQL-standard replacement with clearer ownership.",
    advice: "Use bigint GENERATED ALWAYS AS IDENTITY.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: columnsOfType((type) => SERIAL_TYPES.has(type), (name, type) => `Column ${name} is ${type.toLowerCase()}.`),
  }),
  statementRule({
    id: "column.pg.prefer-jsonb",
    category: "column",
    engines: POSTGRES,
    description: "json columns keep text as written and cannot be indexed like jsonb.",
    advice: "Use jsonb.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column"],
    check: columnsOfType((type) => type === "JSON", (name) => `Column ${name} is json.`),
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
      if (options.disallowedColumnTypes.length === 0) return NO_HITS;
      const disallowed = disallowedTypes(options.disallowedColumnTypes);
      let hits: RuleHit[] | undefined;
      const columns = definedColumns(node);
      for (let i = 0; i < columns.length; i++) {
        const { name, type } = columns[i]!;
        if (disallowed.has(type)) (hits ??= []).push({ message: `Column ${name} is ${type}, which is not allowed.` });
      }
      // PostgreSQL's ALTER COLUMN ... TYPE, which definedColumns leaves out.
      const actions = alterActions(node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.action !== "alter" || !isRedefinition(action)) continue;
        const type = dataType(action.definition);
        if (disallowed.has(type)) (hits ??= []).push({ message: `Column ${columnName(action.column)} is ${type}, which is not allowed.` });
      }
      return hits ?? NO_HITS;
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
    check: eachDefinedColumn(({ name, node: column, type }, { options }) => {
      if (type !== "ENUM" && type !== "SET") return undefined;
      const values = asArray(column.definition?.expr?.value).length;
      return values > options.maxEnumValues ? { message: `Column ${name} has ${values} values (max ${options.maxEnumValues}).` } : undefined;
    }),
  }),
  statementRule({
    id: "column.comment.max-length",
    category: "column",
    engines: BOTH,
    description: "Column comment longer than `maxCommentLength`.",
    advice: "Shorten the comment.",
    defaults: { test: "warning", prod: "warning" },
    on: ["create table", "alter column", "comment"],
    check: ({ node, options }) => {
      const max = options.maxCommentLength;
      let hits: RuleHit[] | undefined;
      const columns = definedColumns(node);
      for (let i = 0; i < columns.length; i++) {
        const { node: column } = columns[i]!;
        const comment = columnComment(column);
        if (comment.length > max) (hits ??= []).push(commentTooLong(comment, max));
      }
      if (node.type === "comment") {
        const comments = commentOn(node, "column");
        for (let j = 0; j < comments.length; j++) {
          const comment = comments[j]!;
          if (comment.length > max) (hits ??= []).push(commentTooLong(comment, max));
        }
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "column.mysql.change-order",
    category: "column",
    engines: MYSQL,
    description: "MODIFY/CHANGE ... FIRST/AFTER moves the column, which copies the table.",
    advice: "Leave column order alone; select columns by name.",
    defaults: { test: "warning", prod: "warning" },
    // MODIFY and CHANGE are clauses on a column (resource "column").
    on: ["alter column"],
    escalatesOnLargeTable: true,
    check: (ctx) => {
      let hits: RuleHit[] | undefined;
      const actions = alterActions(ctx.node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if ((action.action !== "modify" && action.action !== "change") || !action.suffix?.keyword) continue;
        const position = String(action.suffix.keyword).toUpperCase();
        if (position !== "FIRST" && position !== "AFTER") continue;
        const table = targetTable(ctx.node);
        (hits ??= []).push({ table, message: `Column ${columnName(action.column)} of ${table} is moved (${position}).` });
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "column.mysql.charset",
    category: "column",
    engines: MYSQL,
    description: "Column-level CHARACTER SET: the column differs from its table, and joins across charsets cannot use indexes.",
    advice: "Set the charset on the table and leave it off the columns.",
    defaults: { test: "off", prod: "warning" },
    // Column charsets the parser could not read (parsed.columnCharsets) are taken from CREATE TABLE and ALTER TABLE text only.
    on: ["create table", "alter"],
    check: ({ node, parsed }) => {
      let charset: unknown = parsed.columnCharsets[0];
      const columns = definedColumns(node);
      for (let i = 0; i < columns.length; i++) {
        const { node: column } = columns[i]!;
        charset ||= column.character_set?.value?.value;
      }
      return charset ? [{ message: `Column-level character set ${String(charset).toLowerCase()}.` }] : NO_HITS;
    },
  }),
  statementRule({
    id: "column.not-null.require",
    category: "column",
    engines: BOTH,
    description: "Nullable column, for teams whose policy is NOT NULL everywhere.",
    advice: "Declare the column NOT NULL (with a DEFAULT if needed).",
    defaults: { test: "off", prod: "off" },
    on: ["create table", "alter column"],
    check: (ctx) => {
      let hits: RuleHit[] | undefined;
      let primaryKey: readonly string[] | undefined;
      const columns = definedColumns(ctx.node);
      for (let i = 0; i < columns.length; i++) {
        const { name, node: column, type } = columns[i]!;
        if (isNotNull(column) || isPrimaryKeyColumn(column) || isAutoIncrement(column) || SERIAL_TYPES.has(type)) continue;
        primaryKey ??= primaryKeyAfter(ctx);
        if (!primaryKey.includes(name.toLowerCase())) (hits ??= []).push({ message: `Column ${name} is nullable.` });
      }
      const actions = alterActions(ctx.node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.action === "alter" && action.nullable?.action === "drop") (hits ??= []).push({ message: `Column ${columnName(action.column)} is nullable.` });
      }
      return hits ?? NO_HITS;
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
    check: columnsOfType((type) => CHAR_TYPES.has(type), (name) => `Column ${name} is char(n).`),
  }),
  statementRule({
    id: "column.pg.money",
    category: "column",
    engines: POSTGRES,
    description: "money depends on the lc_monetary setting and rounds fractions of a cent.",
    advice: "Use numeric (e.g. numeric(12,2)) and store the currency separately.",
    defaults: { test: "warning", prod: "error" },
    on: ["create table", "alter column"],
    check: columnsOfType((type) => type === "MONEY", (name) => `Column ${name} is money.`),
  }),
  statementRule({
    id: "column.drop-in-index",
    category: "column",
    engines: BOTH,
    description: "DROP COLUMN of a column that is part of an index: the index changes or disappears with it.",
    advice: "Drop or rework the index explicitly first, so the change says what happens to it.",
    defaults: { test: "off", prod: "warning" },
    on: ["alter column"],
    check: (ctx) => {
      let hits: RuleHit[] | undefined;
      let table: WalkTable | undefined;
      const actions = alterActions(ctx.node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.action !== "drop" || action.resource !== "column") continue;
        table ??= ctx.schema.before(targetTable(ctx.node));
        if (!table) return NO_HITS;
        const column = columnName(action.column).toLowerCase();
        if (isIndexed(table, column)) (hits ??= []).push({ message: `Column ${table.name}.${column} is part of an index.` });
      }
      return hits ?? NO_HITS;
    },
  }),
  statementRule({
    id: "column.mysql.disallow-change",
    category: "column",
    engines: MYSQL,
    description: "ALTER TABLE ... CHANGE COLUMN: it renames and redefines in one clause, easy to get wrong.",
    advice: "Use MODIFY COLUMN to redefine and RENAME COLUMN to rename.",
    defaults: { test: "off", prod: "off" },
    on: ["alter column"],
    check: ({ node }) => {
      let hits: RuleHit[] | undefined;
      const actions = alterActions(node);
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i]!;
        if (action.action === "change" && action.resource === "column") (hits ??= []).push({ message: `CHANGE COLUMN ${columnName(action.old_column)}.` });
      }
      return hits ?? NO_HITS;
    },
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

