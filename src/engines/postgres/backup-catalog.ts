// Catalog SQL of PostgreSQL's prior-backup rollback: readiness, the target table, its key, and the backup schema.
import type { PostgresSession } from "./session.ts";

export const BACKUP_SCHEMA = "sluice_backup";

/** A backup table's leading column: the ordinal of the statement whose WHERE selected the row. */
export const BACKUP_STATEMENT_COLUMN = "sluice$statement";

export const BACKUP_READINESS = `SELECT has_database_privilege(current_database(), 'CREATE') AS "mayCreateSchema",
  to_regnamespace('${BACKUP_SCHEMA}') IS NOT NULL AS "schemaExists",
  CASE WHEN to_regnamespace('${BACKUP_SCHEMA}') IS NOT NULL THEN has_schema_privilege('${BACKUP_SCHEMA}', 'CREATE') END AS "mayCreateInSchema"`;

export const ENSURE_BACKUP_SCHEMA = `CREATE SCHEMA IF NOT EXISTS ${BACKUP_SCHEMA}`;

export const RESOLVE_TABLE = `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`;

export const TABLE_COLUMNS = `SELECT a.attname AS name, a.attgenerated <> '' AS generated, a.attidentity = 'a' AS "identityAlways"
  FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

/** The primary key, else a plain unique index over NOT NULL columns. */
export const TABLE_KEY = `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
  FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
  WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
  GROUP BY i.indexrelid, i.indisprimary HAVING bool_and(a.attnotnull)
  ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1`;

export const LIST_BACKUP_TABLES = `SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS comment
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${BACKUP_SCHEMA}' AND c.relkind = 'r'`;

export interface BackupTable {
  oid: string;
  schema: string;
  name: string;
  /** Columns a rollback writes and checks: all but generated ones. */
  columns: string[];
  /** Every column, generated ones too: what a backup copies. */
  allColumns: string[];
  /** Whether an INSERT must say OVERRIDING SYSTEM VALUE (GENERATED ALWAYS AS IDENTITY). */
  identityAlways: boolean;
  key: string[];
}

/** Resolves the table a statement names, as the server would (search_path, quoting); undefined when it is not a table. */
export async function readBackupTable(session: PostgresSession, nameText: string): Promise<BackupTable | undefined> {
  const [table] = await session.queryRows(RESOLVE_TABLE, [nameText]);
  if (!table || !["r", "p"].includes(String(table.kind))) return undefined;
  const oid = String(table.oid);
  const columns = await session.queryRows(TABLE_COLUMNS, [oid]);
  const [key] = await session.queryRows(TABLE_KEY, [oid]);
  return {
    oid,
    schema: String(table.schema),
    name: String(table.name),
    columns: columns.filter((column) => !column.generated).map((column) => String(column.name)),
    allColumns: columns.map((column) => String(column.name)),
    identityAlways: columns.some((column) => column.identityAlways === true),
    key: (key?.columns as string[] | undefined) ?? [],
  };
}
