// Decides, before anything reaches a server, whether SQL is one read-only statement `/db query` may run.
// Two independent readings must both agree: the engine's parser (a plain SELECT, EXPLAIN of one, or SHOW, read into a
// query shape) and the lexer's code words (a deny-list of clauses and functions that lock, sleep, touch files or change
// state). Functions are decided by what they are, in the catalog, when the query runs (ReadOnlyQueryOptions.calls).
import type { EngineName } from "../engines/engine.ts";
import { engineFor } from "../engines/index.ts";
import { mysqlDialect } from "../engines/mysql/split.ts";
import { postgresDialect } from "../engines/postgres/split.ts";
import type { ReadingStatementShape } from "../engines/engine.ts";
import { QueryShapeError, type ReadQueryShape } from "../engines/query-shape.ts";
import { scanCode, type CodeToken } from "./lexical.ts";
import { QueryRefusedError } from "./refusal.ts";

export { QueryRefusedError };

export type ReadingKind = "select" | "show" | "explain";

export interface ReadingStatement {
  /** The statement's text without its trailing delimiter. */
  sql: string;
  kind: ReadingKind;
  /** The SELECT's shape (for EXPLAIN, the explained SELECT's): what masking and the function rules decide on. */
  shape?: ReadQueryShape;
}

/** Leading keywords of statements that only read. */
const READING_KEYWORDS: Record<string, ReadingKind> = { SELECT: "select", WITH: "select", SHOW: "show", DESCRIBE: "show", DESC: "show", EXPLAIN: "explain" };

