// Read-only queries on MySQL/MariaDB: a READ ONLY transaction, the functions it calls checked first, a streamed result
// cut at the row limit or the byte limit, a time limit.
import type { FieldPacket } from "mysql2";
import type { QueryColumn, QueryResult, ReadOnlyQueryOptions } from "../engine.ts";
import { EngineError, statementFailed } from "../errors.ts";
import { ResultBudget } from "../result-bytes.ts";
import { withOpenConnection, type MySqlLink } from "./connect.ts";
import { refusedFunction } from "./function-rules.ts";
import { statementTimeLimitSetting } from "./server.ts";
import { isTimeout, runStatement } from "./session.ts";
import { mysqlLeadingKeyword } from "./split.ts";

/**
 * Statements that read. Anything else is refused before it reaches the server: DDL would commit the read-only
 * transaction implicitly and then run outside it.
 */
const READING_STATEMENTS = new Set(["SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "TABLE", "VALUES"]);

/** The KILL QUERY that stops a query cut short lands after the server's own time limit would have. */
const WATCHDOG_GRACE_MS = 500;

const ER_QUERY_INTERRUPTED = 1317;

export async function readOnlyQuery(link: MySqlLink, sql: string, options: ReadOnlyQueryOptions): Promise<QueryResult> {
  const keyword = mysqlLeadingKeyword(sql);
  if (!READING_STATEMENTS.has(keyword)) {
    throw new EngineError(`a read-only query must be SELECT, SHOW, DESCRIBE or EXPLAIN, not ${keyword || "this statement"}`, { kind: "invalid" });
  }
  const started = performance.now();
  await runStatement(link, `SET SESSION ${statementTimeLimitSetting(link.server, Math.max(1, Math.round(options.timeoutMs)))}`);
  try {
    await runStatement(link, "START TRANSACTION READ ONLY");
    try {
      if (options.calls) {
        const refusal = await refusedFunction(link, options.calls);
        if (refusal) throw new EngineError(refusal, { kind: "refused" });
      }
      const streamed = await streamRows(link, sql, options);
      return { ...streamed, durationMs: performance.now() - started };
    } finally {
      await runStatement(link, "ROLLBACK");
    }
  } finally {
    await runStatement(link, `SET SESSION ${statementTimeLimitSetting(link.server, link.limits.statementTimeoutMs)}`);
  }
}

/**
 * Keeps at most rowLimit + 1 rows within maxBytes; once it has them, or when time is up, it stops the query with KILL
 * QUERY. Rows that arrive before the server stops are dropped as they come, never kept.
 */
function streamRows(link: MySqlLink, sql: string, options: ReadOnlyQueryOptions): Promise<Omit<QueryResult, "durationMs">> {
  return new Promise((resolve, reject) => {
    let columns: QueryColumn[] = [];
    const rows: unknown[][] = [];
    let failure: unknown;
    let stopping: Promise<void> | undefined;
    let timedOut = false;
    const budget = new ResultBudget(options.maxBytes ?? Number.MAX_SAFE_INTEGER);

    const stop = (): void => {
      stopping ??= killQuery(link).catch((error: unknown) => {
        failure ??= error;
      });
    };
    const watchdog = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs + WATCHDOG_GRACE_MS);

    const query = link.core.query({ sql, rowsAsArray: true });
    query.on("fields", (fields: FieldPacket[]) => {
      if (columns.length === 0) columns = fields.map(columnOf);
    });
    query.on("result", (row: unknown) => {
      if (rows.length > options.rowLimit || budget.cut || !Array.isArray(row)) return;
      if (rows.length === options.rowLimit) {
        rows.push(row);
        stop();
        return;
      }
      const kept = budget.admit(row);
      if (kept !== undefined) rows.push(kept);
      if (budget.cut) stop();
    });
    query.on("error", (error: unknown) => {
      failure ??= error;
    });
    query.on("end", () => {
      clearTimeout(watchdog);
      void (stopping ?? Promise.resolve()).then(() => {
        const truncated = rows.length > options.rowLimit;
        const interruptedByUs = (failure as { errno?: number } | undefined)?.errno === ER_QUERY_INTERRUPTED && stopping !== undefined;
        if (timedOut || isTimeout(failure)) {
          reject(new EngineError(`the query ran longer than its ${options.timeoutMs} ms limit and was stopped`, { kind: "timeout", cause: failure }));
        } else if (failure !== undefined && !(interruptedByUs && (truncated || budget.cut))) {
          reject(statementFailed(failure, false));
        } else {
          resolve({ columns, rows: rows.slice(0, options.rowLimit), truncated, ...(budget.cut ? { cutAtBytes: true } : {}) });
        }
      });
    });
  });
}

function columnOf(field: FieldPacket): QueryColumn {
  const column: QueryColumn = { name: field.name };
  if (field.orgTable) column.table = field.orgTable;
  if (field.orgName) column.column = field.orgName;
  return column;
}

/** Stops the running statement of the link's connection from a second connection, which the server requires. */
async function killQuery(link: MySqlLink): Promise<void> {
  await withOpenConnection(link.target, (conn) => conn.query(`KILL QUERY ${link.connectionId}`));
}
