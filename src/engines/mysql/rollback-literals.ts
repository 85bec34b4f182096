// Exact MySQL literals for values decoded from the binlog, one rule per column type.
import { EngineError } from "../errors.ts";
import { quoteLiteral } from "./quote.ts";
import type { RollbackColumn } from "./rollback-catalog.ts";

const INTEGER = new Set(["tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"]);
const TEXT = new Set(["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"]);
const DATE_TIME = new Set(["date", "time", "datetime"]);
const EXACT_NUMBER = /^-?\d+(\.\d+)?$/;

/** Collation a guard compares text with: byte-exact, so a change of case or accent counts as a change. */
export const EXACT_COLLATION = " COLLATE utf8mb4_bin";

/**
 * A literal that stores back exactly the value the binlog held. TIMESTAMP travels as UTC text and is converted
 * into whatever time zone the session running the rollback uses.
 */
export function mysqlLiteral(column: RollbackColumn, value: unknown): string {
  if (value === null) return "NULL";
  const type = column.dataType;
  if (value === undefined) {
    // zongji decodes the empty ENUM value (index 0, stored for an invalid value) as undefined
    if (type === "enum") return "''";
    return "NULL";
  }
  if (INTEGER.has(type)) return exactNumber(column, String(value));
  if (type === "decimal" || type === "numeric") return exactNumber(column, String(value));
  if (type === "float" || type === "double" || type === "real") return floatLiteral(column, value);
  if (type === "bit") return bitLiteral(value);
  if (Buffer.isBuffer(value)) return hexLiteral(value);
  if (typeof value !== "string") throw unsupported(column, `a ${typeof value} value`);
  if (type === "timestamp") {
    return /^0000-00-00 00:00:00/.test(value) ? quoteLiteral(value) : `CONVERT_TZ(${quoteLiteral(value)}, '+00:00', @@session.time_zone)`;
  }
  if (DATE_TIME.has(type)) return quoteLiteral(value);
  if (type === "json") return `CAST(${textLiteral(value)} AS JSON)`;
  if (TEXT.has(type) || type === "longtext") return textLiteral(value);
  throw unsupported(column, "its type");
}

const NEEDS_ESCAPE = /[\\'\n\r\x1a\0]/;

/**
 * mysqlLiteral with the column's type resolved once: the rollback writes a literal per column per row, so the
 * common values (safe integers, text and dates needing no escape) skip the general dispatch.
 */
export function mysqlLiteralWriter(column: RollbackColumn): (value: unknown) => string {
  const general = (value: unknown): string => mysqlLiteral(column, value);
  if (INTEGER.has(column.dataType)) return (value) => (typeof value === "number" && Number.isSafeInteger(value) ? String(value) : general(value));
  if (TEXT.has(column.dataType) || DATE_TIME.has(column.dataType)) {
    return (value) => (typeof value === "string" && !NEEDS_ESCAPE.test(value) ? `'${value}'` : general(value));
  }
  return general;
}

/** Whether a guard compares this column's text values under EXACT_COLLATION: text compares byte-exact. */
export function comparesAsText(column: RollbackColumn): boolean {
  return TEXT.has(column.dataType);
}

function textLiteral(value: string): string {
  // quoteLiteral refuses NUL; the hex form under an explicit character set carries any text.
  return value.includes("\0") ? `_utf8mb4 X'${Buffer.from(value, "utf8").toString("hex")}'` : quoteLiteral(value);
}

function hexLiteral(value: Buffer): string {
  return `X'${value.toString("hex")}'`;
}

function bitLiteral(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.length === 0 ? "0" : BigInt("0x" + value.toString("hex")).toString();
  return String(BigInt(value as number));
}

function exactNumber(column: RollbackColumn, text: string): string {
  if (!EXACT_NUMBER.test(text)) throw unsupported(column, `the value ${text}`);
  return text;
}

function floatLiteral(column: RollbackColumn, value: unknown): string {
  const number = Number(value);
  if (!Number.isFinite(number)) throw unsupported(column, `the value ${String(value)}`);
  // JavaScript prints the shortest text that reads back as the same double; a FLOAT's value is exactly a double.
  return Object.is(number, -0) ? "-0e0" : String(number);
}

function unsupported(column: RollbackColumn, what: string): EngineError {
  return new EngineError(`rollback cannot write ${what} of column ${column.name} (${column.columnType})`, { kind: "invalid" });
}
