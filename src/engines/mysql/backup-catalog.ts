// Catalog SQL of MySQL's prior-backup rollback: what a target table lets a backup vouch for, the backup table's shape,
// and the literal each column's value is written back with (built by the server, exact for every type).
import { quoteIdentifier, quoteLiteral } from "./quote.ts";
import type { RollbackColumn, RollbackTable } from "./rollback-catalog.ts";
import type { MySqlSession } from "./session.ts";

/** A backup table's leading column: the ordinal of the statement whose WHERE selected the row. */
export const BACKUP_STATEMENT_COLUMN = "sluice$statement";

export const TABLE_KIND = `SELECT TABLE_TYPE AS kind FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`;

/** Triggers run statements of their own whose rows a backup of the target's rows does not hold. */
export const TABLE_TRIGGERS = `SELECT TRIGGER_NAME AS name, EVENT_MANIPULATION AS event FROM information_schema.TRIGGERS
  WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?`;

/**
 * Foreign keys of other tables whose ON DELETE/ON UPDATE rule changes their rows when the target's rows change. The
 * referencing table may be in any database, so the server reads every database's tables for this; their columns are
 * read apart (REFERENCED_COLUMNS), by constraint and table, which the server finds without that scan.
 */
export const CASCADING_REFERENCES = `SELECT CONSTRAINT_SCHEMA AS \`schema\`, CONSTRAINT_NAME AS name, TABLE_NAME AS child, DELETE_RULE AS onDelete, UPDATE_RULE AS onUpdate
  FROM information_schema.REFERENTIAL_CONSTRAINTS
  WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?
    AND (DELETE_RULE NOT IN ('RESTRICT', 'NO ACTION') OR UPDATE_RULE NOT IN ('RESTRICT', 'NO ACTION'))`;

/** The target's columns one foreign key references (by its schema, name and table). */
export const REFERENCED_COLUMNS = `SELECT REFERENCED_COLUMN_NAME AS \`column\` FROM information_schema.KEY_COLUMN_USAGE
  WHERE CONSTRAINT_SCHEMA = ? AND CONSTRAINT_NAME = ? AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL
  ORDER BY POSITION_IN_UNIQUE_CONSTRAINT`;

/** What the catalog says about a target table beyond its columns and key. */
export interface TargetFacts {
  /** BASE TABLE for a table; a view or a missing table answers otherwise. */
  kind: string | undefined;
  triggers: Array<{ name: string; event: string }>;
  cascades: Array<{ name: string; child: string; onDelete: string; onUpdate: string; columns: string[] }>;
}

export async function readTargetFacts(session: MySqlSession, schema: string, table: string): Promise<TargetFacts> {
  const [kind] = await session.queryRows(TABLE_KIND, [schema, table]);
  const triggers = await session.queryRows(TABLE_TRIGGERS, [schema, table]);
  const cascades = await session.queryRows(CASCADING_REFERENCES, [schema, table]);
  return {
    kind: kind ? String(kind.kind) : undefined,
    triggers: triggers.map((row) => ({ name: String(row.name), event: String(row.event) })),
    cascades: await Promise.all(
      cascades.map(async (row) => ({
        name: String(row.name),
        child: String(row.child),
        onDelete: String(row.onDelete),
        onUpdate: String(row.onUpdate),
        columns: (await session.queryRows(REFERENCED_COLUMNS, [row.schema, row.name, row.child])).map((part) => String(part.column)),
      })),
    ),
  };
}

/**
 * The backup table for one target: every column of the target (generated ones as plain columns, so a copy keeps
 * their values), without defaults, after the statement column. Keyed by statement and the target's key, so rows are
 * appended in order of the clustered index and each statement's are matched with the target's without a scan.
 */
export function createBackupTableSql(name: string, table: RollbackTable, comment: string, keyed: boolean): string {
  const key = keyed ? table.key : [];
  const columns = table.columns.map((column) => `  ${quoteIdentifier(column.name)} ${columnDefinition(column, key.includes(column.name))}`);
  const indexed = [BACKUP_STATEMENT_COLUMN, ...key].map(quoteIdentifier).join(", ");
  return [
    `CREATE TABLE ${name} (`,
    `  ${quoteIdentifier(BACKUP_STATEMENT_COLUMN)} INT NOT NULL,`,
    ...columns.map((column) => `${column},`),
    `  ${key.length > 0 ? "PRIMARY KEY" : "KEY"} (${indexed})`,
    `) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT=${quoteLiteral(comment)}`,
  ].join("\n");
}

