// Read-only view of the live database that the catalog-backed review rules consult.

export interface CatalogColumn {
  name: string;
  /** The column's type as the server spells it, e.g. `varchar(255)`, `bigint unsigned`, `timestamp with time zone`. */
  type: string;
  nullable: boolean;
  /** Character set and collation of a character column, lower-cased (MySQL); undefined for other columns and engines. */
  charset?: string;
  collation?: string;
}

export interface CatalogIndex {
  name: string;
  kind: "primary" | "unique" | "index" | "fulltext" | "spatial";
  /** Key parts in order, lower-cased; an expression part is `expr()`. */
  columns: string[];
  /** The access method as the server names it (BTREE, HASH, gin...), upper-cased. */
  method?: string;
}

/** Implemented per engine in src/engines/<engine>/review-catalog.ts. Every method is read-only. */
export interface ReviewCatalog {
  /** Whether the table (or view) exists; `schema` defaults to the connection's database / search path. */
  tableExists(schema: string | undefined, table: string): Promise<boolean>;
  /** Columns of a table in ordinal order; empty when the table does not exist. */
  columnsOf(table: string): Promise<CatalogColumn[]>;
  /** Indexes of a table (primary key included); empty when the table does not exist. */
  indexesOf(table: string): Promise<CatalogIndex[]>;
  /** Rows the server's planner expects the statement to touch (from EXPLAIN); undefined when it cannot tell. */
  estimateAffectedRows(sql: string): Promise<number | undefined>;
  /** The planner's row estimate for the table; undefined when the table does not exist. */
  tableRowEstimate(table: string): Promise<number | undefined>;
}
