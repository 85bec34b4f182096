// The schema editor's DDL for MySQL/MariaDB: one ALTER TABLE with every change, names quoted by quoteIdentifier, text
// by quoteLiteral. MODIFY/CHANGE replace a column's whole definition, so they restate every attribute the live column
// has (charset, collation, ON UPDATE, generated expression, INVISIBLE, SRID, CHECK …); a plain rename is RENAME COLUMN
// where the server has it, which touches nothing else.
import { defaultSql } from "../../schema-editor/defaults.ts";
import type { ColumnChange, TableDiff } from "../../schema-editor/diff.ts";
import type { ColumnPlacement, ColumnSpec, ColumnTypeDef, IndexSpec, SchemaDialect, TableDraft, TableSchema } from "../../schema-editor/model.ts";
import { quoteIdentifier, quoteLiteral } from "./quote.ts";

export const MYSQL_COLUMN_TYPES: readonly ColumnTypeDef[] = [
  { name: "int", aliases: ["integer"], maxParams: 1, range: [1, 255], family: "integer", unsigned: true },
  { name: "bigint", maxParams: 1, range: [1, 255], family: "integer", unsigned: true },
  { name: "smallint", maxParams: 1, range: [1, 255], family: "integer", unsigned: true },
  { name: "tinyint", maxParams: 1, range: [1, 255], family: "integer", unsigned: true },
  { name: "mediumint", maxParams: 1, range: [1, 255], family: "integer", unsigned: true },
  { name: "decimal", aliases: ["numeric"], maxParams: 2, range: [1, 65], family: "decimal", unsigned: true },
  { name: "float", maxParams: 0, family: "float" },
  { name: "double", maxParams: 0, family: "float" },
  { name: "boolean", aliases: ["bool"], maxParams: 0, family: "boolean" },
  { name: "varchar", maxParams: 1, minParams: 1, range: [1, 16383], family: "string" },
  { name: "char", maxParams: 1, range: [1, 255], family: "string" },
  { name: "text", maxParams: 0, family: "string" },
  { name: "mediumtext", maxParams: 0, family: "string" },
  { name: "longtext", maxParams: 0, family: "string" },
  { name: "date", maxParams: 0, family: "temporal" },
  { name: "time", maxParams: 1, range: [0, 6], family: "temporal" },
  { name: "datetime", maxParams: 1, range: [0, 6], family: "timestamp" },
  { name: "timestamp", maxParams: 1, range: [0, 6], family: "timestamp" },
  { name: "json", maxParams: 0, family: "json" },
  { name: "varbinary", maxParams: 1, minParams: 1, range: [1, 65535], family: "binary" },
  { name: "blob", maxParams: 0, family: "binary" },
  { name: "longblob", maxParams: 0, family: "binary" },
];

/** Character types carry a character set and collation; another type drops them. */
const CHARACTER_TYPE = /^(char|varchar|tinytext|text|mediumtext|longtext|enum|set)\b/i;

/** Column renames in the same ALTER: server text that names a renamed column (a generated expression, a CHECK) must say its new name. */
type Renames = ReadonlyMap<string, string>;

function columnDefinition(column: ColumnSpec, renames: Renames = new Map()): string {
  const attributes = column.attributes ?? {};
  const renamed = (sql: string) => renameInExpression(sql, renames);
  const parts = [quoteIdentifier(column.name), column.type];
  if (CHARACTER_TYPE.test(column.type)) {
    if (attributes.charset) parts.push(`CHARACTER SET ${attributes.charset}`);
    if (attributes.collation) parts.push(`COLLATE ${attributes.collation}`);
  }
  if (attributes.srid !== undefined) parts.push(`/*!80003 SRID ${attributes.srid} */`);
  if (attributes.generated) {
    parts.push(`GENERATED ALWAYS AS (${renamed(attributes.generated.expression)}) ${attributes.generated.stored ? "STORED" : "VIRTUAL"}`);
    if (!column.nullable) parts.push("NOT NULL");
  } else {
    parts.push(column.nullable ? "NULL" : "NOT NULL");
    const value = defaultSql(column.default, quoteLiteral);
    if (value !== undefined) parts.push(`DEFAULT ${column.default.kind === "expression" ? renamed(value) : value}`);
    if (attributes.onUpdate) parts.push(`ON UPDATE ${attributes.onUpdate}`);
  }
  if (attributes.invisible) parts.push("INVISIBLE");
  if (column.identity) parts.push("AUTO_INCREMENT");
  if (column.comment !== "") parts.push(`COMMENT ${quoteLiteral(column.comment)}`);
  if (attributes.columnFormat) parts.push(`/*!50606 COLUMN_FORMAT ${attributes.columnFormat} */`);
  if (attributes.storage) parts.push(`/*!50606 STORAGE ${attributes.storage} */`);
  if (attributes.check) parts.push(`CHECK (${renamed(attributes.check)})`);
  return parts.join(" ");
}

