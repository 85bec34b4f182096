// `/db query` calls a MySQL/MariaDB function only if it is a built-in known to have no side effects, or a stored
// function of the database declared NO SQL (information_schema.ROUTINES.SQL_DATA_ACCESS).
import type { FunctionCall } from "../query-shape.ts";
import { statementFailed } from "../errors.ts";
import type { MySqlLink } from "./connect.ts";

/**
 * Built-in functions that compute a value from their arguments, a clock or a random source, and nothing else: no
 * locks, sleeps, files, sessions, replication waits or SQL text. Reviewed one by one; a new entry needs the same review.
 */
export const SIDE_EFFECT_FREE_BUILTINS = new Set(
  [
    // strings
    "ascii", "bin", "bit_length", "char", "char_length", "character_length", "chr", "concat", "concat_ws", "elt", "export_set", "field",
    "find_in_set", "format", "from_base64", "hex", "insert", "instr", "lcase", "left", "length", "locate", "lower", "lpad", "ltrim",
    "make_set", "mid", "oct", "octet_length", "ord", "position", "quote", "regexp_instr", "regexp_like", "regexp_replace", "regexp_substr",
    "repeat", "replace", "reverse", "right", "rpad", "rtrim", "soundex", "space", "strcmp", "substr", "substring", "substring_index",
    "to_base64", "trim", "ucase", "unhex", "upper", "weight_string", "natural_sort_key", "sformat", "collation", "charset", "coercibility",
    // numbers
    "abs", "acos", "asin", "atan", "atan2", "ceil", "ceiling", "conv", "cos", "cot", "crc32", "degrees", "div", "exp", "floor", "greatest",
    "least", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians", "rand", "round", "sign", "sin", "sqrt", "tan", "truncate",
    // dates and times
    "adddate", "addtime", "convert_tz", "curdate", "current_date", "current_time", "current_timestamp", "curtime", "date", "date_add",
    "date_format", "date_sub", "datediff", "day", "dayname", "dayofmonth", "dayofweek", "dayofyear", "extract", "from_days", "from_unixtime",
    "get_format", "hour", "last_day", "localtime", "localtimestamp", "makedate", "maketime", "microsecond", "minute", "month", "monthname",
    "now", "period_add", "period_diff", "quarter", "sec_to_time", "second", "str_to_date", "subdate", "subtime", "sysdate", "time",
    "time_format", "time_to_sec", "timediff", "timestamp", "timestampadd", "timestampdiff", "to_days", "to_seconds", "unix_timestamp",
    "utc_date", "utc_time", "utc_timestamp", "week", "weekday", "weekofyear", "year", "yearweek",
    // control flow and types
    "if", "ifnull", "nullif", "coalesce", "isnull", "nvl", "nvl2", "cast", "convert", "binary", "interval",
    // hashes and encodings
    "md5", "sha", "sha1", "sha2", "uuid", "uuid_short", "sys_guid", "inet_aton", "inet_ntoa", "inet6_aton", "inet6_ntoa", "is_ipv4", "is_ipv6",
    // JSON
    "json_array", "json_arrayagg", "json_contains", "json_contains_path", "json_depth", "json_extract", "json_keys", "json_length",
    "json_merge", "json_merge_patch", "json_merge_preserve", "json_object", "json_objectagg", "json_quote", "json_search", "json_type",
    "json_unquote", "json_valid", "json_value", "json_query", "json_exists", "json_compact", "json_detailed", "json_pretty", "json_loose",
    "json_array_append", "json_array_insert", "json_insert", "json_remove", "json_replace", "json_set", "json_overlaps",
    // aggregates and window functions
    "avg", "bit_and", "bit_or", "bit_xor", "count", "group_concat", "max", "min", "std", "stddev", "stddev_pop", "stddev_samp", "sum",
    "var_pop", "var_samp", "variance", "cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead", "nth_value", "ntile",
    "percent_rank", "rank", "row_number", "median", "percentile_cont", "percentile_disc",
    // about the session (no effect)
    "database", "schema", "version", "current_user", "user", "session_user", "system_user", "connection_id", "current_role",
  ],
);

interface StoredFunction {
  name: string;
  access: string;
}

/** Why the query may not run, or undefined when every function it calls is allowed. */
export async function refusedFunction(link: MySqlLink, calls: { functions: FunctionCall[] }): Promise<string | undefined> {
  const stored = calls.functions.filter((call) => call.schema !== undefined || !SIDE_EFFECT_FREE_BUILTINS.has(call.name));
  if (stored.length === 0) return undefined;
  const database = link.target.database ?? "";
  let rows: StoredFunction[];
  try {
    const [result] = await link.conn.execute(
      `SELECT ROUTINE_SCHEMA AS \`schema\`, ROUTINE_NAME AS name, SQL_DATA_ACCESS AS access FROM information_schema.ROUTINES
        WHERE ROUTINE_TYPE = 'FUNCTION' AND ROUTINE_SCHEMA = ? AND ROUTINE_NAME IN (${stored.map(() => "?").join(", ")})`,
      [database, ...stored.map((call) => call.name)],
    );
    rows = (result as Array<{ name: string; access: string }>).map((row) => ({ name: String(row.name).toLowerCase(), access: String(row.access) }));
  } catch (error) {
    throw statementFailed(error, false);
  }
  for (const call of stored) {
    const named = call.schema ? `${call.schema}.${call.name}` : call.name;
    if (call.schema !== undefined && call.schema.toLowerCase() !== database.toLowerCase()) {
      return `\`${named}()\` is a function of another database; /db query calls only built-in functions and this database's own.`;
    }
    const found = rows.find((row) => row.name === call.name);
    if (!found) {
      return `\`${named}()\` is not a built-in function Sluice knows to have no side effects, nor a stored function of this database. Approvers can use /db admin.`;
    }
    if (found.access !== "NO SQL" && found.access !== "READS SQL DATA") {
      return `the stored function \`${named}()\` is declared ${found.access}, so it may change data; /db query calls only functions declared NO SQL or READS SQL DATA. Approvers can use /db admin.`;
    }
    if (found.access === "READS SQL DATA") {
      return `the stored function \`${named}()\` is declared READS SQL DATA: it can read a sensitive column where masking cannot see, so /db query does not call it. Approvers can use /db admin.`;
    }
  }
  return undefined;
}
