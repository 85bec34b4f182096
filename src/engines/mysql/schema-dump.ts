// The MySQL/MariaDB schema snapshot: the connected database's catalogs rendered as sorted, diff-friendly text.
import {
  checkConstraints,
  COLUMNS,
  fingerprintSql,
  FOREIGN_KEY_COLUMNS,
  indexColumns,
  ROUTINE_PARAMETERS,
  ROUTINES,
  SCHEMA_DEFAULTS,
  selectSql,
  TABLES,
  TRIGGERS,
  VIEWS,
  type CatalogQuery,
} from "./catalog.ts";
import type { MySqlLink } from "./connect.ts";
import { quoteLiteral } from "./quote.ts";
import type { MySqlServer } from "./server.ts";
import { runStatement } from "./session.ts";

type Row = Record<string, unknown>;

interface SchemaCatalogs {
  schema: Row;
  tables: Row[];
  columns: Row[];
  indexColumns: Row[];
  foreignKeyColumns: Row[];
  checks: Row[];
  views: Row[];
  triggers: Row[];
  routines: Row[];
  parameters: Row[];
}

/**
 * information_schema reads one database's directory only when the schema is a literal: `= DATABASE()` makes
 * MariaDB/MySQL open every table of every database (seconds on a server with thousands of tables).
 */
function forThisDatabase(link: MySqlLink, sql: string): string {
  const database = link.target.database;
  return database ? forDatabase(sql, database) : sql;
}

function forDatabase(sql: string, database: string): string {
  return sql.replaceAll("DATABASE()", quoteLiteral(database));
}

/**
 * Fingerprints of several databases over one server-level connection: the same query schemaFingerprint runs,
 * once per database, without a connection per database. Databases that do not exist are left out.
 */
export async function schemaFingerprintsOf(link: MySqlLink, databases: readonly string[]): Promise<Map<string, string>> {
  const fingerprints = new Map<string, string>();
  if (databases.length === 0) return fingerprints;
  const existing = (await runStatement(
    link,
    `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${databases.map(quoteLiteral).join(", ")})`,
  )) as Row[];
  const sql = fingerprintSql(link.server);
  for (const name of existing.map((row) => text(row["name"]))) {
    const rows = (await runStatement(link, forDatabase(sql, name))) as Row[];
    fingerprints.set(name, text(rows[0]?.["fingerprint"]));
  }
  return fingerprints;
}

export async function dumpSchema(link: MySqlLink): Promise<string> {
  const read = async (query: CatalogQuery): Promise<Row[]> => (await runStatement(link, forThisDatabase(link, selectSql(query)))) as Row[];
  const checks = checkConstraints(link.server);
  const catalogs: SchemaCatalogs = {
    schema: (await read(SCHEMA_DEFAULTS))[0] ?? {},
    tables: await read(TABLES),
    columns: await read(COLUMNS),
    indexColumns: await read(indexColumns(link.server)),
    foreignKeyColumns: await read(FOREIGN_KEY_COLUMNS),
    checks: checks ? await read(checks) : [],
    views: await read(VIEWS),
    triggers: await read(TRIGGERS),
    routines: await read(ROUTINES),
    parameters: await read(ROUTINE_PARAMETERS),
  };
  return renderSchema(catalogs, link.server);
}

export async function schemaFingerprint(link: MySqlLink): Promise<string> {
  const rows = (await runStatement(link, forThisDatabase(link, fingerprintSql(link.server)))) as Row[];
  return text(rows[0]?.["fingerprint"]);
}

