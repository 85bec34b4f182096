// ReviewCatalog for PostgreSQL: read-only catalog and EXPLAIN queries for the SQL review.
import type { Client } from "pg";
import type { CatalogColumn, ReviewCatalog } from "../../review/catalog.ts";

/** Finds a relation by schema (or the search path when $1 is null) and name, as written or case-folded. */
const RELATION = `
  SELECT c.oid, c.reltuples FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relname::text IN ($2::text, lower($2::text)) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND (CASE WHEN $1::text IS NULL THEN pg_catalog.pg_table_is_visible(c.oid) ELSE n.nspname::text IN ($1::text, lower($1::text)) END)
  ORDER BY c.relname::text = $2::text DESC LIMIT 1`;

export const TABLE_EXISTS_SQL = `SELECT EXISTS (${RELATION}) AS found`;

export const TABLE_COLUMNS_SQL = `
  SELECT a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
  FROM pg_catalog.pg_attribute a
  WHERE a.attrelid = (SELECT oid FROM (${RELATION}) r) AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY a.attnum`;

export const TABLE_ROW_ESTIMATE_SQL = `SELECT reltuples::bigint AS estimate FROM (${RELATION}) r`;

/** Prefix for the planner's estimate; only ever applied to UPDATE/DELETE text, which EXPLAIN without ANALYZE does not run. */
export const EXPLAIN_PREFIX = "EXPLAIN (FORMAT JSON) ";

interface PlanNode {
  "Node Type": string;
  "Plan Rows": number;
  Plans?: PlanNode[];
}

function splitName(name: string): [string | null, string] {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? [null, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

export function postgresReviewCatalog(client: Client): ReviewCatalog {
  return {
    async tableExists(schema, table) {
      const result = await client.query<{ found: boolean }>(TABLE_EXISTS_SQL, [schema ?? null, table]);
      return result.rows[0]?.found === true;
    },
    async columnsOf(table) {
      const result = await client.query<CatalogColumn>(TABLE_COLUMNS_SQL, splitName(table));
      return result.rows;
    },
    async estimateAffectedRows(sql) {
      if (!/^\s*(UPDATE|DELETE)\b/i.test(sql)) return undefined;
      let result;
      try {
        result = await client.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(EXPLAIN_PREFIX + sql);
      } catch {
        return undefined; // the planner rejects it (e.g. unknown table): the reference rule reports that
      }
      const plan = result.rows[0]?.["QUERY PLAN"][0]?.Plan;
      if (!plan) return undefined;
      // ModifyTable reports 0 rows; the rows it will touch are its input's.
      const scan = plan["Node Type"] === "ModifyTable" ? plan.Plans?.[0] : plan;
      return scan?.["Plan Rows"];
    },
    async tableRowEstimate(table) {
      const result = await client.query<{ estimate: string }>(TABLE_ROW_ESTIMATE_SQL, splitName(table));
      const estimate = result.rows[0]?.estimate;
      // reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14+).
      return estimate === undefined ? undefined : Math.max(0, Number(estimate));
    },
  };
}
