// Reads one table as the schema editor sees it (columns, indexes, primary key) from information_schema.
import type { RowDataPacket } from "mysql2/promise";
import type { ConnectionTarget, SessionLimits } from "../engine.ts";
import type { ColumnAttributes, ColumnSpec, DefaultSpec, IndexSpec, TableSchema } from "../../schema-editor/model.ts";
import { withoutNullDefault } from "../../schema-editor/defaults.ts";
import { connectMySql, type MySqlLink } from "./connect.ts";
import { quoteIdentifier } from "./quote.ts";
import { atLeast, type MySqlServer } from "./server.ts";

export const EDITABLE_TABLES_SQL =
  "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME";

export const TABLE_NAME_SQL =
  "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME = ?";

export const EDITOR_COLUMNS_SQL =
  "SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE = 'YES' AS nullable, COLUMN_DEFAULT AS defaultValue, EXTRA AS extra, " +
  "COLUMN_COMMENT AS comment, CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, GENERATION_EXPRESSION AS generation " +
  "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";

/** MySQL 8 only (MariaDB has no SRS_ID): the spatial reference system a spatial column is restricted to. */
export const EDITOR_SRIDS_SQL =
  "SELECT COLUMN_NAME AS name, SRS_ID AS srid FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND SRS_ID IS NOT NULL";

/** MariaDB only: column-level CHECKs (a JSON column's json_valid) belong to the column's definition; MODIFY drops them unless restated. */
export const EDITOR_COLUMN_CHECKS_SQL =
  "SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS " +
  "WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND LEVEL = 'Column'";

export const EDITOR_INDEXES_SQL =
  "SELECT INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS columnName FROM information_schema.STATISTICS " +
  "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX";

const NO_LIMITS: SessionLimits = { statementTimeoutMs: 10_000, lockTimeoutMs: 5_000 };

async function withLink<T>(target: ConnectionTarget, work: (link: MySqlLink) => Promise<T>): Promise<T> {
  const link = await connectMySql(target, NO_LIMITS);
  try {
    return await work(link);
  } finally {
    await link.conn.end().catch(() => link.core.destroy());
  }
}

export function listEditableTables(target: ConnectionTarget): Promise<string[]> {
  return withLink(target, async ({ conn }) => {
    const [rows] = await conn.query<RowDataPacket[]>(EDITABLE_TABLES_SQL);
    return rows.map((row) => String(row.name));
  });
}