function renderSchema(catalogs: SchemaCatalogs, server: MySqlServer): string {
  const databaseCollation = text(catalogs.schema["DEFAULT_COLLATION_NAME"]);
  const lines = [`database charset ${text(catalogs.schema["DEFAULT_CHARACTER_SET_NAME"])} collation ${databaseCollation}`];

  const columns = groupBy(catalogs.columns, (row) => text(row["TABLE_NAME"]));
  const indexes = groupBy(catalogs.indexColumns, (row) => text(row["TABLE_NAME"]));
  const foreignKeys = groupBy(catalogs.foreignKeyColumns, (row) => text(row["TABLE_NAME"]));
  const checks = groupBy(catalogs.checks, (row) => text(row["TABLE_NAME"]));
  const triggers = groupBy(catalogs.triggers, (row) => text(row["EVENT_OBJECT_TABLE"]));

  for (const table of catalogs.tables.filter((row) => row["TABLE_TYPE"] !== "VIEW").sort(byName("TABLE_NAME"))) {
    const name = text(table["TABLE_NAME"]);
    if (table["TABLE_TYPE"] === "SEQUENCE") {
      lines.push(`sequence ${name}`);
      continue;
    }
    lines.push(tableLine(table, databaseCollation));
    const tableCollation = text(table["TABLE_COLLATION"]);
    for (const column of (columns.get(name) ?? []).sort((a, b) => Number(a["ORDINAL_POSITION"]) - Number(b["ORDINAL_POSITION"]))) {
      lines.push(columnLine(column, tableCollation, server));
    }
    lines.push(...indexLines(indexes.get(name) ?? []));
    lines.push(...foreignKeyLines(foreignKeys.get(name) ?? []));
    for (const check of (checks.get(name) ?? []).sort(byName("CONSTRAINT_NAME"))) {
      lines.push(`  check ${text(check["CONSTRAINT_NAME"])} ${text(check["CHECK_CLAUSE"])}`);
    }
    for (const trigger of (triggers.get(name) ?? []).sort(byName("TRIGGER_NAME"))) {
      lines.push(triggerLine(trigger), indentBody(text(trigger["ACTION_STATEMENT"])));
    }
  }

  for (const view of catalogs.views.sort(byName("TABLE_NAME"))) {
    const checkOption = text(view["CHECK_OPTION"]);
    const header = `view ${text(view["TABLE_NAME"])}${checkOption && checkOption !== "NONE" ? ` check option ${checkOption}` : ""} security ${text(view["SECURITY_TYPE"])}`;
    lines.push(header, indentBody(text(view["VIEW_DEFINITION"])));
  }

  const parameters = groupBy(catalogs.parameters, (row) => `${text(row["ROUTINE_TYPE"])} ${text(row["SPECIFIC_NAME"])}`);
  for (const routine of catalogs.routines.sort(byName("ROUTINE_TYPE", "ROUTINE_NAME"))) {
    const own = parameters.get(`${text(routine["ROUTINE_TYPE"])} ${text(routine["SPECIFIC_NAME"])}`) ?? [];
    lines.push(routineLine(routine, own), indentBody(text(routine["ROUTINE_DEFINITION"])));
  }
  return lines.join("\n") + "\n";
}

function tableLine(table: Row, databaseCollation: string): string {
  let line = `table ${text(table["TABLE_NAME"])} engine ${text(table["ENGINE"])}`;
  const collation = text(table["TABLE_COLLATION"]);
  if (collation && collation !== databaseCollation) line += ` collation ${collation}`;
  const options = text(table["CREATE_OPTIONS"]).trim();
  if (options) line += ` options ${options}`;
  const comment = text(table["TABLE_COMMENT"]);
  if (comment) line += ` comment ${quoteLiteral(comment)}`;
  return line;
}

function columnLine(column: Row, tableCollation: string, server: MySqlServer): string {
  const extra = text(column["EXTRA"]);
  let line = `  column ${text(column["COLUMN_NAME"])} ${text(column["COLUMN_TYPE"])} ${column["IS_NULLABLE"] === "YES" ? "NULL" : "NOT NULL"}`;
  const defaultValue = columnDefault(column["COLUMN_DEFAULT"], extra, server);
  if (defaultValue !== undefined) line += ` DEFAULT ${defaultValue}`;
  const shownExtra = extra.replace(/DEFAULT_GENERATED/i, "").trim().toLowerCase();
  if (shownExtra) line += ` ${shownExtra}`;
  const generation = text(column["GENERATION_EXPRESSION"]);
  if (generation) line += ` as (${generation})`;
  const collation = text(column["COLLATION_NAME"]);
  if (collation && collation !== tableCollation) line += ` collation ${collation}`;
  const comment = text(column["COLUMN_COMMENT"]);
  if (comment) line += ` comment ${quoteLiteral(comment)}`;
  return line;
}

/**
 * MariaDB reports defaults as SQL (`'x'`, `NULL`, `current_timestamp()`); MySQL reports the bare value and marks
 * expressions DEFAULT_GENERATED. Both become SQL here; a NULL default is the same as none.
 */
function columnDefault(value: unknown, extra: string, server: MySqlServer): string | undefined {
  if (value === null || value === undefined) return undefined;
  const raw = text(value);
  if (server.flavor === "mariadb") return raw === "NULL" ? undefined : raw;
  return /DEFAULT_GENERATED/i.test(extra) || /^current_timestamp(\(\d*\))?$/i.test(raw) ? raw : quoteLiteral(raw);
}

