// What `/db query` may read on MySQL/MariaDB: its statements read into a query shape, and the catalogs it may not read.
import type { ReadingStatementShape } from "../engine.ts";
import { QueryShapeError } from "../query-shape.ts";
import { readMysqlQuery } from "./query-shape.ts";
import { mysqlLeadingKeyword } from "./split.ts";

/** Schemas that hold column values (mysql.column_stats), password hashes (mysql.user) or other sessions' SQL. */
const REFUSED_SCHEMAS = new Map<string, string>([
  ["mysql", "is the server's own schema (column statistics holding values, account password hashes)"],
  ["performance_schema", "holds other sessions' SQL, with the values it holds"],
  ["sys", "shows performance_schema, which holds other sessions' SQL"],
]);
const REFUSED_INFORMATION_SCHEMA = new Map<string, string>([
  ["processlist", "shows other sessions' SQL, with the values it holds"],
  ["column_statistics", "holds histograms of column values, masked columns included"],
]);
/** SHOW forms that print other sessions' SQL or logged row data. */
const REFUSED_SHOW = /^\s*SHOW\s+(?:FULL\s+)?(?:PROCESSLIST|BINLOG|RELAYLOG|ENGINE|PROFILES?|MASTER|SLAVE|REPLICA)\b/i;
const EXPLAINED_SELECT = /^\s*(?:EXPLAIN|DESCRIBE|DESC)\s+(?:(?:EXTENDED|PARTITIONS)\s+|FORMAT\s*=\s*\w+\s+)?\(?\s*(?:SELECT|WITH)\b/i;

export async function readQuery(statement: string): Promise<ReadingStatementShape> {
  const keyword = mysqlLeadingKeyword(statement);
  if (keyword === "SELECT" || keyword === "WITH") return { kind: "select", shape: readMysqlQuery(statement, false) };
  if (EXPLAINED_SELECT.test(statement)) return { kind: "explain", shape: readMysqlQuery(statement, true) };
  if (REFUSED_SHOW.test(statement)) throw new QueryShapeError("that SHOW prints other sessions' SQL or logged rows, with the values they hold");
  return { kind: "show" };
}

export function refusedRelation(name: readonly string[]): string | undefined {
  if (name.length < 2) return undefined;
  const schema = name[0]!.toLowerCase();
  const table = name[name.length - 1]!.toLowerCase();
  const why = REFUSED_SCHEMAS.get(schema) ?? (schema === "information_schema" ? REFUSED_INFORMATION_SCHEMA.get(table) : undefined);
  return why ? `\`${name.join(".")}\` ${why}; /db query does not read it.` : undefined;
}
