// ReviewCatalog for MySQL/MariaDB: catalog reads and EXPLAIN for the SQL review, none of which can run what it reads.
import type { RowDataPacket } from "mysql2/promise";
import type { CatalogColumn, CatalogIndex } from "../../review/catalog.ts";
import type { ConnectionTarget, ReviewCatalogSession, SessionLimits } from "../engine.ts";
import { readDataStatement } from "./backup-statement.ts";
import { connectMySql } from "./connect.ts";
import { runStatement } from "./session.ts";

export const TABLE_EXISTS_SQL =
  "SELECT 1 AS found FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? LIMIT 1";

export const TABLE_COLUMNS_SQL =
  "SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE = 'YES' AS nullable, LOWER(CHARACTER_SET_NAME) AS charset, LOWER(COLLATION_NAME) AS collation " +
  "FROM information_schema.COLUMNS " +
  "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";

/** One row per key part, in key order. */
export const TABLE_INDEXES_SQL =
  "SELECT INDEX_NAME AS name, NON_UNIQUE AS non_unique, INDEX_TYPE AS method, LOWER(COALESCE(COLUMN_NAME, 'expr()')) AS part " +
  "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX";

/** The planner's estimate of the rows an UPDATE/DELETE touches, from the SELECT of those rows (touchedRowsSelect). */
export const EXPLAIN_PREFIX = "EXPLAIN ";

export const TABLE_ROW_ESTIMATE_SQL =
  "SELECT TABLE_ROWS AS estimate FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?";

/**
 * The rows a single-table UPDATE or DELETE touches, as a SELECT of its own table, WHERE, ORDER BY and LIMIT text (read
 * as the prior backup reads them): MariaDB refuses EXPLAIN UPDATE/DELETE in a read-only transaction, and its EXPLAIN
 * UPDATE runs the functions the planner folds. Undefined for any other statement: no estimate.
 */
function touchedRowsSelect(statement: string): string | undefined {
  const shape = readDataStatement(statement);
  if (shape.kind !== "update" && shape.kind !== "delete") return undefined;
  const where = shape.whereText ? ` WHERE ${shape.whereText}` : "";
  const order = shape.orderText ? ` ORDER BY ${shape.orderText}` : "";
  const limit = shape.limitText ? ` LIMIT ${shape.limitText}` : "";
  return `SELECT 1 FROM ${shape.tableText}${where}${order}${limit}`;
}

function splitName(name: string): [string | null, string] {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? [null, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

/**
 * A connection of its own for the review, without multi-statement packets. Every read is a prepared statement (the
 * server prepares exactly one statement) inside a READ ONLY transaction that is rolled back, so a function the
 * planner folds cannot write either; the statement time limit is the limits' (set by connectMySql). Only DDL could end
 * such a transaction, and no read here can be DDL: each is one of the catalog SELECTs above or EXPLAIN SELECT.
 */
export async function openMySqlReviewCatalog(target: ConnectionTarget, limits: SessionLimits): Promise<ReviewCatalogSession> {
  const link = await connectMySql(target, limits);
  const analyse = async (sql: string, params: Array<string | null> = []): Promise<RowDataPacket[]> => {
    await runStatement(link, "START TRANSACTION READ ONLY");
    try {
      const [rows] = await link.conn.execute<RowDataPacket[]>(sql, params);
      return rows;
    } finally {
      await runStatement(link, "ROLLBACK");
    }
  };
  return {
    async tableExists(schema, table) {
      return (await analyse(TABLE_EXISTS_SQL, [schema ?? null, table])).length > 0;
    },
    async columnsOf(table) {
      const rows = await analyse(TABLE_COLUMNS_SQL, splitName(table));
      return rows.map(
        (row): CatalogColumn => ({
          name: String(row.name),
          type: String(row.type),
          nullable: Boolean(Number(row.nullable)),
          charset: row.charset === null ? undefined : String(row.charset),
          collation: row.collation === null ? undefined : String(row.collation),
        }),
      );
    },
    async indexesOf(table) {
      const indexes = new Map<string, CatalogIndex>();
      for (const row of await analyse(TABLE_INDEXES_SQL, splitName(table))) {
        const name = String(row.name);
        const method = String(row.method).toUpperCase();
        const kind = name === "PRIMARY" ? "primary" : Number(row.non_unique) === 0 ? "unique" : method === "FULLTEXT" ? "fulltext" : method === "SPATIAL" ? "spatial" : "index";
        const index = indexes.get(name) ?? { name, kind, columns: [], method };
        index.columns.push(String(row.part));
        indexes.set(name, index);
      }
      return [...indexes.values()];
    },
    async estimateAffectedRows(statement) {
      const query = touchedRowsSelect(statement);
      if (query === undefined) return undefined;
      let rows: RowDataPacket[];
      try {
        rows = await analyse(EXPLAIN_PREFIX + query);
      } catch {
        return undefined; // the server refuses it (e.g. unknown table): the reference rule reports that
      }
      const estimates = rows.map((row) => Number(row.rows)).filter((rows) => Number.isFinite(rows));
      return estimates.length > 0 ? Math.max(...estimates) : undefined;
    },
    async tableRowEstimate(table) {
      const estimate = (await analyse(TABLE_ROW_ESTIMATE_SQL, splitName(table)))[0]?.estimate;
      return estimate === undefined || estimate === null ? undefined : Number(estimate);
    },
    async close() {
      await link.conn.end().catch(() => link.core.destroy());
    },
  };
}
