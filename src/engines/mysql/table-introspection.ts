// Reads one table as the schema editor sees it (columns, indexes, primary key) from information_schema.
import type { RowDataPacket } from "mysql2/promise";
import type { ConnectionTarget, SessionLimits } from "../engine.ts";
import type { ColumnSpec, DefaultSpec, IndexSpec, TableSchema } from "../../schema-editor/model.ts";
import { withoutNullDefault } from "../../schema-editor/defaults.ts";
import { connectMySql, type MySqlLink } from "./connect.ts";

export const EDITABLE_TABLES_SQL =
  "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME";

export const TABLE_NAME_SQL =
  "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME = ?";

export const EDITOR_COLUMNS_SQL =
  "SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE = 'YES' AS nullable, COLUMN_DEFAULT AS defaultValue, EXTRA AS extra, " +
  "COLUMN_COMMENT AS comment FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";

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
  return withLink(target, async ({ conn, server }) => {
    const [found] = await conn.query<RowDataPacket[]>(TABLE_NAME_SQL, [table]);
    if (found.length === 0) return undefined;
    const name = String(found[0]!.name);
    const [columnRows] = await conn.query<RowDataPacket[]>(EDITOR_COLUMNS_SQL, [name]);
    const [indexRows] = await conn.query<RowDataPacket[]>(EDITOR_INDEXES_SQL, [name]);
    const columns = columnRows.map(
      (row): ColumnSpec => ({
        name: String(row.name),
        type: String(row.type),
        nullable: Boolean(Number(row.nullable)),
        default: withoutNullDefault(readDefault(row.defaultValue as string | null, String(row.extra), server.flavor === "mariadb")),
        comment: String(row.comment ?? ""),
        identity: /auto_increment/i.test(String(row.extra)),
      }),
    );
    const indexes = new Map<string, IndexSpec>();
    for (const row of indexRows) {
      const indexName = String(row.name);
      const index = indexes.get(indexName) ?? { name: indexName, columns: [], unique: Number(row.nonUnique) === 0 };
      index.columns.push(row.columnName === null ? "(expression)" : String(row.columnName));
      indexes.set(indexName, index);
    }
    const primary = indexes.get("PRIMARY");
    indexes.delete("PRIMARY");
    return { name, columns, indexes: [...indexes.values()], primaryKey: primary?.columns ?? [] };
  });
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