/**
 * Rewrites backtick-quoted names in server text (the catalog always quotes them) to their new names; string literals
 * are skipped whole, so a name inside a literal stays as it was.
 */
export function renameInExpression(sql: string, renames: Renames): string {
  if (renames.size === 0) return sql;
  return sql.replace(/'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`((?:[^`]|``)*)`/g, (token, quoted: string | undefined) => {
    if (quoted === undefined) return token;
    const name = quoted.replaceAll("``", "`");
    const to = [...renames].find(([from]) => from.toLowerCase() === name.toLowerCase())?.[1];
    return to === undefined ? token : quoteIdentifier(to);
  });
}

function placementSql(placement: ColumnPlacement | undefined): string {
  if (!placement) return "";
  return "first" in placement ? " FIRST" : ` AFTER ${quoteIdentifier(placement.after)}`;
}

function columnList(names: string[]): string {
  return `(${names.map(quoteIdentifier).join(", ")})`;
}

function indexDefinition(index: IndexSpec): string {
  return `${index.unique ? "UNIQUE INDEX" : "INDEX"} ${quoteIdentifier(index.name)} ${columnList(index.columns)}`;
}

function onlyRenamed(change: ColumnChange): boolean {
  return change.renamed && !change.typeChanged && !change.nullableChanged && !change.defaultChanged && !change.commentChanged;
}

function changeClause(base: TableSchema, change: ColumnChange, renames: Renames): string {
  if (onlyRenamed(change) && base.renameColumn) return `RENAME COLUMN ${quoteIdentifier(change.from.name)} TO ${quoteIdentifier(change.to.name)}`;
  return change.renamed
    ? `CHANGE COLUMN ${quoteIdentifier(change.from.name)} ${columnDefinition(change.to, renames)}`
    : `MODIFY COLUMN ${columnDefinition(change.to, renames)}`;
}

export const mysqlSchemaDialect: SchemaDialect = {
  engine: "mysql",
  columnTypes: MYSQL_COLUMN_TYPES,
  identifierLimit: { max: 64, unit: "characters" },
  caseInsensitiveColumns: true,
  columnPlacement: true,

  createTable(draft: TableDraft): string[] {
    const lines = [
      ...draft.columns.map((column) => columnDefinition(column)),
      ...(draft.primaryKey.length > 0 ? [`PRIMARY KEY ${columnList(draft.primaryKey)}`] : []),
      ...draft.indexes.map(indexDefinition),
    ];
    return [`CREATE TABLE ${quoteIdentifier(draft.name)} (\n  ${lines.join(",\n  ")}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`];
  },

  alterTable(base: TableSchema, diff: TableDiff): string[] {
    const renames: Renames = new Map(diff.changedColumns.filter((change) => change.renamed).map((change) => [change.from.name, change.to.name]));
    const clauses = [
      ...(diff.primaryKey && diff.primaryKey.from.length > 0 ? ["DROP PRIMARY KEY"] : []),
      ...diff.droppedIndexes.map((index) => `DROP INDEX ${quoteIdentifier(index.name)}`),
      ...diff.droppedColumns.map((column) => `DROP COLUMN ${quoteIdentifier(column.name)}`),
      ...diff.changedColumns.map((change) => changeClause(base, change, renames)),
      ...diff.addedColumns.map((column) => `ADD COLUMN ${columnDefinition(column)}${placementSql(diff.placements.get(column.name))}`),
      ...(diff.primaryKey && diff.primaryKey.to.length > 0 ? [`ADD PRIMARY KEY ${columnList(diff.primaryKey.to)}`] : []),
      ...diff.addedIndexes.map((index) => `ADD ${indexDefinition(index)}`),
    ];
    return clauses.length === 0 ? [] : [`ALTER TABLE ${quoteIdentifier(base.name)}\n  ${clauses.join(",\n  ")}`];
  },
};
