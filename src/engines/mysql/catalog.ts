// The information_schema queries behind dumpSchema and schemaFingerprint, one per catalog.
// Each query names its fields once; the fingerprint hashes exactly the fields the dump reads, so it moves when the dump would.
import { atLeast, type MySqlServer } from "./server.ts";

export interface CatalogQuery {
  /** Columns, or `expression AS NAME` where the dump needs a value normalized by the server. */
  fields: readonly string[];
  from: string;
}

export const SCHEMA_DEFAULTS: CatalogQuery = {
  fields: ["DEFAULT_CHARACTER_SET_NAME", "DEFAULT_COLLATION_NAME"],
  from: "information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()",
};

// Volatile fields (AUTO_INCREMENT, TABLE_ROWS, DATA_LENGTH, CREATE_TIME, ...) are never read.
export const TABLES: CatalogQuery = {
  fields: ["TABLE_NAME", "TABLE_TYPE", "ENGINE", "TABLE_COLLATION", "CREATE_OPTIONS", "TABLE_COMMENT"],
  from: "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
};

export const COLUMNS: CatalogQuery = {
  fields: [
    "TABLE_NAME",
    "COLUMN_NAME",
    "ORDINAL_POSITION",
    "COLUMN_DEFAULT",
    "IS_NULLABLE",
    "COLUMN_TYPE",
    "COLLATION_NAME",
    "EXTRA",
    "COLUMN_COMMENT",
    "GENERATION_EXPRESSION",
  ],
  from: "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()",
};

/** CARDINALITY is a statistic and is never read; the index flags differ by server. */
export function indexColumns(server: MySqlServer): CatalogQuery {
  const fields = ["TABLE_NAME", "INDEX_NAME", "NON_UNIQUE", "SEQ_IN_INDEX", "COLUMN_NAME", "COLLATION", "SUB_PART", "INDEX_TYPE", "INDEX_COMMENT"];
  if (server.flavor === "mysql" && atLeast(server, 8, 0, 13)) fields.push("EXPRESSION");
  if (server.flavor === "mysql" && atLeast(server, 8, 0)) fields.push("IS_VISIBLE");
  if (server.flavor === "mariadb" && atLeast(server, 10, 6)) fields.push("IGNORED");
  return { fields, from: "information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()" };
}

export const FOREIGN_KEY_COLUMNS: CatalogQuery = {
  fields: [
    "k.TABLE_NAME",
    "k.CONSTRAINT_NAME",
    "k.ORDINAL_POSITION",
    "k.COLUMN_NAME",
    "NULLIF(k.REFERENCED_TABLE_SCHEMA, DATABASE()) AS REFERENCED_TABLE_SCHEMA",
    "k.REFERENCED_TABLE_NAME",
    "k.REFERENCED_COLUMN_NAME",
    "r.UPDATE_RULE",
    "r.DELETE_RULE",
  ],
  // Each side filters on its own schema column in a derived table: a plain join of information_schema tables
  // makes the server open every table of every database (seconds on a server with thousands of tables).
  from: `(SELECT * FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL) k
    JOIN (SELECT * FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()) r
      ON r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME`,
};

/** CHECK constraints: MariaDB keeps the table in CHECK_CONSTRAINTS (and names column checks after the column); MySQL 8.0.16+ needs the join. */
export function checkConstraints(server: MySqlServer): CatalogQuery | undefined {
  if (server.flavor === "mariadb") {
    if (!atLeast(server, 10, 3, 10)) return undefined;
    return {
      fields: ["TABLE_NAME", "CONSTRAINT_NAME", "CHECK_CLAUSE"],
      from: "information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
    };
  }
  if (!atLeast(server, 8, 0, 16)) return undefined;
  return {
    fields: ["tc.TABLE_NAME", "tc.CONSTRAINT_NAME", "cc.CHECK_CLAUSE"],
    from: `(SELECT * FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_TYPE = 'CHECK') tc
      JOIN (SELECT * FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()) cc ON cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME`,
  };
}

// The server writes views with every name qualified by the database; without it, snapshots of Test and Prod compare.
export const VIEWS: CatalogQuery = {
  fields: [
    "TABLE_NAME",
    "REPLACE(VIEW_DEFINITION, CONCAT('`', REPLACE(DATABASE(), '`', '``'), '`.'), '') AS VIEW_DEFINITION",
    "CHECK_OPTION",
    "SECURITY_TYPE",
  ],
  from: "information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()",
};

// DEFINER and CREATED are left out: who created an object, and when, is not its schema.
export const TRIGGERS: CatalogQuery = {
  fields: ["TRIGGER_NAME", "EVENT_OBJECT_TABLE", "ACTION_TIMING", "EVENT_MANIPULATION", "ACTION_ORIENTATION", "ACTION_ORDER", "ACTION_STATEMENT"],
  // EVENT_OBJECT_SCHEMA, not TRIGGER_SCHEMA: only the former lets MariaDB read one database instead of all.
  from: "information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE()",
};

export const ROUTINES: CatalogQuery = {
  fields: [
    "SPECIFIC_NAME",
    "ROUTINE_NAME",
    "ROUTINE_TYPE",
    "DTD_IDENTIFIER",
    "ROUTINE_DEFINITION",
    "IS_DETERMINISTIC",
    "SQL_DATA_ACCESS",
    "SECURITY_TYPE",
    "ROUTINE_COMMENT",
  ],
  from: "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()",
};

/** Position 0 is a function's return value, which ROUTINES.DTD_IDENTIFIER already gives. */
export const ROUTINE_PARAMETERS: CatalogQuery = {
  fields: ["SPECIFIC_NAME", "ROUTINE_TYPE", "ORDINAL_POSITION", "PARAMETER_MODE", "PARAMETER_NAME", "DTD_IDENTIFIER"],
  from: "information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = DATABASE() AND ORDINAL_POSITION > 0",
};

/** Every catalog the dump reads, in the order the fingerprint hashes them. */
export function schemaCatalogs(server: MySqlServer): CatalogQuery[] {
  const checks = checkConstraints(server);
  return [
    SCHEMA_DEFAULTS,
    TABLES,
    COLUMNS,
    indexColumns(server),
    FOREIGN_KEY_COLUMNS,
    ...(checks ? [checks] : []),
    VIEWS,
    TRIGGERS,
    ROUTINES,
    ROUTINE_PARAMETERS,
  ];
}

const ALIASED = /^(.*) AS (\w+)$/s;

export function selectSql(query: CatalogQuery): string {
  const aliased = query.fields.map((field) => (ALIASED.test(field) ? field : `${field} AS ${field.replace(/^\w+\./, "")}`));
  return `SELECT ${aliased.join(", ")} FROM ${query.from}`;
}

/**
 * One SELECT that hashes every catalog's rows. Each catalog contributes its row count and the exact sum of a 60-bit
 * hash per row, so the result ignores row order and never hits GROUP_CONCAT's length limit.
 */
export function fingerprintSql(server: MySqlServer): string {
  const terms = schemaCatalogs(server).map((query) => {
    const values = query.fields.map((field) => `QUOTE(${field.replace(ALIASED, "$1")})`);
    const row = `CONCAT_WS(',', ${values.join(", ")})`;
    return `(SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CAST(CONV(LEFT(MD5(${row}), 15), 16, 10) AS UNSIGNED)), 0)) FROM ${query.from})`;
  });
  return `SELECT MD5(CONCAT_WS('|', ${terms.join(",\n  ")})) AS fingerprint`;
}
