// Read-only view of the live database that the catalog-backed review rules consult.

export interface CatalogColumn {
  name: string;
  /** The column's type as the server spells it, e.g. `varchar(255)`, `bigint unsigned`, `timestamp with time zone`. */
  type: string;
  nullable: boolean;
}

/**
 * An UPDATE or DELETE, and the same rows as a SELECT built from its parse tree (undefined when it could not be built).
 * Each engine explains what it can explain without running anything: PostgreSQL the statement itself, MariaDB (whose
 * read-only transactions refuse EXPLAIN UPDATE, and whose EXPLAIN UPDATE runs the functions it folds) the SELECT.
 */
export interface RowsTouched {
  statement: string;
  select(): string | undefined;
}

/** Implemented per engine in src/engines/<engine>/review-catalog.ts. Every method is read-only. */
export interface ReviewCatalog {
  /** Whether the table (or view) exists; `schema` defaults to the connection's database / search path. */
  tableExists(schema: string | undefined, table: string): Promise<boolean>;
  /** Columns of a table in ordinal order; empty when the table does not exist. */
  columnsOf(table: string): Promise<CatalogColumn[]>;
  /** Rows the server's planner expects an UPDATE or DELETE to touch (from EXPLAIN); undefined when it cannot tell. */
  estimateAffectedRows(statement: RowsTouched): Promise<number | undefined>;
  /** The planner's row estimate for the table; undefined when the table does not exist. */
  tableRowEstimate(table: string): Promise<number | undefined>;
}
