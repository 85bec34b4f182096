// The pg_catalog queries behind the PostgreSQL engine, one named constant each.
import { readFileSync } from "node:fs";

/** One row per snapshot line with its sort keys; see schema-lines.sql. */
export const SCHEMA_LINES = readFileSync(new URL("./schema-lines.sql", import.meta.url), "utf8");

const SCHEMA_TEXT = `coalesce(string_agg(text, E'\\n' ORDER BY section, object COLLATE "C", item, detail COLLATE "C"), '')`;

/** The whole snapshot, assembled and ordered by the server with byte-wise (C) collation. */
export const SCHEMA_DUMP = `SELECT ${SCHEMA_TEXT} AS dump FROM (\n${SCHEMA_LINES}\n) lines`;

/** The md5 of exactly the text SCHEMA_DUMP returns: one round trip, one short value back. */
export const SCHEMA_FINGERPRINT = `SELECT md5(${SCHEMA_TEXT}) AS fingerprint FROM (\n${SCHEMA_LINES}\n) lines`;

/** SCHEMA_DUMP's text and its SCHEMA_FINGERPRINT from one read of the catalog. */
export const SCHEMA_SNAPSHOT = `SELECT dump, md5(dump) AS fingerprint FROM (SELECT ${SCHEMA_TEXT} AS dump FROM (\n${SCHEMA_LINES}\n) lines) snapshot`;

/**
 * Runs a catalog query with search_path = pg_catalog, restoring the session's own afterwards, in one round trip:
 * pg_get_* functions qualify names by what the search path shows, and snapshots must not depend on it.
 */
export function withCatalogSearchPath(sql: string): string {
  return [
    "SELECT set_config('sluice.saved_search_path', current_setting('search_path'), false), set_config('search_path', 'pg_catalog', false)",
    sql,
    "SELECT set_config('search_path', current_setting('sluice.saved_search_path'), false)",
  ].join(";\n");
}

/** Source table and column of result columns, from the (table OID, column number) pairs the server reports. */
export const RESULT_COLUMN_SOURCES = `
SELECT a.attrelid::int8 AS table_id, a.attnum::int AS column_id, c.relname AS table_name, a.attname AS column_name
FROM unnest($1::oid[], $2::int2[]) AS source(table_id, column_id)
JOIN pg_attribute a ON a.attrelid = source.table_id AND a.attnum = source.column_id
JOIN pg_class c ON c.oid = a.attrelid`;

export const USER_DATABASES = `
SELECT datname AS name FROM pg_database
WHERE NOT datistemplate AND datallowconn AND datname NOT IN ('postgres', 'rdsadmin')
ORDER BY datname COLLATE "C"`;

/**
 * The functions and operators a query calls that `/db query`'s function rules may refuse: VOLATILE ones, and those
 * outside pg_catalog written in a language that can run SQL. Everything else is left out here, so an ordinary query
 * gets no rows back. $1 function names, $2 schemas named explicitly, $3 operator names; unqualified names resolve on
 * the session's search path. `schema` is the function's schema (for an operator, the function behind it).
 */
export const CALLED_FUNCTIONS = `SELECT 'function' AS kind, p.proname AS name, n.nspname AS schema, p.provolatile AS volatility, l.lanname AS language
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE p.proname = ANY($1::text[]) AND (n.nspname = ANY($2::text[]) OR n.nspname = ANY(pg_catalog.current_schemas(true)))
   AND (p.provolatile = 'v' OR (n.nspname <> 'pg_catalog' AND l.lanname NOT IN ('c', 'internal')))
UNION ALL
SELECT 'operator', o.oprname, n.nspname, p.provolatile, l.lanname
  FROM pg_catalog.pg_operator o
  -- One index lookup per operator (LIMIT keeps the planner from hashing all of pg_proc).
  CROSS JOIN LATERAL (SELECT f.pronamespace, f.provolatile, f.prolang FROM pg_catalog.pg_proc f WHERE f.oid = o.oprcode LIMIT 1) p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE o.oprname = ANY($3::text[]) AND o.oprnamespace IN (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ANY(pg_catalog.current_schemas(true)))
   AND (p.provolatile = 'v' OR (n.nspname <> 'pg_catalog' AND l.lanname NOT IN ('c', 'internal')))`;
