// Read-only queries on PostgreSQL: a READ ONLY transaction with a local statement_timeout, rows fetched through a cursor.
import type pg from "pg";
import type { QueryColumn, QueryResult, ReadOnlyQueryOptions } from "../engine.ts";
import { RESULT_COLUMN_SOURCES } from "./catalog.ts";
import { milliseconds, type PostgresLink } from "./connect.ts";
import { runStatement } from "./session.ts";
import { postgresLeadingKeyword } from "./split.ts";

/** Statements a cursor can run; others (SHOW, EXPLAIN, and writes the server will refuse) run directly. */
const CURSOR_STATEMENTS = new Set(["SELECT", "WITH", "VALUES", "TABLE"]);

const CURSOR = "sluice_read_only";

export async function readOnlyQuery(link: PostgresLink, sql: string, options: ReadOnlyQueryOptions): Promise<QueryResult> {
  const started = performance.now();
  const fetchCount = Math.max(0, Math.floor(options.rowLimit)) + 1;
  await runStatement(link, "BEGIN TRANSACTION READ ONLY");
  try {
    await runStatement(link, `SET LOCAL statement_timeout = ${Math.max(1, milliseconds(options.timeoutMs))}`);
    let result: pg.QueryResult;
    if (CURSOR_STATEMENTS.has(postgresLeadingKeyword(sql))) {
      // Only the rows asked for leave the server; the cursor dies with the transaction.
      await runStatement(link, `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`);
      result = await runStatement(link, `FETCH FORWARD ${fetchCount} FROM ${CURSOR}`, "array");
    } else {
      result = await runStatement(link, sql, "array");
    }
    const rows = result.rows as unknown[][];
    const columns = await sourceColumns(link, result.fields);
    return {
      columns,
      rows: rows.slice(0, fetchCount - 1),
      truncated: rows.length >= fetchCount,
      durationMs: performance.now() - started,
    };
  } finally {
    await runStatement(link, "ROLLBACK");
  }
}

/** Names result columns and, where the server reports a table column behind one, resolves it in one catalog query. */
async function sourceColumns(link: PostgresLink, fields: pg.FieldDef[]): Promise<QueryColumn[]> {
  const columns: QueryColumn[] = fields.map((field) => ({ name: field.name }));
  const sourced = fields.filter((field) => field.tableID !== 0 && field.columnID > 0);
  if (sourced.length === 0) return columns;
  const result = await link.client.query<{ table_id: string; column_id: number; table_name: string; column_name: string }>(
    RESULT_COLUMN_SOURCES,
    [sourced.map((field) => field.tableID), sourced.map((field) => field.columnID)],
  );
  const byKey = new Map(result.rows.map((row) => [`${row.table_id}:${row.column_id}`, row]));
  fields.forEach((field, index) => {
    const source = byKey.get(`${field.tableID}:${field.columnID}`);
    if (source) columns[index] = { name: field.name, table: source.table_name, column: source.column_name };
  });
  return columns;
}