function columnDefinition(column: RollbackColumn, inKey: boolean): string {
  const text = column.charset !== undefined && column.collation !== undefined ? ` CHARACTER SET ${column.charset} COLLATE ${column.collation}` : "";
  // A TIMESTAMP column is NOT NULL with an automatic default unless it says otherwise.
  return `${column.columnType}${text}${inKey ? " NOT NULL" : ` NULL${column.dataType === "timestamp" ? " DEFAULT NULL" : ""}`}`;
}

const UTF8 = new Set(["utf8mb4", "utf8mb3", "utf8", "ascii", "latin1"]);
const INTEGER = new Set(["tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric"]);
const TEXT = new Set(["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"]);
const BYTES = new Set(["binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"]);
const SPATIAL = new Set(["geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection"]);

/**
 * SQL that makes the server write the literal of `ref`'s value, as the binlog's literal readers write it
 * (rollback-literals.ts): the same text reads back as the same value, 'NULL' for NULL. Undefined for a type it has
 * no exact literal for.
 */
export function literalSql(column: RollbackColumn, ref: string): string | undefined {
  const value = valueLiteralSql(column, ref);
  return value === undefined || !column.nullable ? value : `IF(${ref} IS NULL, 'NULL', ${value})`;
}

/**
 * SQL that is true when `a` and `b` hold the same bytes (so the literal of one serves for both), or undefined where
 * equal values may still differ (a float's -0 and 0): an UPDATE's row then reads its value before the change only
 * where it changed.
 */
export function sameValueSql(column: RollbackColumn, a: string, b: string): string | undefined {
  const type = column.dataType;
  if (type === "float" || type === "double" || type === "real" || type === "json") return undefined;
  if (INTEGER.has(type) || type === "year" || type === "bit" || type === "date" || type === "datetime" || type === "time" || type === "timestamp") return `${a} <=> ${b}`;
  return `CAST(${a} AS BINARY) <=> CAST(${b} AS BINARY)`;
}

function valueLiteralSql(column: RollbackColumn, ref: string): string | undefined {
  const type = column.dataType;
  if (INTEGER.has(type)) return `CAST(${ref} AS CHAR)`;
  if (type === "year" || type === "bit") return `CAST(${ref} + 0 AS CHAR)`;
  // A double's text reads back as the same double (a FLOAT's value is exactly one); -0 needs an exponent to stay -0.
  if (type === "float" || type === "double" || type === "real") return `IF(${ref} = 0 AND CAST(${ref} + 0e0 AS CHAR) LIKE '-%', '-0e0', CAST(${ref} + 0e0 AS CHAR))`;
  if (type === "date" || type === "datetime" || type === "time") return `CONCAT('''', ${ref}, '''')`;
  // Travels as UTC text converted into whatever time zone the session running the rollback uses; 0 is the zero timestamp.
  if (type === "timestamp") {
    return `IF(UNIX_TIMESTAMP(${ref}) = 0, CONCAT('''', ${ref}, ''''), CONCAT('CONVERT_TZ(''', CONVERT_TZ(${ref}, @@session.time_zone, '+00:00'), ''', ''+00:00'', @@session.time_zone)'))`;
  }
  if (type === "json") return `CONCAT('CAST(', QUOTE(CAST(${ref} AS CHAR)), ' AS JSON)')`;
  if (BYTES.has(type) || SPATIAL.has(type) || (TEXT.has(type) && column.charset === undefined)) return `CONCAT('X''', HEX(${ref}), '''')`;
  if (!TEXT.has(type)) return undefined;
  if (UTF8.has(column.charset!)) return `QUOTE(${ref})`;
  if (!/^[a-z0-9_]+$/.test(column.charset!)) return undefined;
  // Any other character set: its own bytes under its own introducer, converted so a utf8mb4 guard can compare them.
  return `CONCAT('CONVERT(_${column.charset} X''', HEX(${ref}), ''' USING utf8mb4)')`;
}
