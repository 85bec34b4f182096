// The schema editor's DDL for MySQL/MariaDB: one ALTER TABLE with every change, columns always restated in full
// (MODIFY/CHANGE replace the whole definition), names quoted by quoteIdentifier, text by quoteLiteral.
import { defaultSql } from "../../schema-editor/defaults.ts";
import type { ColumnChange, TableDiff } from "../../schema-editor/diff.ts";
import type { ColumnSpec, ColumnTypeDef, IndexSpec, SchemaDialect, TableDraft, TableSchema } from "../../schema-editor/model.ts";
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

function columnDefinition(column: ColumnSpec): string {
  const parts = [quoteIdentifier(column.name), column.type, column.nullable ? "NULL" : "NOT NULL"];
  const value = defaultSql(column.default, quoteLiteral);
  if (value !== undefined) parts.push(`DEFAULT ${value}`);
  if (column.identity) parts.push("AUTO_INCREMENT");
  if (column.comment !== "") parts.push(`COMMENT ${quoteLiteral(column.comment)}`);
  return parts.join(" ");
}

function columnList(names: string[]): string {
  return `(${names.map(quoteIdentifier).join(", ")})`;
}

function indexDefinition(index: IndexSpec): string {
  return `${index.unique ? "UNIQUE INDEX" : "INDEX"} ${quoteIdentifier(index.name)} ${columnList(index.columns)}`;
}

function changeClause(change: ColumnChange): string {
  return change.renamed
    ? `CHANGE COLUMN ${quoteIdentifier(change.from.name)} ${columnDefinition(change.to)}`
    : `MODIFY COLUMN ${columnDefinition(change.to)}`;
}

export const mysqlSchemaDialect: SchemaDialect = {
  engine: "mysql",
  columnTypes: MYSQL_COLUMN_TYPES,
  identifierLimit: { max: 64, unit: "characters" },
  caseInsensitiveColumns: true,

  createTable(draft: TableDraft): string[] {
    const lines = [
      ...draft.columns.map(columnDefinition),
      ...(draft.primaryKey.length > 0 ? [`PRIMARY KEY ${columnList(draft.primaryKey)}`] : []),
      ...draft.indexes.map(indexDefinition),
    ];
    return [`CREATE TABLE ${quoteIdentifier(draft.name)} (\n  ${lines.join(",\n  ")}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`];
  },

  alterTable(base: TableSchema, diff: TableDiff): string[] {
    const clauses = [
      ...(diff.primaryKey && diff.primaryKey.from.length > 0 ? ["DROP PRIMARY KEY"] : []),
      ...diff.droppedIndexes.map((index) => `DROP INDEX ${quoteIdentifier(index.name)}`),
      ...diff.droppedColumns.map((column) => `DROP COLUMN ${quoteIdentifier(column.name)}`),
      ...diff.changedColumns.map(changeClause),
      ...diff.addedColumns.map((column) => `ADD COLUMN ${columnDefinition(column)}`),
      ...(diff.primaryKey && diff.primaryKey.to.length > 0 ? [`ADD PRIMARY KEY ${columnList(diff.primaryKey.to)}`] : []),
      ...diff.addedIndexes.map((index) => `ADD ${indexDefinition(index)}`),
    ];
    return clauses.length === 0 ? [] : [`ALTER TABLE ${quoteIdentifier(base.name)}\n  ${clauses.join(",\n  ")}`];
  },
};
