// Decides, before anything reaches a server, whether SQL is one read-only statement `/db query` may run.
// Two independent readings must both agree: the parser's AST (an allow-list of statement types) and the
// lexer's code words (a deny-list of clauses and functions that lock, sleep, touch files or change state).
import type { EngineName } from "../engines/engine.ts";
import { engineFor } from "../engines/index.ts";
import { mysqlDialect } from "../engines/mysql/split.ts";
import { postgresDialect } from "../engines/postgres/split.ts";
import { SluiceError } from "../errors.ts";
import { astify, type AstNode } from "../review/parse.ts";
import { scanCode, type CodeToken } from "./lexical.ts";

export class QueryRefusedError extends SluiceError {
  constructor(readonly reason: string) {
    super(`Refused, nothing was run: ${reason}`);
  }
}

export type ReadingKind = "select" | "show" | "explain";

export interface ReadingStatement {
  /** The statement's text without its trailing delimiter. */
  sql: string;
  kind: ReadingKind;
  /** The parsed SELECT, when kind is "select" (masking reads its select list). */
  ast?: AstNode;
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

const STATEMENT_TYPES_THAT_READ = new Set(["select"]);

/** Throws QueryRefusedError with the reason unless `sql` is exactly one statement that only reads. */
export function checkReadOnly(engineName: EngineName, sql: string): ReadingStatement {
  const statements = engineFor(engineName).splitStatements(sql);
  if (statements.length === 0) throw new QueryRefusedError("there is no SQL to run. Write one SELECT statement.");
  if (statements.length > 1) {
    throw new QueryRefusedError(`that is ${statements.length} statements; /db query runs exactly one. Send them one at a time.`);
  }
  const text = statements[0]!.text;
  checkLexically(engineName, text);
  const leading = engineName === "mysql" ? firstWord(text, mysqlDialect) : firstWord(text, postgresDialect);
  const kind = READING_KEYWORDS[leading];
  if (!kind) {
    throw new QueryRefusedError(`${leading || "this statement"} is not a read-only query. /db query runs SELECT, WITH … SELECT, SHOW, DESCRIBE and EXPLAIN; approvers can run anything else with /db admin.`);
  }
  if (kind !== "select") return { sql: text, kind };
  return { sql: text, kind, ast: parseSelect(engineName, text) };
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

function parseSelect(engineName: EngineName, sql: string): AstNode {
  let nodes: AstNode[];
  try {
    nodes = astify(engineName, sql);
  } catch {
    throw new QueryRefusedError("Sluice could not parse this SQL, so it cannot prove it only reads. Check the syntax, or simplify the query.");
  }
  if (nodes.length !== 1) throw new QueryRefusedError("/db query runs exactly one statement.");
  walk(nodes[0], (node) => {
    if (typeof node.type === "string" && STATEMENT_LIKE.has(node.type) && !STATEMENT_TYPES_THAT_READ.has(node.type)) {
      throw new QueryRefusedError(`it contains a ${node.type.toUpperCase()}; /db query only reads.`);
    }
    if (node.type === "function" || node.type === "aggr_func") {
      const name = functionNameOf(node);
      if (isForbiddenFunction(name)) throw new QueryRefusedError(`\`${name}\` is refused in /db query.`);
    }
    if (node.into && typeof node.into === "object" && node.into.position) throw new QueryRefusedError("SELECT … INTO is refused; /db query only returns rows.");
    if (node.locking_read) throw new QueryRefusedError("locking reads (FOR UPDATE / FOR SHARE) are refused; /db query never takes row locks.");
  });
  if (nodes[0]!.type !== "select") throw new QueryRefusedError("/db query runs SELECT statements only.");
  return nodes[0]!;
}

const STATEMENT_LIKE = new Set(["select", "insert", "replace", "update", "delete", "create", "alter", "drop", "truncate", "rename", "set", "lock", "unlock", "call", "grant", "revoke", "load_data", "exec", "transaction", "use", "declare"]);

export function functionNameOf(node: AstNode): string {
  const name = node.name;
  if (typeof name === "string") return name.toLowerCase();
  const parts = Array.isArray(name?.name) ? (name.name as AstNode[]) : [];
  return parts.map((part) => String(part.value)).join(".").toLowerCase();
}

/** Visits every object in the AST, depth first. */
export function walk(node: unknown, visit: (node: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!node || typeof node !== "object") return;
  visit(node as AstNode);
  for (const value of Object.values(node as AstNode)) walk(value, visit);
}