/** The table, or undefined when the database has no such table. */
export function describeTable(target: ConnectionTarget, table: string): Promise<TableSchema | undefined> {
  return withLink(target, async (link) => {
    const { conn, server } = link;
    const [found] = await conn.query<RowDataPacket[]>(TABLE_NAME_SQL, [table]);
    if (found.length === 0) return undefined;
    const name = String(found[0]!.name);
    const [columnRows] = await conn.query<RowDataPacket[]>(EDITOR_COLUMNS_SQL, [name]);
    const [indexRows] = await conn.query<RowDataPacket[]>(EDITOR_INDEXES_SQL, [name]);
    const mariadb = server.flavor === "mariadb";
    const [extraRows] = await conn.query<RowDataPacket[]>(mariadb ? EDITOR_COLUMN_CHECKS_SQL : EDITOR_SRIDS_SQL, [name]);
    const checks = mariadb ? columnChecks(extraRows.map((row) => String(row.clause)), columnRows.map((row) => String(row.name))) : new Map<string, string>();
    const srids = new Map(mariadb ? [] : extraRows.map((row) => [String(row.name), Number(row.srid)]));
    const ndbAttributes = mariadb ? new Map<string, NdbAttributes>() : await readNdbAttributes(link, name);
    const columns = columnRows.map((row): ColumnSpec => {
      const columnName = String(row.name);
      const extra = String(row.extra);
      const generated = /\b(VIRTUAL|STORED) GENERATED\b/i.exec(extra);
      const onUpdate = /\bon update (current_timestamp(\(\d*\))?)/i.exec(extra);
      const attributes: ColumnAttributes = {
        ...(row.charset ? { charset: String(row.charset) } : {}),
        ...(row.collation ? { collation: String(row.collation) } : {}),
        ...(onUpdate ? { onUpdate: onUpdate[1]! } : {}),
        // MySQL's catalog backslash-escapes the quotes of the expression's literals; MariaDB's gives it as written.
        ...(generated && row.generation !== null ? { generated: { expression: mariadb ? String(row.generation) : String(row.generation).replace(/\\'/g, "'"), stored: /stored/i.test(generated[1]!) } } : {}),
        ...(/\bINVISIBLE\b/i.test(extra) ? { invisible: true } : {}),
        ...(srids.has(columnName) ? { srid: srids.get(columnName)! } : {}),
        ...ndbAttributes.get(columnName),
        ...(checks.has(columnName) ? { check: checks.get(columnName)! } : {}),
      };
      return {
        name: columnName,
        type: String(row.type),
        nullable: Boolean(Number(row.nullable)),
        default: withoutNullDefault(readDefault(row.defaultValue as string | null, extra, mariadb)),
        comment: String(row.comment ?? ""),
        identity: /auto_increment/i.test(extra),
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      };
    });
    const indexes = new Map<string, IndexSpec>();
    for (const row of indexRows) {
      const indexName = String(row.name);
      const index = indexes.get(indexName) ?? { name: indexName, columns: [], unique: Number(row.nonUnique) === 0 };
      index.columns.push(row.columnName === null ? "(expression)" : String(row.columnName));
      indexes.set(indexName, index);
    }
    const primary = indexes.get("PRIMARY");
    indexes.delete("PRIMARY");
    return { name, columns, indexes: [...indexes.values()], primaryKey: primary?.columns ?? [], renameColumn: hasRenameColumn(server) };
  });
}

/**
 * A column-level CHECK names only its own column; its constraint name is no guide (it keeps the old name when the
 * column is renamed), so each is matched to the one column its clause names.
 */
function columnChecks(clauses: string[], columns: string[]): Map<string, string> {
  const checks = new Map<string, string>();
  for (const clause of clauses) {
    const named = columns.filter((column) => clause.includes(quoteIdentifier(column)));
    if (named.length === 1) checks.set(named[0]!, clause);
  }
  return checks;
}

export function hasRenameColumn(server: MySqlServer): boolean {
  return server.flavor === "mariadb" ? atLeast(server, 10, 5) : atLeast(server, 8, 0);
}

type NdbAttributes = Pick<ColumnAttributes, "columnFormat" | "storage">;

/**
 * MySQL keeps COLUMN_FORMAT and STORAGE only in SHOW CREATE TABLE (as versioned comments); MariaDB has neither. Each
 * column is one line there, starting with its quoted name.
 */
async function readNdbAttributes({ conn }: MySqlLink, table: string): Promise<Map<string, NdbAttributes>> {
  const [rows] = await conn.query<RowDataPacket[]>(`SHOW CREATE TABLE ${quoteIdentifier(table)}`);
  const attributes = new Map<string, NdbAttributes>();
  for (const line of String(rows[0]?.["Create Table"] ?? "").split("\n")) {
    const column = /^\s*`((?:[^`]|``)*)` (.*)$/.exec(line);
    if (!column) continue;
    // Literals (a comment, a default) are dropped first, so their text cannot pass for an attribute.
    const definition = column[2]!.replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
    const format = /\/\*!50606 COLUMN_FORMAT (FIXED|DYNAMIC) \*\//.exec(definition);
    const storage = /\/\*!50606 STORAGE (DISK|MEMORY) \*\//.exec(definition);
    if (format || storage) attributes.set(column[1]!.replaceAll("``", "`"), { ...(format ? { columnFormat: format[1]! } : {}), ...(storage ? { storage: storage[1]! } : {}) });
  }
  return attributes;
}

/**
 * COLUMN_DEFAULT: MariaDB writes literals as SQL (`'text'`, `NULL`, `current_timestamp()`) and SQL NULL for no default;
 * MySQL 8 writes text raw and marks expressions DEFAULT_GENERATED.
 */
export function readDefault(value: string | null, extra: string, mariadb: boolean): DefaultSpec {
  if (value === null) return { kind: "none" };
  if (mariadb && value === "NULL") return { kind: "null" };
  if (/^current_timestamp(\(\))?$/i.test(value)) return { kind: "current_timestamp" };
  if (/^-?\d+(\.\d+)?$/.test(value)) return { kind: "number", text: value };
  if (mariadb) {
    const quoted = /^'([\s\S]*)'$/.exec(value);
    if (quoted) return { kind: "string", value: quoted[1]!.replace(/''/g, "'").replace(/\\(.)/g, (_, char: string) => MARIADB_UNESCAPES[char] ?? char) };
    return { kind: "expression", sql: value };
  }
  return /DEFAULT_GENERATED/i.test(extra) ? { kind: "expression", sql: `(${value})` } : { kind: "string", value };
}

const MARIADB_UNESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", Z: "\x1a", "0": "\0" };
