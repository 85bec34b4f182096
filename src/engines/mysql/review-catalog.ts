// ReviewCatalog for MySQL/MariaDB: read-only catalog and EXPLAIN queries for the SQL review.
import type { Connection, RowDataPacket } from "mysql2/promise";
import type { CatalogColumn, ReviewCatalog } from "../../review/catalog.ts";

export const TABLE_EXISTS_SQL =
  "SELECT 1 AS found FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? LIMIT 1";

export const TABLE_COLUMNS_SQL =
  "SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE = 'YES' AS nullable FROM information_schema.COLUMNS " +
  "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";

export const TABLE_ROW_ESTIMATE_SQL =
  "SELECT TABLE_ROWS AS estimate FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?";

/** Prefix for the planner's estimate; only ever applied to UPDATE/DELETE text, which EXPLAIN does not run. */
export const EXPLAIN_PREFIX = "EXPLAIN ";

function splitName(name: string): [string | null, string] {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? [null, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

export function mysqlReviewCatalog(connection: Connection): ReviewCatalog {
  return {
    async tableExists(schema, table) {
      const [rows] = await connection.query<RowDataPacket[]>(TABLE_EXISTS_SQL, [schema ?? null, table]);
      return rows.length > 0;
    },
    async columnsOf(table) {
      const [rows] = await connection.query<RowDataPacket[]>(TABLE_COLUMNS_SQL, splitName(table));
      return rows.map((row): CatalogColumn => ({ name: String(row.name), type: String(row.type), nullable: Boolean(Number(row.nullable)) }));
    },
    async estimateAffectedRows(sql) {
      if (!/^\s*(UPDATE|DELETE)\b/i.test(sql)) return undefined;
      let rows: RowDataPacket[];
      try {
        [rows] = await connection.query<RowDataPacket[]>(EXPLAIN_PREFIX + sql);
      } catch {
        return undefined; // the server rejects it (e.g. unknown table): the reference rule reports that
      }
      const estimates = rows.map((row) => Number(row.rows)).filter((rows) => Number.isFinite(rows));
      return estimates.length > 0 ? Math.max(...estimates) : undefined;
    },
    async tableRowEstimate(table) {
      const [rows] = await connection.query<RowDataPacket[]>(TABLE_ROW_ESTIMATE_SQL, splitName(table));
      const estimate = rows[0]?.estimate;
      return estimate === undefined || estimate === null ? undefined : Number(estimate);
    },
  };
}
