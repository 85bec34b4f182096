// ReviewCatalog for PostgreSQL: catalog reads and EXPLAIN for the SQL review, none of which can run what it reads.
import type pg from "pg";
import type { CatalogColumn, CatalogIndex } from "../../review/catalog.ts";
import type { ConnectionTarget, ReviewCatalogSession, SessionLimits } from "../engine.ts";
import { connectPostgres } from "./connect.ts";
import { runStatement } from "./session.ts";

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

/** One row per index with its key parts in order; an expression part has no column name. */
export const TABLE_INDEXES_SQL = `
  SELECT i.relname AS name, x.indisprimary AS primary, x.indisunique AS unique, upper(am.amname) AS method,
    array(SELECT coalesce(lower(a.attname::text), 'expr()') FROM unnest(x.indkey[0:x.indnkeyatts - 1]) WITH ORDINALITY k(attnum, n)
          LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
  FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
  JOIN pg_catalog.pg_am am ON am.oid = i.relam
  WHERE x.indrelid = (SELECT oid FROM (${RELATION}) r)
  ORDER BY i.relname`;

export const TABLE_ROW_ESTIMATE_SQL = `SELECT reltuples::bigint AS estimate FROM (${RELATION}) r`;

/** The planner's estimate; EXPLAIN without ANALYZE plans the statement and never runs it. */
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

/**
 * A connection of its own for the review. Every read goes through the extended protocol, whose Parse message the
 * server refuses when the text holds more than one command, inside a READ ONLY transaction that is rolled back; the
 * statement timeout is the limits' (set by connectPostgres).
 */
export async function openPostgresReviewCatalog(target: ConnectionTarget, limits: SessionLimits): Promise<ReviewCatalogSession> {
  const link = await connectPostgres(target, limits);
  const analyse = async <Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> => {
    await runStatement(link, "BEGIN TRANSACTION READ ONLY");
    try {
      return (await link.client.query<Row>({ text, values, queryMode: "extended" } as pg.QueryConfig)).rows;
    } finally {
      await runStatement(link, "ROLLBACK");
    }
  };
  return {
    async tableExists(schema, table) {
      const [row] = await analyse<{ found: boolean }>(TABLE_EXISTS_SQL, [schema ?? null, table]);
      return row?.found === true;
    },
    columnsOf(table) {
      return analyse<CatalogColumn>(TABLE_COLUMNS_SQL, splitName(table));
    },
    async indexesOf(table) {
      const rows = await analyse<{ name: string; primary: boolean; unique: boolean; method: string; columns: string[] }>(TABLE_INDEXES_SQL, splitName(table));
      return rows.map((row): CatalogIndex => ({ name: row.name, kind: row.primary ? "primary" : row.unique ? "unique" : "index", columns: row.columns, method: row.method }));
    },
    async estimateAffectedRows(statement) {
      let rows;
      try {
        rows = await analyse<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(EXPLAIN_PREFIX + statement);
      } catch {
        return undefined; // the server refuses it (unknown table, or more than one command): other rules report that
      }
      const plan = rows[0]?.["QUERY PLAN"][0]?.Plan;
      if (!plan) return undefined;
      // ModifyTable reports 0 rows; the rows it will touch are its input's.
      const scan = plan["Node Type"] === "ModifyTable" ? plan.Plans?.[0] : plan;
      return scan?.["Plan Rows"];
    },
    async tableRowEstimate(table) {
      const [row] = await analyse<{ estimate: string }>(TABLE_ROW_ESTIMATE_SQL, splitName(table));
      // reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14+).
      return row === undefined ? undefined : Math.max(0, Number(row.estimate));
    },
    async close() {
      await link.client.end();
    },
  };
}
