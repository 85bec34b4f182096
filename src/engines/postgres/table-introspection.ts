// Reads one table as the schema editor sees it (columns, indexes, primary key) from pg_catalog, in the current schema.
import type { ConnectionTarget, SessionLimits } from "../engine.ts";
import type { ColumnAttributes, ColumnSpec, DefaultSpec, IndexSpec, TableSchema } from "../../schema-editor/model.ts";
import { withoutNullDefault } from "../../schema-editor/defaults.ts";
import { withPostgresLink } from "./connect.ts";

export const EDITABLE_TABLES_SQL = `
SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname COLLATE "C"`;

export const TABLE_OID_SQL = `
SELECT c.oid, c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = $1`;

/** Collation, storage and compression only where they differ from the type's own: those are what a type change resets. */
export const EDITOR_COLUMNS_SQL = `
SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_value, a.attidentity <> '' AS identity,
       pg_catalog.col_description(a.attrelid, a.attnum) AS comment, a.attgenerated = 's' AS generated,
       CASE WHEN a.attcollation <> t.typcollation THEN pg_catalog.format('%I.%I', cn.nspname, co.collname) END AS collation,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       NULLIF(a.attcompression::text, '') AS compression
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
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

interface ColumnRow {
  name: string;
  type: string;
  nullable: boolean;
  default_value: string | null;
  identity: boolean;
  comment: string | null;
  generated: boolean;
  collation: string | null;
  storage: string | null;
  compression: string | null;
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
    const columnRows = await client.query<ColumnRow>(EDITOR_COLUMNS_SQL, [found.oid]);
    const indexRows = await client.query<IndexRow>(EDITOR_INDEXES_SQL, [found.oid]);
    const columns = columnRows.rows.map((row): ColumnSpec => {
      const attributes: ColumnAttributes = {
        ...(row.collation ? { collation: row.collation } : {}),
        ...(row.generated && row.default_value !== null ? { generated: { expression: row.default_value, stored: true } } : {}),
        ...(row.storage ? { pgStorage: row.storage } : {}),
        ...(row.compression ? { pgCompression: row.compression } : {}),
      };
      return {
        name: row.name,
        type: row.type,
        nullable: row.nullable,
        // A generated column's expression sits where a default would; it is no default.
        default: row.generated ? { kind: "none" } : withoutNullDefault(readDefault(row.default_value)),
        comment: row.comment ?? "",
        identity: row.identity,
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      };
    });
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
      renameColumn: true,
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
