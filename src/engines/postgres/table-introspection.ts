// Reads one table as the schema editor sees it (columns, indexes, primary key) from pg_catalog, in the current schema.
import type { ConnectionTarget, SessionLimits } from "../engine.ts";
import type { ColumnSpec, DefaultSpec, IndexSpec, TableSchema } from "../../schema-editor/model.ts";
import { withoutNullDefault } from "../../schema-editor/defaults.ts";
import { withPostgresLink } from "./connect.ts";

export const EDITABLE_TABLES_SQL = `
SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname COLLATE "C"`;

export const TABLE_OID_SQL = `
SELECT c.oid, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = $1`;

export const EDITOR_COLUMNS_SQL = `
SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_value, a.attidentity <> '' AS identity,
       pg_catalog.col_description(a.attrelid, a.attnum) AS comment
FROM pg_catalog.pg_attribute a
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** One row per index; columns in index order, NULL for an expression part. */
export const EDITOR_INDEXES_SQL = `
SELECT i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary, con.conname IS NOT NULL AS constraint,
       ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, position)
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
             ORDER BY k.position) AS columns
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u')
WHERE x.indrelid = $1
ORDER BY i.relname COLLATE "C"`;

const NO_LIMITS: SessionLimits = { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 };

export function listEditableTables(target: ConnectionTarget): Promise<string[]> {
  return withPostgresLink(target, NO_LIMITS, async ({ client }) => (await client.query<{ name: string }>(EDITABLE_TABLES_SQL)).rows.map((row) => row.name));
}

interface IndexRow {
  name: string;
  unique: boolean;
  primary: boolean;
  constraint: boolean;
  columns: Array<string | null>;
}

/** The table, or undefined when the current schema has no such table. */
export function describeTable(target: ConnectionTarget, table: string): Promise<TableSchema | undefined> {
  return withPostgresLink(target, NO_LIMITS, async ({ client }) => {
    const found = (await client.query<{ oid: number; name: string }>(TABLE_OID_SQL, [table])).rows[0];
    if (!found) return undefined;
    const columnRows = await client.query<{ name: string; type: string; nullable: boolean; default_value: string | null; identity: boolean; comment: string | null }>(
      EDITOR_COLUMNS_SQL,
      [found.oid],
    );
    const indexRows = await client.query<IndexRow>(EDITOR_INDEXES_SQL, [found.oid]);
    const columns = columnRows.rows.map(
      (row): ColumnSpec => ({
        name: row.name,
        type: row.type,
        nullable: row.nullable,
        default: withoutNullDefault(readDefault(row.default_value)),
        comment: row.comment ?? "",
        identity: row.identity,
      }),
    );
    const primary = indexRows.rows.find((row) => row.primary);
    const indexes = indexRows.rows
      .filter((row) => !row.primary)
      .map((row): IndexSpec => ({ name: row.name, columns: row.columns.map((column) => column ?? "(expression)"), unique: row.unique, constraint: row.constraint }));
    return {
      name: found.name,
      columns,
      indexes,
      primaryKey: primary ? primary.columns.map((column) => column ?? "(expression)") : [],
      ...(primary ? { primaryKeyName: primary.name } : {}),
    };
  });
}

/** pg_get_expr's text of a default: literals come back as `'text'::type`, numbers bare (or quoted and cast when negative). */
export function readDefault(value: string | null): DefaultSpec {
  if (value === null) return { kind: "none" };
  if (/^NULL(::[\w ]+)?$/i.test(value)) return { kind: "null" };
  if (/^CURRENT_TIMESTAMP$/i.test(value)) return { kind: "current_timestamp" };
  if (value === "true" || value === "false") return { kind: "boolean", value: value === "true" };
  const number = /^\(?'?(-?\d+(\.\d+)?)'?(::(integer|bigint|smallint|numeric|real|double precision))?\)?$/.exec(value);
  if (number) return { kind: "number", text: number[1]! };
  const text = /^'((?:[^']|'')*)'::(text|character varying|character|bpchar)$/.exec(value);
  if (text) return { kind: "string", value: text[1]!.replace(/''/g, "'") };
  return { kind: "expression", sql: value };
}