function indexLines(rows: Row[]): string[] {
  const indexes = [...groupBy(rows, (row) => text(row["INDEX_NAME"])).entries()].sort(([a], [b]) =>
    a === "PRIMARY" ? -1 : b === "PRIMARY" ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return indexes.map(([name, parts]) => {
    const first = parts[0]!;
    const columns = parts
      .sort((a, b) => Number(a["SEQ_IN_INDEX"]) - Number(b["SEQ_IN_INDEX"]))
      .map((part) => {
        const expression = text(part["EXPRESSION"]);
        let column = part["COLUMN_NAME"] == null && expression ? `(${expression})` : text(part["COLUMN_NAME"]);
        if (part["SUB_PART"] != null) column += `(${text(part["SUB_PART"])})`;
        if (part["COLLATION"] === "D") column += " DESC";
        return column;
      })
      .join(", ");
    if (name === "PRIMARY") return `  primary key (${columns})`;
    const type = text(first["INDEX_TYPE"]);
    const kind = type === "FULLTEXT" ? "fulltext index" : type === "SPATIAL" ? "spatial index" : Number(first["NON_UNIQUE"]) === 0 ? "unique index" : "index";
    let line = `  ${kind} ${name} (${columns})`;
    if (type && !["BTREE", "FULLTEXT", "SPATIAL"].includes(type)) line += ` using ${type}`;
    const comment = text(first["INDEX_COMMENT"]);
    if (comment) line += ` comment ${quoteLiteral(comment)}`;
    if (first["IS_VISIBLE"] === "NO") line += " invisible";
    if (first["IGNORED"] === "YES") line += " ignored";
    return line;
  });
}

function foreignKeyLines(rows: Row[]): string[] {
  const keys = [...groupBy(rows, (row) => text(row["CONSTRAINT_NAME"])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map(([name, parts]) => {
    parts.sort((a, b) => Number(a["ORDINAL_POSITION"]) - Number(b["ORDINAL_POSITION"]));
    const first = parts[0]!;
    const schema = text(first["REFERENCED_TABLE_SCHEMA"]);
    const target = `${schema ? `${schema}.` : ""}${text(first["REFERENCED_TABLE_NAME"])}`;
    const columns = parts.map((part) => text(part["COLUMN_NAME"])).join(", ");
    const referenced = parts.map((part) => text(part["REFERENCED_COLUMN_NAME"])).join(", ");
    return `  foreign key ${name} (${columns}) references ${target} (${referenced}) on update ${text(first["UPDATE_RULE"])} on delete ${text(first["DELETE_RULE"])}`;
  });
}

function triggerLine(trigger: Row): string {
  const order = trigger["ACTION_ORDER"] == null ? "" : ` order ${text(trigger["ACTION_ORDER"])}`;
  return `  trigger ${text(trigger["TRIGGER_NAME"])} ${text(trigger["ACTION_TIMING"])} ${text(trigger["EVENT_MANIPULATION"])} for each ${text(trigger["ACTION_ORIENTATION"]).toLowerCase()}${order}`;
}

function routineLine(routine: Row, parameters: Row[]): string {
  const type = text(routine["ROUTINE_TYPE"]);
  const signature = parameters
    .sort((a, b) => Number(a["ORDINAL_POSITION"]) - Number(b["ORDINAL_POSITION"]))
    .map((p) => [type === "PROCEDURE" ? text(p["PARAMETER_MODE"]) : "", text(p["PARAMETER_NAME"]), text(p["DTD_IDENTIFIER"])].filter(Boolean).join(" "))
    .join(", ");
  let line = `${type.toLowerCase()} ${text(routine["ROUTINE_NAME"])}(${signature})`;
  if (type === "FUNCTION") line += ` returns ${text(routine["DTD_IDENTIFIER"])}`;
  if (routine["IS_DETERMINISTIC"] === "YES") line += " deterministic";
  line += ` ${text(routine["SQL_DATA_ACCESS"]).toLowerCase()} security ${text(routine["SECURITY_TYPE"]).toLowerCase()}`;
  const comment = text(routine["ROUTINE_COMMENT"]);
  if (comment) line += ` comment ${quoteLiteral(comment)}`;
  return line;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

function groupBy(rows: Row[], key: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const name = key(row);
    const group = groups.get(name);
    if (group) group.push(row);
    else groups.set(name, [row]);
  }
  return groups;
}

/** Orders rows by the given fields, comparing code points so that no server collation decides. */
function byName(...fields: string[]): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const field of fields) {
      const x = text(a[field]);
      const y = text(b[field]);
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}

/** A routine, trigger or view body under its header: indented, line endings and trailing blanks normalized. */
function indentBody(body: string): string {
  return body
    .replace(/\r\n?/g, "\n")
    .trim()
    .split("\n")
    .map((line) => `    ${line}`.trimEnd())
    .join("\n");
}
