// Read-only queries on PostgreSQL: a READ ONLY transaction with a local statement_timeout, the functions it calls checked
// first, rows fetched through a cursor in batches until the row limit or the byte limit.
import type pg from "pg";
import type { QueryColumn, QueryResult, ReadOnlyQueryOptions } from "../engine.ts";
import { EngineError } from "../errors.ts";
import { ResultBudget, rowBytes } from "../result-bytes.ts";
import { RESULT_COLUMN_SOURCES } from "./catalog.ts";
import { milliseconds, type PostgresLink } from "./connect.ts";
import { setTimeoutAndCheckCalls } from "./function-rules.ts";
import { runStatement } from "./session.ts";
import { postgresLeadingKeyword } from "./split.ts";

/** Statements a cursor can run; others (SHOW, EXPLAIN, and writes the server will refuse) run directly. */
const CURSOR_STATEMENTS = new Set(["SELECT", "WITH", "VALUES", "TABLE"]);

const CURSOR = "sluice_read_only";

/** Rows asked for at once while they are small; fewer once they are large (ResultBudget.batchFor). */
const FETCH_BATCH = 500;

export async function readOnlyQuery(link: PostgresLink, sql: string, options: ReadOnlyQueryOptions): Promise<QueryResult> {
  const started = performance.now();
  const rowLimit = Math.max(0, Math.floor(options.rowLimit));
  const budget = new ResultBudget(options.maxBytes ?? Number.MAX_SAFE_INTEGER);
  const [begun, checked] = await beginReadOnly(link, milliseconds(options.timeoutMs), options.calls);
  if (begun.status === "rejected") throw begun.reason;
  try {
    if (checked.status === "rejected") throw checked.reason;
    if (checked.value) throw new EngineError(checked.value, { kind: "refused" });
    const rows: unknown[][] = [];
    let fields: pg.FieldDef[] = [];
    let more = false;
    /** Keeps what fits of `fetched`: false once the row limit or the byte budget is reached. */
    const keep = (fetched: unknown[][]): boolean => {
      for (const row of fetched) {
        if (rows.length === rowLimit) {
          more = true;
          return false;
        }
        const kept = budget.admit(row);
        if (kept === undefined) return false;
        rows.push(kept);
      }
      return true;
    };
    if (CURSOR_STATEMENTS.has(postgresLeadingKeyword(sql))) {
      // Only the rows asked for leave the server; the cursor dies with the transaction.
      await runStatement(link, `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`);
      let batch = Math.min(FETCH_BATCH, rowLimit + 1);
      for (;;) {
        const result = await runStatement(link, `FETCH FORWARD ${batch} FROM ${CURSOR}`, "array");
        fields = result.fields;
        const fetched = result.rows as unknown[][];
        if (!keep(fetched) || budget.cut || fetched.length < batch) break;
        const average = fetched.reduce((sum, row) => sum + rowBytes(row), 0) / Math.max(1, fetched.length);
        batch = Math.min(budget.batchFor(average, FETCH_BATCH), rowLimit + 1 - rows.length);
      }
    } else {
      const result = await runStatement(link, sql, "array");
      fields = result.fields;
      keep(result.rows as unknown[][]);
    }
    const columns = await sourceColumns(link, fields);
    return { columns, rows, truncated: more, ...(budget.cut ? { cutAtBytes: true } : {}), durationMs: performance.now() - started };
  } finally {
    await runStatement(link, "ROLLBACK");
  }
}

/**
 * BEGIN READ ONLY and the statement that sets the time limit and checks the calls, sent together (pipelined): one
 * round trip. The statement itself is sent only once both have answered, and only if the calls are allowed.
 */
async function beginReadOnly(
  link: PostgresLink,
  timeoutMs: number,
  calls: ReadOnlyQueryOptions["calls"],
): Promise<[PromiseSettledResult<unknown>, PromiseSettledResult<string | undefined>]> {
  const client = link.client as pg.Client & { pipeline: boolean };
  client.pipeline = true;
  try {
    return await Promise.all([
      settle(runStatement(link, "BEGIN TRANSACTION READ ONLY")),
      settle(setTimeoutAndCheckCalls(link, Math.max(1, timeoutMs), calls)),
    ]);
  } finally {
    // Both have answered by now, so the client is idle and may leave pipeline mode.
    client.pipeline = false;
  }
}

function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
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