/** Words that write, lock, change settings, call code or send output somewhere other than the result. */
const FORBIDDEN_WORDS = new Map<string, string>([
  ...["INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "UPSERT", "TRUNCATE"].map((w) => [w, "writes data"] as const),
  ...["CREATE", "ALTER", "DROP", "RENAME", "GRANT", "REVOKE", "COMMENT"].map((w) => [w, "changes the schema or privileges"] as const),
  ...["INTO", "OUTFILE", "DUMPFILE"].map((w) => [w, "sends the result into a file, variable or table"] as const),
  ...["LOCK", "UNLOCK", "SHARE", "NOWAIT", "HANDLER"].map((w) => [w, "takes locks"] as const),
  ...["SET", "RESET", "KILL", "CALL", "DO", "EXECUTE", "PREPARE", "DEALLOCATE", "COPY", "LOAD", "PROCEDURE", "NOTIFY", "LISTEN", "VACUUM", "ANALYZE", "ANALYSE", "OPTIMIZE", "FLUSH", "PURGE", "INSTALL", "SHUTDOWN", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "START", "TRANSACTION"].map((w) => [w, "is not a read-only query"] as const),
]);

/** Functions that sleep, lock, read server files, run programs or SQL text, change sequences or stop sessions. */
const FORBIDDEN_FUNCTIONS = new Set(
  [
    "sleep", "benchmark", "get_lock", "release_lock", "release_all_locks", "is_free_lock", "is_used_lock", "load_file",
    "sys_exec", "sys_eval", "master_pos_wait", "source_pos_wait", "master_gtid_wait", "wait_for_executed_gtid_set",
    "wait_until_sql_thread_after_gtids", "nextval", "setval", "lastval", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
    "pg_read_file", "pg_read_binary_file", "pg_stat_file", "pg_terminate_backend", "pg_cancel_backend", "pg_signal_backend",
    "pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal", "pg_promote", "pg_notify", "set_config", "pg_create_restore_point",
    "pg_import_system_collations", "pg_export_snapshot", "pg_log_backend_memory_contexts", "ts_stat", "ts_rewrite", "crosstab",
    "connectby", "txid_current", "pg_current_xact_id",
  ],
);
const FORBIDDEN_FUNCTION_PREFIXES = [
  "pg_advisory_", "pg_try_advisory_", "pg_ls_", "pg_file_", "lo_", "dblink", "pg_stat_reset", "pg_create_", "pg_drop_",
  "pg_replication_", "pg_logical_", "pg_backup_", "pg_start_backup", "pg_stop_backup", "pg_wal_replay_", "crosstab",
];
/** query_to_xml, table_to_xml, cursor_to_xml…: they run SQL text or dump whole tables past the masking. */
const FORBIDDEN_FUNCTION_INFIXES = ["_to_xml"];

/** Throws QueryRefusedError with the reason unless `sql` is exactly one statement that only reads. */
/**
 * Throws QueryRefusedError with the reason unless `sql` is exactly one statement that only reads and that the engine's
 * reader can follow (its shape is what masking and the function rules decide on).
 */
export async function checkReadOnly(engineName: EngineName, sql: string): Promise<ReadingStatement> {
  const engine = engineFor(engineName);
  const statements = engine.splitStatements(sql);
  if (statements.length === 0) throw new QueryRefusedError("there is no SQL to run. Write one SELECT statement.");
  if (statements.length > 1) {
    throw new QueryRefusedError(`that is ${statements.length} statements; /db query runs exactly one. Send them one at a time.`);
  }
  const text = statements[0]!.text;
  checkLexically(engineName, text);
  const leading = engineName === "mysql" ? firstWord(text, mysqlDialect) : firstWord(text, postgresDialect);
  if (!READING_KEYWORDS[leading]) {
    throw new QueryRefusedError(`${leading || "this statement"} is not a read-only query. /db query runs SELECT, WITH … SELECT, SHOW, DESCRIBE and EXPLAIN; approvers can run anything else with /db admin.`);
  }
  let reading: ReadingStatementShape;
  try {
    reading = await engine.readQuery(text);
  } catch (error) {
    if (!(error instanceof QueryShapeError)) throw error;
    throw new QueryRefusedError(`Sluice could not follow this query, so it cannot prove that it only reads and that masking holds (${error.message}). Check the syntax, or simplify the query.`);
  }
  return reading.kind === "show" ? { sql: text, kind: "show" } : { sql: text, kind: reading.kind, shape: reading.shape };
}

function firstWord(sql: string, dialect: typeof mysqlDialect): string {
  const first = scanCode(sql, dialect, false).tokens[0];
  return first?.kind === "word" ? first.text : "";
}

/** Both readings of backslashes are checked, since a server setting decides which one the server uses. */
function checkLexically(engineName: EngineName, sql: string): void {
  const dialect = engineName === "mysql" ? mysqlDialect : postgresDialect;
  for (const backslashEscapes of [true, false]) {
    const scan = scanCode(sql, dialect, backslashEscapes);
    if (scan.executableComment) {
      throw new QueryRefusedError("version comments (/*! … */) are refused: the server would run what they hide. Remove the comment.");
    }
    if (scan.unicodeEscape) throw new QueryRefusedError("U&\"…\" escapes are refused: write names and strings plainly.");
    scan.tokens.forEach((token, index) => checkToken(token, scan.tokens, index));
  }
}

function checkToken(token: CodeToken, tokens: CodeToken[], index: number): void {
  const name = token.text.toLowerCase();
  if (token.kind !== "symbol" && isForbiddenFunction(name)) {
    throw new QueryRefusedError(`\`${token.text}\` is refused in /db query: it can sleep, lock, read server files, run programs or SQL text, change sequences or stop sessions.`);
  }
  if (token.kind !== "word") return;
  const next = tokens[index + 1];
  if (token.text === "NEXT" && next?.kind === "word" && next.text === "VALUE") {
    throw new QueryRefusedError("`NEXT VALUE FOR` changes a sequence; /db query only reads.");
  }
  const previous = tokens[index - 1]?.text;
  if ((token.text === "UPDATE" || token.text === "SHARE") && (previous === "FOR" || previous === "KEY" || previous === "NO" || previous === "IN")) {
    throw new QueryRefusedError("locking reads (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE) are refused; /db query never takes row locks.");
  }
  const why = FORBIDDEN_WORDS.get(token.text);
  // `CHARACTER SET` inside CAST/CONVERT names a character set; it changes nothing.
  if (token.text === "SET" && previous === "CHARACTER") return;
  if (why) {
    throw new QueryRefusedError(`\`${token.text}\` ${why}; /db query only reads. (If it is a column or table name, quote it.) Approvers can use /db admin.`);
  }
}

export function isForbiddenFunction(name: string): boolean {
  const bare = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  return (
    FORBIDDEN_FUNCTIONS.has(bare) ||
    FORBIDDEN_FUNCTION_PREFIXES.some((prefix) => bare.startsWith(prefix)) ||
    FORBIDDEN_FUNCTION_INFIXES.some((infix) => bare.includes(infix))
  );
}
